package postserver_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/postserver"
	"github.com/villagepost/bianmin/reconcile"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/registry/pgstore"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/statement"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// The station of settlement/testdata/scenarios: its key comes from the
// seed the settlement tests use.
var stationKey = ed25519.NewKeyFromSeed([]byte("settlement tests station seed 32"))

func scenario(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "settlement", "testdata", "scenarios", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post is a post office served on 127.0.0.1 with station T0001 enrolled,
// and T0001's client for it.
type post struct {
	t      testing.TB
	url    string
	office *office.Office
	v      note.Verifier
	client *postapi.Client
	now    time.Time
}

func serve(t testing.TB) *post { return serveOn(t, "") }

// serveOn is serve on the PostgreSQL database at db (migrated; the office
// holds it open, as postoffice serve --db does), or on the bbolt file in
// the folder when db is "".
func serveOn(t testing.TB, db string) *post {
	t.Helper()
	p := &post{t: t, now: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	var reg, shared *registry.Registry
	var err error
	if db == "" {
		reg, err = registry.Open(filepath.Join(dir, office.RegistryFile), nil)
	} else {
		var st *pgstore.Store
		st, err = pgstore.Open(t.Context(), db)
		if err == nil {
			reg = registry.New(st, &registry.Options{Now: func() time.Time { return p.now }})
			shared = reg
			t.Cleanup(func() { reg.Close() })
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	p.v, _ = note.NewVerifier(vkey)
	issued, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Issue(t.Context(), issued); err != nil {
		t.Fatal(err)
	}
	key, err := keyfile.VerifierKey("T0001", stationKey.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Enrol(t.Context(), registry.Enrolment{Station: "T0001", Key: key, Franchisee: "王秀英",
		Deposit: decimal.RequireFromString("20000.00"), Tariff: issued.Version}); err != nil {
		t.Fatal(err)
	}
	if shared == nil {
		if err := reg.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// As postoffice serve runs it: the registry opened for each request.
	// On a shared database the office holds it open.
	p.office = &office.Office{Dir: dir, Signer: signer, Verifier: p.v, Registry: shared, Now: func() time.Time { return p.now }}
	srv := postserver.New(p.office, &postserver.Options{Now: func() time.Time { return p.now }, Logf: t.Logf, ReadTimeout: 2 * time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	p.url = "http://" + ln.Addr().String()
	p.client = &postapi.Client{URL: p.url, Station: "T0001", Key: stationKey, PostOffice: p.v, Now: func() time.Time { return p.now }}
	return p
}

// registry opens the post office's registry between two requests, as a
// postoffice command does.
func (p *post) registry(t testing.TB, fn func(*registry.Registry) error) {
	t.Helper()
	if p.office.Registry != nil {
		if err := fn(p.office.Registry); err != nil {
			t.Fatal(err)
		}
		return
	}
	r, err := registry.Open(filepath.Join(p.office.Dir, office.RegistryFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := fn(r); err != nil {
		t.Fatal(err)
	}
}

// lastSeq is the last entry the post office accepted from T0001.
func (p *post) lastSeq(t testing.TB) uint64 {
	var s registry.Station
	p.registry(t, func(r *registry.Registry) (err error) { s, err = r.Station(t.Context(), "T0001"); return err })
	return s.Last.Seq
}

func TestUploadAnswersAsImportDecides(t *testing.T) {
	p := serve(t)
	ctx := context.Background()
	day1, day2, day3 := scenario(t, "intact-day1.bms"), scenario(t, "intact-day2.bms"), scenario(t, "intact-day3.bms")

	// Day 2 before day 1: held, then let in by day 1.
	out, err := p.client.Upload(ctx, day2)
	if err != nil || out.Result != postapi.Held || out.Day != "2026-11-21" {
		t.Fatalf("day 2 first: %+v, %v; want held", out, err)
	}
	out, err = p.client.Upload(ctx, day1)
	if err != nil || out.Result != postapi.Accepted || len(out.Also) != 1 || out.Also[0].Result != postapi.Accepted {
		t.Fatalf("day 1: %+v, %v; want accepted, and day 2 with it", out, err)
	}
	ack, err := settlement.OpenAck([]byte(out.Ack), p.v)
	if err != nil || ack.Day != "2026-11-20" || ack.Station != "T0001" {
		t.Fatalf("day 1's acknowledgement: %+v, %v", ack, err)
	}
	// The acknowledgements were written where postoffice import writes them.
	if _, err := os.Stat(office.AckPath(filepath.Join(p.office.Dir, "acks"), "T0001", "2026-11-21")); err != nil {
		t.Errorf("day 2's acknowledgement file: %v", err)
	}
	// The same file again (an answer lost on the way): nothing changes,
	// and the acknowledgement comes again.
	again, err := p.client.Upload(ctx, day1)
	if err != nil || again.Result != postapi.Replay || again.Ack != out.Ack {
		t.Fatalf("day 1 again: %+v, %v; want a replay with the same acknowledgement", again, err)
	}
	if out, err := p.client.Upload(ctx, day3); err != nil || out.Result != postapi.Accepted {
		t.Fatalf("day 3: %+v, %v", out, err)
	}
	acks, err := p.client.Acks(ctx, "2026-11-20")
	if err != nil || len(acks) != 2 {
		t.Fatalf("acks after day 1: %d, %v; want days 2 and 3", len(acks), err)
	}
	for i, want := range []string{"2026-11-21", "2026-11-22"} {
		if a, err := settlement.OpenAck(acks[i], p.v); err != nil || a.Day != want {
			t.Errorf("ack %d: %+v, %v; want day %s", i, a, err, want)
		}
	}
	all, err := p.client.Acks(ctx, "")
	if err != nil || len(all) != 3 {
		t.Errorf("every ack: %d, %v", len(all), err)
	}
	tf, err := p.client.Tariff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tariff.Open([]byte(tf.Signed), p.v); err != nil || got.Version != tf.Version {
		t.Errorf("tariff: %v, version %q", err, tf.Version)
	}
}

func TestUploadRefusedFileNamesTheRule(t *testing.T) {
	p := serve(t)
	out, err := p.client.Upload(context.Background(), scenario(t, "rewritten.bms"))
	if err != nil {
		t.Fatal(err)
	}
	if out.Result != postapi.Refused || out.Rule != registry.ErrBadFile || !strings.Contains(out.ZH, "什么都没有改动") {
		t.Errorf("a rewritten file: %+v", out)
	}
	if seq := p.lastSeq(t); seq != 0 {
		t.Errorf("a refused file changed the registry: last entry %d", seq)
	}
}

// raw sends a request signed as T0001 would, with what the test changes.
func (p *post) raw(method, uri string, body []byte, change func(*http.Request)) (int, postapi.Refusal) {
	p.t.Helper()
	req, _ := http.NewRequest(method, p.url+uri, bytes.NewReader(body))
	var nb [16]byte
	rand.Read(nb[:])
	nonce := hex.EncodeToString(nb[:])
	postapi.Sign(req.Header, stationKey, "T0001", method, uri, p.now, nonce, body)
	if change != nil {
		change(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	// Every answer, a refusal too, is signed for the request it answers.
	if err := postapi.CheckResponse(resp.Header, p.v, req.Header.Get(postapi.HeaderStation), req.Header.Get(postapi.HeaderNonce), resp.StatusCode, answer); err != nil {
		p.t.Errorf("%s %s: answer %d not signed: %v", method, uri, resp.StatusCode, err)
	}
	var r postapi.Refusal
	_ = json.Unmarshal(answer, &r) // a 200 has no error
	return resp.StatusCode, r
}

func TestRequestsRefusedByRule(t *testing.T) {
	p := serve(t)
	day1 := scenario(t, "intact-day1.bms")
	otherKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	cases := []struct {
		name   string
		change func(*http.Request)
		status int
		rule   string
	}{
		{"no headers", func(r *http.Request) { r.Header.Del(postapi.HeaderSignature) }, 401, postapi.RuleHeaders},
		{"unknown station", func(r *http.Request) {
			postapi.Sign(r.Header, stationKey, "T9999", "GET", postapi.PathAcks, p.now, "0123456789abcdef0123456789abcdef", nil)
		}, 401, postapi.RuleUnknown},
		{"another key", func(r *http.Request) {
			postapi.Sign(r.Header, otherKey, "T0001", "GET", postapi.PathAcks, p.now, "0123456789abcdef0123456789abcde0", nil)
		}, 401, postapi.RuleSignature},
		{"path changed on the way", func(r *http.Request) { r.URL.RawQuery = "after=2026-11-20" }, 401, postapi.RuleSignature},
		{"an hour slow", func(r *http.Request) {
			postapi.Sign(r.Header, stationKey, "T0001", "GET", postapi.PathAcks, p.now.Add(-time.Hour), "0123456789abcdef0123456789abcde1", nil)
		}, 401, postapi.RuleStale},
		{"bad time", func(r *http.Request) { r.Header.Set(postapi.HeaderTime, "2026-11-23 02:00:00") }, 401, postapi.RuleHeaders},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, r := p.raw("GET", postapi.PathAcks, nil, c.change)
			if status != c.status || r.Error == nil || r.Error.Rule != c.rule || r.Error.ZH == "" {
				t.Errorf("got %d %+v, want %d %s", status, r.Error, c.status, c.rule)
			}
		})
	}
	t.Run("replayed", func(t *testing.T) {
		var saved http.Header
		status, _ := p.raw("GET", postapi.PathAcks, nil, func(r *http.Request) { saved = r.Header.Clone() })
		if status != 200 {
			t.Fatalf("first: %d", status)
		}
		status, r := p.raw("GET", postapi.PathAcks, nil, func(r *http.Request) { r.Header = saved })
		if status != 401 || r.Error == nil || r.Error.Rule != postapi.RuleReplayed {
			t.Errorf("again: %d %+v", status, r.Error)
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), postapi.MaxBody+1)
		status, r := p.raw("POST", postapi.PathDays, big, nil)
		if status != 413 || r.Error == nil || r.Error.Rule != postapi.RuleTooLarge {
			t.Errorf("got %d %+v", status, r.Error)
		}
	})
	t.Run("another station's file", func(t *testing.T) {
		key, _ := keyfile.VerifierKey("T0002", otherKey.Public().(ed25519.PublicKey))
		p.registry(t, func(r *registry.Registry) error {
			_, err := r.Enrol(t.Context(), registry.Enrolment{Station: "T0002", Key: key, Franchisee: "李四",
				Deposit: decimal.RequireFromString("1000.00"), Tariff: "DEMO-2026-11"})
			return err
		})
		c := *p.client
		c.Station, c.Key = "T0002", otherKey
		_, err := c.Upload(context.Background(), day1)
		var pe *postapi.Error
		if !errors.As(err, &pe) || pe.Rule != "other_station" {
			t.Errorf("T0002 sending T0001's file: %v", err)
		}
	})
	t.Run("retired", func(t *testing.T) {
		p.registry(t, func(r *registry.Registry) error {
			_, err := r.Retire(t.Context(), "T0002", p.office.Signer)
			return err
		})
		c := *p.client
		c.Station, c.Key = "T0002", otherKey
		_, err := c.Acks(context.Background(), "")
		var pe *postapi.Error
		if !errors.As(err, &pe) || pe.Rule != postapi.RuleRetired || pe.Status != 403 {
			t.Errorf("a retired station: %v", err)
		}
	})
	if seq := p.lastSeq(t); seq != 0 {
		t.Errorf("refused requests changed the registry: last entry %d", seq)
	}
}

// A man in the middle cannot forge an answer: the client refuses an
// answer not signed by its post office, or signed for another request.
func TestForgedAnswerRefused(t *testing.T) {
	p := serve(t)
	_, otherV, _ := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	v, _ := note.NewVerifier(otherV)
	c := *p.client
	c.PostOffice = v
	if _, err := c.Upload(context.Background(), scenario(t, "intact-day1.bms")); !errors.Is(err, postapi.ErrForgedAnswer) {
		t.Errorf("an answer signed by another post office: %v", err)
	}
	// A proxy that replays an old answer to a new request.
	var last *http.Response
	var lastBody []byte
	c = *p.client
	c.HTTP = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		if last != nil {
			return &http.Response{StatusCode: last.StatusCode, Header: last.Header, Body: io.NopCloser(bytes.NewReader(lastBody)), Request: r}, nil
		}
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		lastBody, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		last = resp
		return &http.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(lastBody)), Request: r}, nil
	})}
	if _, err := c.Acks(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Acks(context.Background(), ""); !errors.Is(err, postapi.ErrForgedAnswer) {
		t.Errorf("an old answer replayed to a new request: %v", err)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// While a postoffice command holds the registry, a station is told the
// post office is busy and to send again later; nothing is lost.
func TestBusyWhileACommandHoldsTheRegistry(t *testing.T) {
	p := serve(t)
	r, err := registry.Open(filepath.Join(p.office.Dir, office.RegistryFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.client.Upload(context.Background(), scenario(t, "intact-day1.bms"))
	var pe *postapi.Error
	if !errors.As(err, &pe) || pe.Rule != postapi.RuleBusy || pe.Status != http.StatusServiceUnavailable {
		t.Errorf("upload while the registry is held: %v", err)
	}
	r.Close()
	if out, err := p.client.Upload(context.Background(), scenario(t, "intact-day1.bms")); err != nil || out.Result != postapi.Accepted {
		t.Errorf("upload once the command is done: %+v, %v", out, err)
	}
}

// A station sees its own month: the statement's figures, and only its
// own exceptions, each saying what to do and by when.
func TestResultsAreTheStationsOwn(t *testing.T) {
	p := serve(t)
	ctx := context.Background()
	for _, name := range []string{"intact-day1.bms", "intact-day2.bms", "intact-day3.bms"} {
		if out, err := p.client.Upload(ctx, scenario(t, name)); err != nil || out.Result != postapi.Accepted {
			t.Fatalf("%s: %+v, %v", name, out, err)
		}
	}
	rep := &reconcile.Report{Date: "2026-11-21", Exceptions: []reconcile.Exception{
		{Kind: reconcile.AmountMismatch, Station: "T0001", Trace: "T0001-000007", Service: "withdrawal", StationAmount: "500.00", HostAmount: "50.00"},
		{Kind: reconcile.NoFile, Station: "T0002", Trace: "T0002-000003", Service: "topup"},
	}}
	if _, err := p.office.SaveReconciliation(ctx, rep, ""); err != nil {
		t.Fatal(err)
	}

	res, err := p.client.Results(ctx, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	var st statement.Statement
	p.registry(t, func(r *registry.Registry) (err error) {
		s, err := statement.Build(t.Context(), r, "T0001", "2026-11")
		st = *s
		return err
	})
	if res.Statement.Days != 3 || len(res.Statement.Daily) != 3 || res.Statement.Commission != money.FormatWire(st.Commission) ||
		res.Statement.DepositBalance != money.FormatWire(st.DepositBalance()) {
		t.Errorf("statement %+v, the post office's own says commission %s, deposit balance %s", res.Statement, st.Commission, st.DepositBalance())
	}
	if len(res.Exceptions) != 1 {
		t.Fatalf("exceptions %+v, want T0001's one", res.Exceptions)
	}
	ex := res.Exceptions[0]
	if ex.Trace != "T0001-000007" || !strings.Contains(ex.ZH, "¥500.00") || !strings.Contains(ex.ZH, "¥50.00") || ex.By != "2026-11-28" {
		t.Errorf("exception %+v", ex)
	}
	if _, err := p.client.Results(ctx, "2026-13"); err == nil {
		t.Error("month 2026-13 was answered")
	}
}

// A client that sends its headers and then the body slowly, or only half
// of it, is cut off: it cannot hold a connection.
func TestSlowRequestCutOff(t *testing.T) {
	p := serve(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nbianmin-settlement-v1\n", postapi.PathDays)
	conn.SetReadDeadline(time.Now().Add(time.Minute)) // far beyond the server's 2 s
	answer, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server still holds a half-sent request after a minute")
	}
	if len(answer) > 0 && !strings.Contains(string(answer), " 408 ") && !strings.Contains(string(answer), " 400 ") {
		t.Errorf("a half-sent request was answered:\n%s", answer)
	}
	if seq := p.lastSeq(t); seq != 0 {
		t.Errorf("a half-sent request changed the registry")
	}
}
