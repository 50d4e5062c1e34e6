package staffweb_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/postserver"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/staffweb"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// The station of settlement/testdata/scenarios: its key comes from the
// seed the settlement tests use.
var t1Key = ed25519.NewKeyFromSeed([]byte("settlement tests station seed 32"))

// Passwords of the test accounts.
const (
	clerkPassword   = "clerk password 1"
	managerPassword = "manager password 1"
)

// region is a post office served on 127.0.0.1 (station API and staff
// pages, as postoffice serve runs them) with:
//   - T0001: day 2026-11-20 accepted, 2026-11-22 held (11-21 missing);
//   - T0002: day 2026-11-20 accepted, then another 2026-11-20 (a fork);
//   - T0003: enrolled, nothing sent;
//   - staff alice (clerk) and bob (manager).
type region struct {
	t3     ed25519.PrivateKey // T0003's key
	url    string
	office *office.Office
	mu     sync.Mutex
	now    time.Time
}

// later moves the clock on.
func (g *region) later(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now = g.now.Add(d)
}

func scenario(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "settlement", "testdata", "scenarios", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stationDay is a first business day (2026-11-20) of a real station
// ledger: a float put in the drawer, then the day closed and signed.
func stationDay(t testing.TB, id string, key ed25519.PrivateKey, float int64) []byte {
	t.Helper()
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	clock := func() time.Time { now = now.Add(time.Minute); return now }
	dir := t.TempDir()
	s, err := ledger.Create(filepath.Join(dir, "ledger.db"), ledger.Genesis{Terminal: id, Name: "村便民服务站", Zone: "Asia/Shanghai"}, "init", key, &ledger.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := (&terminal.Drawer{Ledger: s}).In(terminal.CashMove{Operator: "OP1", Amount: decimal.NewFromInt(float), Reason: terminal.ReasonFloat, IdemKey: "f"}); err != nil {
		t.Fatal(err)
	}
	p, err := terminal.OpenPending(filepath.Join(dir, "pending.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	e, _, err := (&terminal.Days{Ledger: s, Pending: p}).Close(terminal.CloseRequest{Operator: "OP1"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := settlement.FromLedger(s, e.Seq, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Sign(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newKey(t testing.TB, id string) (ed25519.PrivateKey, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	vk, err := keyfile.VerifierKey(id, pub)
	if err != nil {
		t.Fatal(err)
	}
	return priv, vk
}

func serveRegion(t testing.TB) *region {
	t.Helper()
	// The stations were enrolled days before; the test runs on 23
	// November, 10:00 in China.
	g := &region{now: time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)}
	clock := func() time.Time { g.mu.Lock(); defer g.mu.Unlock(); return g.now }
	dir := t.TempDir()
	skey, vkey, err := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	g.office = &office.Office{Dir: dir, Signer: signer, Verifier: v, Now: clock}
	issued, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	k1, err := keyfile.VerifierKey("T0001", t1Key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	t2, k2 := newKey(t, "T0002")
	t3, k3 := newKey(t, "T0003")
	g.t3 = t3
	for i, e := range []registry.Enrolment{
		{Station: "T0001", Key: k1, Franchisee: "王秀英"},
		{Station: "T0002", Key: k2, Franchisee: "李建国"},
		{Station: "T0003", Key: k3, Franchisee: "张桂兰"},
	} {
		e.Deposit = decimal.RequireFromString("20000.00")
		tf := issued
		if i > 0 {
			tf, e.Tariff = nil, issued.Version
		}
		if _, err := g.office.Enrol(t.Context(), e, tf); err != nil {
			t.Fatal(err)
		}
	}
	g.later(5 * 24 * time.Hour)
	for _, a := range []struct{ id, name, role, pw string }{
		{"alice", "李丽", registry.Clerk, clerkPassword},
		{"bob", "赵强", registry.Manager, managerPassword},
	} {
		s, err := registry.NewStaff(a.id, a.name, a.role, a.pw, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.office.AddStaff(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct {
		data []byte
		want string
	}{
		{scenario(t, "intact-day1.bms"), registry.Accepted},
		{scenario(t, "intact-day3.bms"), registry.Held},
		{stationDay(t, "T0002", t2, 100), registry.Accepted},
		{stationDay(t, "T0002", t2, 200), registry.Fork},
	} {
		outs, err := g.office.Import(t.Context(), f.data)
		if err != nil || len(outs) == 0 || outs[0].Status != f.want {
			t.Fatalf("import: %+v, %v; want %s", outs, err, f.want)
		}
	}
	pages, err := staffweb.New(g.office, &staffweb.Options{Now: clock, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	srv := postserver.New(g.office, &postserver.Options{Now: clock, Logf: t.Logf, Pages: pages})
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
	g.url = "http://" + ln.Addr().String()
	return g
}

// journal is a host journal for 2026-11-20 with a trace of a station
// never enrolled and a withdrawal T0001 never asked for.
func journal() string {
	return strings.Join([]string{
		`{"time":"2026-11-20T02:00:00Z","event":"send","host":"bank","trace":"T0009-000002","terminal":"T0009","service":"withdrawal","status":"approved","code":"00","amount":"500.00"}`,
		`{"time":"2026-11-20T02:00:00Z","event":"send","host":"bank","trace":"T0001-000003","terminal":"T0001","service":"withdrawal","status":"approved","code":"00","amount":"800.00"}`,
	}, "\n") + "\n"
}

var _ http.Handler = (*staffweb.Server)(nil)
