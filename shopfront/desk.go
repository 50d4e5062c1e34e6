package shopfront

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/receipts"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/terminal"
	"github.com/villagepost/bianmin/web"
)

// Desk is a station open for the web screen: the ledger, the key and the
// host link stay open for the life of the server. It implements
// web.Station with the same services and words as the command line.
type Desk struct {
	Counter *Counter
	demo    bool
	net     *watchHost
	post    *PostLink // nil: no post office address is known
	paper   Paper
	words   func(err error, lang string) string
	logf    func(string, ...any)

	// tariffMu guards c.tariff, which the post office link replaces
	// when it loads a newer tariff while the screen serves.
	tariffMu sync.Mutex
}

// ReloadTariff prices from now on by the tariff the station holds (the
// post office link has just loaded it). The hosts' timeout and retries
// stay those of the start until the next start.
func (d *Desk) ReloadTariff() error {
	t, err := d.Counter.Folder.CurrentTariff()
	if err != nil {
		return err
	}
	d.tariffMu.Lock()
	d.Counter.Tariff = t
	d.tariffMu.Unlock()
	return nil
}

var _ web.Station = (*Desk)(nil)

func (d *Desk) Info() web.Info {
	g := d.Counter.Ledger.Genesis()
	return web.Info{ID: g.Terminal, Name: g.Name, Zone: d.Counter.Ledger.Zone(), Demo: d.demo}
}

func (d *Desk) Authenticate(id, pinCode, from string) (terminal.Operator, error) {
	op, err := d.Counter.Ops.AuthenticateFrom(id, pinCode, from)
	return op, LockedIn(err, d.Counter.Ledger.Zone())
}

// Unlock lifts every lockout of operator id when passphrase opens the
// station key, and records the unlock in the ledger.
func (d *Desk) Unlock(id, passphrase string) (uint64, error) {
	if _, err := keyfile.Open(d.Counter.Folder.Path(KeyFile), []byte(passphrase), d.Counter.Ledger.Genesis().Terminal); err != nil {
		return 0, err
	}
	e, err := d.Counter.Folder.UnlockOperator(id, "screen")
	return e.Seq, err
}

func (d *Desk) Operators() ([]terminal.Operator, error) { return d.Counter.Ops.List() }

func (d *Desk) Services() web.Services {
	d.tariffMu.Lock()
	defer d.tariffMu.Unlock()
	c := d.Counter
	zone := c.Ledger.Zone()
	today := func() time.Time { return c.Now().In(zone) }
	return web.Services{
		Cards:     c.Cards(),
		Bills:     c.Bills(),
		Tickets:   c.Tickets(),
		Insurance: c.Insurance(),
		Goods:     &terminal.Goods{Ledger: c.Ledger, Tariff: c.Tariff, Today: today},
		Drawer:    &terminal.Drawer{Ledger: c.Ledger, LowCash: c.Tariff.LowCash.Decimal},
		Voids:     &terminal.Voids{Link: c.Link},
		Refunds:   &terminal.Refunds{Ledger: c.Ledger},
		Tariff:    c.Tariff,
		Disputes:  c.LinkedDisputes(),

		Contributions: c.Contributions(),
		SIM:           &terminal.SIMCards{Link: c.Link, Tariff: c.Tariff, Today: today},
		Handovers:     c.LinkedHandovers(),
	}
}

func (d *Desk) Status() (web.Status, error) {
	sv := d.Services()
	cash, err := sv.Drawer.Cash()
	if err != nil {
		return web.Status{}, err
	}
	pending, err := d.Counter.Link.Items()
	if err != nil {
		return web.Status{}, err
	}
	refunds, err := sv.Refunds.Due()
	if err != nil {
		return web.Status{}, err
	}
	var untold []terminal.CashOut
	for _, u := range d.Counter.Untold {
		if shown, err := d.Counter.Link.Pending.Shown(u.Seq); err != nil {
			return web.Status{}, err
		} else if !shown {
			untold = append(untold, u)
		}
	}
	l := d.Counter.Ledger
	news, err := disputeNews(sv.Disputes, l.CurrentDay())
	if err != nil {
		return web.Status{}, err
	}
	takenOver, err := sv.Handovers.List()
	if err != nil {
		return web.Status{}, err
	}
	return web.Status{Untold: untold, DisputeRefunds: news.refunds, DisputesAnswered: news.answered, TakenOver: web.TakenOverOf(takenOver),
		Day: l.CurrentDay(), Cash: cash, LowCash: sv.Drawer.Low(cash),
		Pending: len(pending), Refunds: len(refunds), Network: d.net.state(),
		Closed: l.Closed() != "" && l.Closed() == l.Today(),
	}, nil
}

func (d *Desk) Pending() ([]terminal.PendingItem, error) { return d.Counter.Link.Items() }

func (d *Desk) Day(day string, fn func(ledger.Entry) error) error {
	return d.Counter.Ledger.Day(day, fn)
}

func (d *Desk) Days() ([]string, error) { return d.Counter.Ledger.Days() }

func (d *Desk) Entries(fn func(ledger.Entry) error) error { return d.Counter.Ledger.Range(1, 0, fn) }

func (d *Desk) Entry(seq uint64) (ledger.Entry, error) { return d.Counter.Ledger.Get(seq) }

func (d *Desk) days() *terminal.Days {
	d.tariffMu.Lock()
	defer d.tariffMu.Unlock()
	return &terminal.Days{Ledger: d.Counter.Ledger, Pending: d.Counter.Link.Pending, Tariff: d.Counter.Tariff.Version}
}

func (d *Desk) Report() (settlement.Close, error) { return d.days().Report() }

// CloseDay closes the business day as close-day does: what waits for a
// host is tried once more first, then the day_close is recorded and the
// settlement file written.
func (d *Desk) CloseDay(ctx context.Context, operator, approver string, counted decimal.Decimal, carry bool) (web.Closed, error) {
	if _, ended := d.days().Open(); !ended {
		if _, err := d.Counter.Link.Drain(ctx); err != nil {
			return web.Closed{}, err
		}
	}
	e, figures, err := d.days().Close(terminal.CloseRequest{Operator: operator, Counted: &counted, Carry: carry})
	var closed *terminal.ClosedError
	if errors.As(err, &closed) {
		return web.Closed{}, refuse(nil, "营业日 %s 已经日结过了；之后的业务算下一个营业日。", "business day %s is closed already; what comes next belongs to the next day.", closed.Day)
	}
	if err != nil {
		return web.Closed{}, err
	}
	files, err := d.Counter.WriteDay(e)
	if err != nil {
		return web.Closed{}, refuse(err, "营业日 %s 已经日结（账本第 %d 笔），但日结文件没写成。请运行 station close-day 补写。",
			"business day %s is closed (entry %d) but its file was not written. Run station close-day to write it.", e.Day, e.Seq)
	}
	if d.post != nil {
		d.post.send() // the new day goes to the post office now
	}
	return web.Closed{Entry: e, Figures: figures, File: files.File, PDF: files.PDF}, nil
}

func (d *Desk) Export(w io.Writer, what, day string) (string, error) {
	id := d.Counter.Ledger.Genesis().Terminal
	switch what {
	case "ledger":
		return id + ".journal", d.Counter.Ledger.WriteHledger(w, 1, 0)
	case "csv":
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			return "", ledger.ErrNotFound
		}
		f, err := os.Open(d.Counter.Folder.SettlementPath(day, ".csv"))
		if err != nil {
			return "", ledger.ErrNotFound
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return id + "-" + day + ".csv", err
	}
	return "", ledger.ErrNotFound
}

func (d *Desk) ReceiptText(seq uint64, lang string) (string, error) {
	cols, err := receipts.ColsFor(d.paper.MM)
	if err != nil {
		return "", err
	}
	r, err := d.Counter.Receipt(seq)
	if err != nil {
		return "", err
	}
	return r.Text(lang, cols), nil
}

func (d *Desk) Receipt(seq uint64, lang, operator string, mode web.ReceiptMode) ([]byte, error) {
	r, err := d.Counter.Receipt(seq)
	if err != nil {
		return nil, err
	}
	switch mode {
	case web.ReceiptIssue:
		path, err := d.Counter.Issue(r, fmt.Sprintf("%06d.pdf", seq), lang, d.paper)
		if err != nil {
			return nil, err
		}
		return os.ReadFile(path)
	case web.ReceiptReprint:
		rp, err := d.Counter.RecordReprint(operator, seq)
		if err != nil {
			return nil, err
		}
		r.Reprint = rp.Count
		path, err := d.Counter.Issue(r, fmt.Sprintf("%06d-reprint-%d.pdf", seq, rp.Count), lang, d.paper)
		if err != nil {
			return nil, err
		}
		return os.ReadFile(path)
	}
	return PDF(r, lang, d.paper.MM)
}

// Explain says what err means for the shopkeeper, in the screen's words:
// no Go error text and no internal names reach a page; the server's log
// keeps err whole.
func (d *Desk) Explain(err error, lang string) string {
	msg := d.words(err, lang)
	d.logf("screen: refused: %v", err)
	if internalText.MatchString(msg) {
		d.logf("screen: the words for this error named internals, shown plainly instead: %q", msg)
		msg = d.words(errors.New(""), lang) // the plain words for an unknown error
	}
	return msg
}

// internalText finds what must not reach a page: a Go package's prefix
// (web:, terminal:, ledger: ...), bbolt's and the os package's words, Go
// formatting slips.
var internalText = regexp.MustCompile(`\b(web|terminal|ledger|keyfile|money|pin|idcheck|settlement|tariff|hostsim|registry|receipts|civildate|bolt|json|http|net|tcp|dial|open|read|write|lstat|stat):\s|%!|\bgoroutine\b|\bpanic\b|\bnil\b`)

// Drain forwards what waits for a host each time tick fires, until ctx
// ends: queued payments go out without anyone typing a command.
func (d *Desk) Drain(ctx context.Context, tick <-chan time.Time, done func(terminal.Drained, error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			dr, err := d.Counter.Link.Drain(ctx)
			if done != nil {
				done(dr, err)
			}
		}
	}
}

// watchHost passes calls to the hosts through and remembers whether the
// last one reached them, for the screen's network light.
type watchHost struct {
	terminal.Host
	mu sync.Mutex
	st web.Network
}

func (w *watchHost) state() web.Network {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.st
}

func (w *watchHost) note(err error) {
	var ne net.Error
	down := errors.Is(err, terminal.ErrUnreachable) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.st = web.NetUp
	if down {
		w.st = web.NetDown
	}
}

func (w *watchHost) Send(ctx context.Context, r terminal.HostRequest) (terminal.HostReply, error) {
	rep, err := w.Host.Send(ctx, r)
	w.note(err)
	return rep, err
}

func (w *watchHost) Status(ctx context.Context, trace string) (terminal.HostReply, error) {
	rep, err := w.Host.Status(ctx, trace)
	w.note(err)
	return rep, err
}

func (w *watchHost) Reverse(ctx context.Context, trace string) (terminal.HostReply, error) {
	rep, err := w.Host.Reverse(ctx, trace)
	w.note(err)
	return rep, err
}

func (w *watchHost) LookupBill(ctx context.Context, biller, account string) (terminal.Bill, error) {
	b, err := w.Host.LookupBill(ctx, biller, account)
	w.note(err)
	return b, err
}

// DeskOptions say how a desk opens.
type DeskOptions struct {
	Now func() time.Time // nil: the system's clock
	// Demo opens the station's key with the demo's public passphrase (a
	// demo station is opened so whatever this says).
	Demo bool
	// Passphrase gives the key's passphrase of a station that is not a
	// demo.
	Passphrase func() ([]byte, error)
	HostURL    string // the hosts (see Counter.LinkHosts)
	Postoffice string // the post office's address given; "" : the one remembered, if any
	Paper      Paper
	// Words put an error in the shopkeeper's words, in lang ("zh" or
	// "en"): the command line's words serve the screen too.
	Words func(err error, lang string) string
	// Logf keeps what the server's log should (nil: nothing).
	Logf func(format string, args ...any)
}

// DeskStart is what opening the desk found: a day closed late, and what
// an earlier run left.
type DeskStart struct {
	Forgotten Forgotten
	Recovered Recovered
}

// OpenDesk opens the station in dir for the screen: it checks the ledger,
// unlocks the key, closes a day the shop forgot to close, links the hosts
// and settles what an earlier run left pending.
func OpenDesk(ctx context.Context, dir string, o DeskOptions) (*Desk, DeskStart, error) {
	var start DeskStart
	st, err := Open(dir, o.Now, true)
	if err != nil {
		return nil, start, err
	}
	fail := func(err error) (*Desk, DeskStart, error) {
		st.Close()
		return nil, start, err
	}
	t, err := st.CurrentTariff()
	if err != nil {
		return fail(err)
	}
	o.Demo = o.Demo || st.IsDemo()
	pass := []byte(DemoPassphrase)
	if !o.Demo {
		if pass, err = o.Passphrase(); err != nil {
			return fail(err)
		}
	}
	if err := st.Unlock(pass); err != nil {
		return fail(err)
	}
	owner, err := st.FirstOwner()
	if err != nil {
		return fail(err)
	}
	if start.Forgotten, err = st.CloseForgotten(owner); err != nil {
		return fail(err)
	}
	addr, err := st.PostofficeURL(o.Postoffice)
	if err != nil {
		return fail(err)
	}
	var post *PostLink
	if addr != "" {
		client, err := st.PostClient(addr)
		if err != nil {
			return fail(err)
		}
		post = newPostLink(st, client, st.Now)
	}
	watch := &watchHost{}
	c := &Counter{Folder: st, Tariff: t, WrapHost: func(h terminal.Host) terminal.Host { watch.Host = h; return watch }}
	if start.Recovered, err = c.LinkHosts(ctx, o.HostURL); err != nil {
		return fail(err)
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	d := &Desk{Counter: c, demo: o.Demo, net: watch, post: post, paper: o.Paper, words: o.Words, logf: o.Logf}
	if post != nil {
		post.onTariff = d.ReloadTariff
	}
	return d, start, nil
}

// Close closes the host link and the station.
func (d *Desk) Close() error { return d.Counter.Close() }

// Demo says whether the desk serves a demo station.
func (d *Desk) Demo() bool { return d.demo }

// Post is the link to the post office; nil when no address is known.
func (d *Desk) Post() *PostLink { return d.post }

// Host is the hosts the counter talks to, unwatched: tests reach the
// built-in simulator through it.
func (d *Desk) Host() terminal.Host { return d.net.Host }
