package shopfront

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"

	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// PostofficeURLFile remembers the post office's address in the station's
// folder, once given with --postoffice.
const PostofficeURLFile = "postoffice.url"

// PostofficeURL returns the address given, remembering it, or the one
// remembered; "" when there is neither.
func (st *Folder) PostofficeURL(given string) (string, error) {
	if given != "" {
		u, err := url.Parse(given)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return "", refuse(err, "--postoffice 要写成 https://邮政支局的地址:端口 这样的网址。", "--postoffice is a URL like https://postoffice.example:8443.")
		}
		if err := WriteWhole(st.Path(PostofficeURLFile), []byte(given+"\n")); err != nil {
			return "", refuse(err, "记不下邮政支局的地址。", "cannot remember the post office's address.")
		}
		return given, nil
	}
	b, err := os.ReadFile(st.Path(PostofficeURLFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", refuse(err, "读不了记下的邮政支局地址。", "cannot read the remembered post office address.")
	}
	return strings.TrimSpace(string(b)), nil
}

// PostClient returns the station's link to its post office; the key must
// be unlocked.
func (st *Folder) PostClient(addr string) (*postapi.Client, error) {
	g := st.Ledger.Genesis()
	v, err := note.NewVerifier(g.PostOfficeKey)
	if err != nil {
		return nil, refuse(err, "本站没有登记邮政支局公钥，不能和邮政联网。", "this station has no post office key; it cannot talk to the post office.")
	}
	return &postapi.Client{URL: addr, Station: g.Terminal, Key: st.Key, PostOffice: v}, nil
}

// UploadReport is what one exchange with the post office did.
type UploadReport struct {
	Sent     []postapi.Outcome // each day file sent, with the answer
	AcksKept []string          // the days whose acknowledgement was kept
	Problems int               // files held, forked or refused
	Tariff   string            // the version of a newer tariff loaded
	// Decisions are the post office's decisions on disputes recorded
	// now; BadDecisions those that did not check (left for a person).
	Decisions    []terminal.Dispute
	BadDecisions int
	// Handovers are the hand-over documents loaded now; BadHandovers
	// those that did not check (another station's, or not signed by
	// this station's post office: left for a person).
	Handovers    []LoadedHandover
	BadHandovers int
}

// LoadedHandover is a hand-over document recorded in ledger entry Entry.
type LoadedHandover struct {
	Entry uint64
	Doc   handover.Doc
}

// Upload sends the days the post office has not acknowledged, then keeps
// every acknowledgement it has for the station (days that went by USB
// stick too). It stops at the first day that gets no trustworthy answer:
// that day and the ones after it are sent next time.
func (st *Folder) Upload(ctx context.Context, c *postapi.Client) (*UploadReport, error) {
	rep := &UploadReport{}
	days, err := st.Unsent("")
	if err != nil {
		return rep, err
	}
	for _, d := range days {
		out, err := c.Upload(ctx, d.Data)
		if err != nil {
			return rep, err
		}
		rep.Sent = append(rep.Sent, out)
		if out.Result != postapi.Accepted && out.Result != postapi.Replay {
			rep.Problems++
			break // the days after it cannot be accepted before it
		}
	}
	after := ""
	if _, latest, err := st.LatestAck(); err != nil {
		return rep, err
	} else if latest != nil {
		after = latest.Day
	}
	acks, err := c.Acks(ctx, after)
	if err != nil {
		return rep, err
	}
	for _, msg := range acks {
		a, closed, err := st.CheckAck(msg)
		if err != nil {
			return rep, err
		}
		if _, err := st.KeepAck(closed.Operator, a, msg); err != nil {
			return rep, err
		}
		rep.AcksKept = append(rep.AcksKept, a.Day)
	}
	return rep, st.fetchResults(ctx, c, rep)
}

// fetchResults asks the post office for the station's results and keeps
// what it decided on disputes and the hand-over documents that make this
// station the successor of retired ones. Each is checked with the post
// office key and recorded once; one that does not check is counted and
// left for a person.
func (st *Folder) fetchResults(ctx context.Context, c *postapi.Client, rep *UploadReport) error {
	res, err := c.Results(ctx, st.Ledger.CurrentDay()[:7])
	if err != nil {
		return err
	}
	if len(res.Decisions) == 0 && len(res.Handovers) == 0 {
		return nil
	}
	owner, err := st.FirstOwner()
	if err != nil {
		return err
	}
	msgs := make([][]byte, len(res.Decisions))
	for i, d := range res.Decisions {
		msgs[i] = []byte(d)
	}
	if rep.Decisions, rep.BadDecisions, err = st.KeepDecisions(owner, msgs); err != nil {
		return err
	}
	hs := st.Handovers()
	for _, msg := range res.Handovers {
		e, d, err := hs.Load(owner, []byte(msg))
		var he *terminal.HandoverError
		switch {
		case errors.Is(err, terminal.ErrHandoverLoaded):
		case errors.As(err, &he):
			rep.BadHandovers++
		case err != nil:
			return err
		default:
			rep.Handovers = append(rep.Handovers, LoadedHandover{Entry: e.Seq, Doc: d})
		}
	}
	return nil
}

// Exchange sends the closed days, keeps the acknowledgements and loads a
// newer tariff the post office issued: what station upload does once and
// station serve's link does all day.
func (st *Folder) Exchange(ctx context.Context, c *postapi.Client) (*UploadReport, error) {
	rep, err := st.Upload(ctx, c)
	if err == nil {
		rep.Tariff, err = st.newerTariff(ctx, c)
	}
	return rep, err
}

// newerTariff loads the tariff the post office issued to the station when
// it is another version than the one loaded and applies today, recorded
// for the first owner (the post office's signature is what makes it
// trustworthy, as with station tariff load). It returns the version
// loaded, or "".
func (st *Folder) newerTariff(ctx context.Context, c *postapi.Client) (string, error) {
	tf, err := c.Tariff(ctx)
	var pe *postapi.Error
	if errors.As(err, &pe) && pe.Rule == postapi.RuleNotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	t, err := st.OpenTariff([]byte(tf.Signed))
	if err != nil {
		return "", err
	}
	if cur, err := st.LoadedTariff(); err == nil && cur.Version == t.Version {
		return "", nil
	}
	if !t.ValidOn(st.Ledger.CurrentDay()) {
		return "", nil
	}
	owner, err := st.FirstOwner()
	if err != nil {
		return "", err
	}
	if _, err := st.LoadTariff([]byte(tf.Signed), t, owner); err != nil {
		return "", err
	}
	return t.Version, nil
}

// PostofficeErr says what went wrong talking to the post office, and that
// nothing was lost: the days not acknowledged are sent again next time.
func PostofficeErr(err error, sent int) error {
	var pe *postapi.Error
	switch {
	case errors.As(err, &pe):
		return &Refusal{Zh: "邮政支局没有处理请求：" + pe.ZH, En: "the post office refused the request: " + pe.EN, Err: err}
	case errors.Is(err, postapi.ErrForgedAnswer):
		return refuse(err, "收到的回答不是本站所属邮政支局签发的（网络上有人冒充），没有采用。日结文件都还在，请稍后再交或用U盘交。",
			"the answer is not signed by this station's post office (someone on the network pretends to be it); it was not used. The day files are all kept: send them later, or by USB stick.")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return refuse(err, "交日结文件中断了。没交上的下次再交，什么都没有丢。", "sending was interrupted; what was not sent goes next time, nothing is lost.")
	}
	return refuse(err, "连不上邮政支局（已交 %d 天）。没交上的日结文件都还在，网络好了再运行 station upload，或用 station export 拷到U盘交。",
		"cannot reach the post office (%d day(s) sent). The unsent day files are kept: run station upload when the line is back, or copy them to a USB stick with station export.", sent)
}
