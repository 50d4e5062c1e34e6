package web_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"github.com/villagepost/bianmin/web"
)

// Test data: a card that passes the Luhn check, the PIN the simulated bank
// takes for it, a resident ID with a good check digit, and the owner.
const (
	fuzzCard  = "6228480402564890018"
	fuzzPIN   = "739154"
	fuzzID    = "110101199003071233"
	fuzzOwner = "OP1"
	ownerPIN  = "258036"
)

// fakeStation is a web.Station over the real services (terminal, a ledger
// in a temporary directory, the in-process host simulator), without the
// command line's files: receipts are a few fixed bytes and every error is
// explained by its own text.
type fakeStation struct {
	ledger  *ledger.Store
	pending *terminal.Pending
	ops     *terminal.Operators
	link    *terminal.Link
	tariff  *tariff.Tariff
	days    *terminal.Days
	now     func() time.Time
}

var _ web.Station = (*fakeStation)(nil)

// fuzzClock is the station's clock: it starts on a Friday morning in
// Beijing and moves on a little at each reading.
type fuzzClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fuzzClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(50 * time.Millisecond)
	return c.t
}

func newFakeStation(tb testing.TB) *fakeStation {
	tb.Helper()
	clk := &fuzzClock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	dir := tb.TempDir()
	l, err := ledger.Create(filepath.Join(dir, "ledger.db"), ledger.Genesis{Terminal: "T0001", Name: "山前村便民服务站", Zone: "Asia/Shanghai"},
		"init", ed25519.NewKeyFromSeed(make([]byte, 32)), &ledger.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := terminal.OpenPending(filepath.Join(dir, "pending.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Close() })
	ops, err := terminal.OpenOperators(filepath.Join(dir, "operators.db"), clk.Now)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ops.Close() })
	if err := ops.Add(fuzzOwner, terminal.RoleOwner, ownerPIN, 1); err != nil {
		tb.Fatal(err)
	}
	sim, err := hostsim.Open("", &hostsim.Options{Now: clk.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sim.Close() })
	st := &fakeStation{ledger: l, pending: p, ops: ops, tariff: tf, now: clk.Now,
		link: &terminal.Link{Ledger: l, Host: sim, Pending: p, Terminal: "T0001", Timeout: 5 * time.Second, Retries: 2, Now: clk.Now}}
	st.days = &terminal.Days{Ledger: l, Pending: p, Tariff: tf.Version}
	sv := st.Services()
	if _, err := sv.Drawer.In(terminal.CashMove{Operator: fuzzOwner, Amount: decimal.New(200000, -2), Reason: terminal.ReasonFloat, IdemKey: "float"}); err != nil {
		tb.Fatal(err)
	}
	for _, it := range tf.Goods {
		if _, err := sv.Goods.StockIn(fuzzOwner, it.SKU, 20, "", "stock:"+it.SKU); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

func (st *fakeStation) Info() web.Info {
	return web.Info{ID: "T0001", Name: "山前村便民服务站", Zone: st.ledger.Zone()}
}

func (st *fakeStation) Authenticate(id, pinCode, from string) (terminal.Operator, error) {
	return st.ops.AuthenticateFrom(id, pinCode, from)
}

// fakePassphrase is the fake station's key passphrase.
const fakePassphrase = "fake station passphrase"

func (st *fakeStation) Unlock(id, passphrase string) (uint64, error) {
	if passphrase != fakePassphrase {
		return 0, errors.New("wrong passphrase")
	}
	return 0, st.ops.Unlock(id)
}

func (st *fakeStation) Operators() ([]terminal.Operator, error) { return st.ops.List() }

func (st *fakeStation) Services() web.Services {
	today := func() time.Time { return st.now().In(st.ledger.Zone()) }
	return web.Services{
		Cards:   &terminal.Cards{Link: st.link, Tariff: st.tariff, CardKey: []byte("0123456789abcdef0123456789abcdef")},
		Bills:   &terminal.Bills{Link: st.link, Tariff: st.tariff},
		Tickets: &terminal.Tickets{Link: st.link, Tariff: st.tariff, Today: today},
		Goods:   &terminal.Goods{Ledger: st.ledger, Tariff: st.tariff, Today: today},
		Drawer:  &terminal.Drawer{Ledger: st.ledger, LowCash: st.tariff.LowCash.Decimal},
		Voids:   &terminal.Voids{Link: st.link},
		Refunds: &terminal.Refunds{Ledger: st.ledger},
		Tariff:  st.tariff,

		Contributions: &terminal.Contributions{Link: st.link, Lookup: st.link.Host.(terminal.ContributionLookup), Tariff: st.tariff, Today: today},
		SIM:           &terminal.SIMCards{Link: st.link, Tariff: st.tariff, Today: today},
	}
}

func (st *fakeStation) Status() (web.Status, error) {
	sv := st.Services()
	cash, err := sv.Drawer.Cash()
	if err != nil {
		return web.Status{}, err
	}
	pending, err := st.pending.List()
	if err != nil {
		return web.Status{}, err
	}
	return web.Status{Day: st.ledger.CurrentDay(), Cash: cash, LowCash: sv.Drawer.Low(cash), Pending: len(pending), Network: web.NetUp}, nil
}

func (st *fakeStation) Pending() ([]terminal.PendingItem, error) { return st.pending.List() }

func (st *fakeStation) Day(day string, fn func(ledger.Entry) error) error {
	return st.ledger.Day(day, fn)
}

func (st *fakeStation) Days() ([]string, error) { return st.ledger.Days() }

func (st *fakeStation) Entries(fn func(ledger.Entry) error) error { return st.ledger.Range(1, 0, fn) }

func (st *fakeStation) Entry(seq uint64) (ledger.Entry, error) { return st.ledger.Get(seq) }

func (st *fakeStation) Report() (settlement.Close, error) { return st.days.Report() }

func (st *fakeStation) CloseDay(ctx context.Context, operator, approver string, counted decimal.Decimal, carry bool) (web.Closed, error) {
	e, figures, err := st.days.Close(terminal.CloseRequest{Operator: operator, Counted: &counted, Carry: carry})
	if err != nil {
		return web.Closed{}, err
	}
	return web.Closed{Entry: e, Figures: figures}, nil
}

func (st *fakeStation) Receipt(seq uint64, lang, operator string, mode web.ReceiptMode) ([]byte, error) {
	if _, err := st.ledger.Get(seq); err != nil {
		return nil, err
	}
	return []byte("%PDF-1.4 receipt\n"), nil
}

func (st *fakeStation) Export(w io.Writer, what, day string) (string, error) {
	return "ledger.journal", st.ledger.WriteHledger(w, 1, 0)
}

func (st *fakeStation) ReceiptText(seq uint64, lang string) (string, error) { return "", nil }

func (st *fakeStation) Explain(err error, lang string) string { return err.Error() }

// state is what a refused form must leave as it was.
type state struct {
	last    uint64
	pending int
}

func (st *fakeStation) state(t *testing.T) state {
	t.Helper()
	items, err := st.pending.List()
	if err != nil {
		t.Fatal(err)
	}
	return state{last: st.ledger.Last().Seq, pending: len(items)}
}

// counter is a browser signed in as the owner.
type counter struct {
	h    http.Handler
	jar  *cookiejar.Jar
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// do sends one request as the counter's browser does: for this machine's
// address, from the screen's own pages, with the session cookie.
func (c *counter) do(t testing.TB, method, path string, form url.Values) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	u, err := url.Parse("http://127.0.0.1" + path)
	if err != nil {
		return nil
	}
	r := httptest.NewRequest(method, "/", body)
	r.URL, r.RequestURI, r.Host = u, u.RequestURI(), u.Host
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range c.jar.Cookies(u) {
		r.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	res := w.Result()
	c.jar.SetCookies(u, res.Cookies())
	return res
}

// signedIn returns a browser at st's screen, signed in as the owner.
func signedIn(tb testing.TB, st *fakeStation) *counter {
	tb.Helper()
	srv, err := web.New(st, &web.Options{Now: st.now, Idle: 100 * 365 * 24 * time.Hour, Logf: func(string, ...any) {}})
	if err != nil {
		tb.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &counter{h: srv, jar: jar}
	csrf := func(path string) string {
		res := c.do(tb, http.MethodGet, path, nil)
		b, _ := io.ReadAll(res.Body)
		m := csrfField.FindSubmatch(b)
		if m == nil {
			tb.Fatalf("GET %s: %d, no CSRF token", path, res.StatusCode)
		}
		return string(m[1])
	}
	c.csrf = csrf("/signin")
	res := c.do(tb, http.MethodPost, "/signin", url.Values{"csrf": {c.csrf}, "operator": {fuzzOwner}, "pin": {ownerPIN}})
	if res.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(res.Body)
		tb.Fatalf("sign-in: %d %s", res.StatusCode, b)
	}
	c.csrf = csrf("/")
	return c
}

// fuzzForm is one of the shopkeeper's forms: where it is posted, whether
// it only checks (and so may never change the station), and how the
// fuzzer's strings fill its fields.
type fuzzForm struct {
	path  string // %s: the seq string
	check bool
	get   bool
	fill  func(in fuzzInput) url.Values
}

type fuzzInput struct {
	key, amount, card, account, qty, id, date, extra string
}

var fuzzForms = []fuzzForm{
	{"/withdraw/check", true, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "card": {in.card}, "amount": {in.amount}}
	}},
	{"/withdraw", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "card": {in.card}, "amount": {in.amount}, "pin": {in.extra}}
	}},
	{"/inquiry", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "card": {in.card}, "pin": {in.extra}}
	}},
	{"/bill/lookup", true, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "biller": {in.id}, "account": {in.account}}
	}},
	{"/bill/check", true, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "biller": {in.id}, "account": {in.account}, "amount": {in.amount}, "paid": {in.extra}}
	}},
	{"/bill", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "biller": {in.id}, "account": {in.account}, "amount": {in.amount}, "paid": {in.extra}}
	}},
	{"/topup/check", true, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "biller": {in.id}, "account": {in.account}, "amount": {in.amount}}
	}},
	{"/topup", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "biller": {in.id}, "account": {in.account}, "amount": {in.amount}, "paid": {in.extra}}
	}},
	{"/ticket/check", true, false, func(in fuzzInput) url.Values { return ticketForm(in) }},
	{"/ticket", false, false, func(in fuzzInput) url.Values { return ticketForm(in) }},
	{"/sell/check", true, false, func(in fuzzInput) url.Values { return saleForm(in) }},
	{"/sell", false, false, func(in fuzzInput) url.Values { return saleForm(in) }},
	{"/deliver", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "sale": {in.qty}, "received_by": {in.extra}}
	}},
	{"/cash/move", false, false, func(in fuzzInput) url.Values {
		return url.Values{"dir": {in.id}, "in_key": {in.key}, "out_key": {in.key}, "amount": {in.amount}, "reason": {in.account}, "note": {in.extra}}
	}},
	{"/cash/count", false, false, func(in fuzzInput) url.Values {
		return url.Values{"count_key": {in.key}, "counted": {in.amount}}
	}},
	{"/close/check", true, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "counted": {in.amount}}
	}},
	{"/close", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "counted": {in.amount}, "owner": {in.id}, "owner_pin": {in.extra}, "carry": {in.qty}}
	}},
	{"/void/%s", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "reason": {in.account}, "owner": {in.id}, "owner_pin": {in.extra}}
	}},
	{"/refund/%s", false, false, func(in fuzzInput) url.Values { return url.Values{"key": {in.key}} }},
	{"/tickets/cancel", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "order": {in.qty}, "sure": {in.extra}}
	}},
	{"/receipt/%s/reprint", false, false, func(in fuzzInput) url.Values { return url.Values{"key": {in.key}} }},
	{"/lang", true, false, func(in fuzzInput) url.Values { return url.Values{"lang": {in.extra}, "back": {in.date}} }},
	{"/journal?day=%s", true, true, nil},
	{"/void/%s", true, true, nil},
	{"/receipt/%s", true, true, nil},
	{"/done/%s", true, true, nil},
	{"/contribute/check", true, false, func(in fuzzInput) url.Values { return householdForm(in) }},
	{"/contribute", false, false, func(in fuzzInput) url.Values { return householdForm(in) }},
	{"/contribute/row", true, false, func(in fuzzInput) url.Values { return householdForm(in) }},
	{"/contribute/edit", true, false, func(in fuzzInput) url.Values { return householdForm(in) }},
	{"/sim/receive", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "plan": {in.id}, "cards": {in.card}, "note": {in.extra}}
	}},
	{"/sim/sell/check", true, false, func(in fuzzInput) url.Values { return simForm(in) }},
	{"/sim/sell", false, false, func(in fuzzInput) url.Values { return simForm(in) }},
	{"/sim/return", false, false, func(in fuzzInput) url.Values {
		return url.Values{"key": {in.key}, "number": {in.account}, "sure": {in.qty}, "note": {in.extra}}
	}},
}

func simForm(in fuzzInput) url.Values {
	return url.Values{"key": {in.key}, "number": {in.account}, "buyer": {in.extra}, "id": {in.id}}
}

func ticketForm(in fuzzInput) url.Values {
	return url.Values{"key": {in.key}, "carrier": {in.account}, "passenger": {in.extra}, "id": {in.id}, "from": {"信阳"}, "to": {"郑州东"},
		"date": {in.date}, "class": {in.qty}, "fare": {in.amount}}
}

// householdForm is a household of two: the fuzzer's member first (its
// rows count, scheme and grade too), a member the demo host takes second.
func householdForm(in fuzzInput) url.Values {
	return url.Values{"key": {in.key}, "head": {in.account}, "rows": {in.qty}, "name1": {in.extra}, "id1": {in.id}, "scheme1": {in.card},
		"grade1": {in.amount}, "name2": {"李秀兰"}, "id2": {"411523198203159069"}, "scheme2": {"medical"}, "grade2": {in.date}}
}

func saleForm(in fuzzInput) url.Values {
	return url.Values{"key": {in.key}, "qty_FERT-UREA-50KG": {in.qty}, "qty_DAILY-SOAP": {in.account}, "paid": {in.amount},
		"deliver_to": {in.extra}, "promised": {in.date}}
}

// FuzzForms drives the shop's screen with whatever the fuzzer types into
// its forms (amounts, card, account, quantity, ID, dates, idempotency
// keys, PINs), signed in as the owner with a valid CSRF token, over the
// real services, ledger and host simulator. It checks that the screen
// never answers 5xx; that a form that only checks, a page that is only
// shown, and any form that is refused (answered with a page rather than a
// redirect to its outcome) leave the ledger and the queue as they were;
// and that the same form sent twice (a double click, a reload) never
// records anything the second time.
func FuzzForms(f *testing.F) {
	st := newFakeStation(f)
	c := signedIn(f, st)
	for _, s := range []struct {
		form uint8
		in   fuzzInput
	}{
		{0, fuzzInput{key: "k1", amount: "500", card: fuzzCard}},
		{1, fuzzInput{key: "k2", amount: "500.00", card: fuzzCard, extra: fuzzPIN}},
		{1, fuzzInput{key: "k3", amount: "１２３.５０", card: "6228 4804 0256 4890 018", extra: fuzzPIN}},
		{1, fuzzInput{key: "k4", amount: "1e3", card: fuzzCard, extra: "000000"}},
		{2, fuzzInput{key: "k5", card: fuzzCard, extra: fuzzPIN}},
		{3, fuzzInput{key: "k6", id: "state-grid", account: "5100123456"}},
		{5, fuzzInput{key: "k7", id: "state-grid", account: "5100123456", amount: "86.40", extra: "100"}},
		{7, fuzzInput{key: "k8", id: "china-mobile", account: "13800138000", amount: "50"}},
		{9, fuzzInput{key: "k9", account: "rail", extra: "张三", id: fuzzID, date: "2026-11-25", qty: "二等座", amount: "120.00"}},
		{9, fuzzInput{key: "k10", account: "air", extra: "李四", id: "11010119900307123X", date: "2026-02-30", qty: "经济舱", amount: "800"}},
		{11, fuzzInput{key: "k11", qty: "2", account: "1", amount: "300", extra: "村东头王家", date: "2026-11-21"}},
		{11, fuzzInput{key: "k12", qty: "-1", account: "9223372036854775808"}},
		{12, fuzzInput{key: "k13", qty: "5", extra: "王五"}},
		{13, fuzzInput{key: "k14", id: "out", account: "courier", amount: "100", extra: "邮递员"}},
		{14, fuzzInput{key: "k15", amount: "0"}},
		{16, fuzzInput{key: "k16", amount: "2000", id: fuzzOwner, extra: ownerPIN, qty: "1"}},
		{17, fuzzInput{key: "k17", qty: "5", account: "顾客不要了", id: fuzzOwner, extra: ownerPIN}},
		{18, fuzzInput{key: "k18", qty: "3"}},
		{19, fuzzInput{key: "k19", qty: "4", extra: "1"}},
		{20, fuzzInput{key: "k20", qty: "2"}},
		{21, fuzzInput{extra: "en", date: "//example.com"}},
		{22, fuzzInput{qty: "2026-11-20"}},
		{23, fuzzInput{qty: "99999999999999999999"}},
		{25, fuzzInput{qty: "%2e%2e"}},
		{26, fuzzInput{key: "k26", account: "王建国", qty: "2", extra: "王建国", id: "411523198001011234", card: "pension", amount: "300.00"}},
		{27, fuzzInput{key: "k27", qty: "2", extra: "赵四", id: "411523198501019996", card: "medical"}},
		{27, fuzzInput{key: "k28", qty: "12", extra: "王建国", id: "411523198001011235", card: "医保", amount: "1e9", date: "400"}},
		{28, fuzzInput{key: "k29", qty: "-3", extra: "\x00", card: "x"}},
		{29, fuzzInput{key: "k30", qty: "99999999999999999999"}},
		{30, fuzzInput{key: "k35", id: "cmcc-39", card: "89860012345678901238,13812345670\n89860012345678901246，13812345671", extra: "移动交接单0007"}},
		{30, fuzzInput{key: "k36", id: "cmcc-39", card: "89860012345678901239,13812345679"}},
		{31, fuzzInput{key: "k37", account: "13812345670", extra: "王秀英", id: fuzzID}},
		{32, fuzzInput{key: "k38", account: "13812345670", extra: "王秀英", id: fuzzID}},
		{32, fuzzInput{key: "k39", account: "13812345671", extra: "李四", id: "411523198001010004"}},
		{33, fuzzInput{key: "k40", account: "13812345671", qty: "1"}},
	} {
		in := s.in
		f.Add(s.form, in.key, in.amount, in.card, in.account, in.qty, in.id, in.date, in.extra)
	}
	f.Fuzz(func(t *testing.T, which uint8, key, amount, card, account, qty, id, date, extra string) {
		form := fuzzForms[int(which)%len(fuzzForms)]
		in := fuzzInput{fuzzKey(key), amount, card, account, qty, id, date, extra}
		path := strings.Replace(form.path, "%s", url.PathEscape(qty), 1)
		if _, err := url.ParseRequestURI(path); err != nil {
			return
		}
		var values url.Values
		method := http.MethodGet
		if !form.get {
			method = http.MethodPost
			values = form.fill(in)
			values.Set("csrf", c.csrf)
		}
		before := st.state(t)
		res := c.do(t, method, path, values)
		if res == nil {
			return
		}
		if res.StatusCode >= 500 {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("%s %s %v: %d %s", method, path, values, res.StatusCode, b)
		}
		after := st.state(t)
		loc := res.Header.Get("Location")
		outcome := res.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/done/")
		if (form.check || !outcome) && after != before {
			t.Fatalf("%s %s %v answered %d (%s) but the station changed: %+v → %+v", method, path, values, res.StatusCode, loc, before, after)
		}
		if outcome {
			if done := c.do(t, http.MethodGet, loc, nil); done == nil || done.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: the outcome %s does not show", method, path, loc)
			}
		}
		if form.get {
			return
		}
		again := c.do(t, method, path, values)
		if again != nil && again.StatusCode >= 500 {
			t.Fatalf("%s %s %v sent twice: %d", method, path, values, again.StatusCode)
		}
		if twice := st.state(t); twice != after {
			t.Fatalf("%s %s %v sent twice changed the station again: %+v → %+v", method, path, values, after, twice)
		}
	})
}

// TestFakeStationSells checks that the fuzz target's station takes a
// valid form, so that FuzzForms reaches what the services record.
func TestFakeStationSells(t *testing.T) {
	st := newFakeStation(t)
	c := signedIn(t, st)
	before := st.state(t)
	res := c.do(t, http.MethodPost, "/cash/move", url.Values{"csrf": {c.csrf}, "dir": {"in"}, "in_key": {fuzzKey("x1")}, "amount": {"50"}, "reason": {terminal.ReasonOwner}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/done/") {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("cash in: %d %s", res.StatusCode, b)
	}
	if after := st.state(t); after.last != before.last+1 {
		t.Fatalf("cash in recorded %+v → %+v", before, after)
	}
}

// fuzzKey turns the fuzzer's key into one the server gives its forms (48
// hex digits), so that the fuzzer's inputs reach the handlers; a key
// starting with "!" is sent as it is after the "!", to check that a key
// the server could not have given is refused.
func fuzzKey(key string) string {
	if raw, ok := strings.CutPrefix(key, "!"); ok {
		return raw
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:24])
}
