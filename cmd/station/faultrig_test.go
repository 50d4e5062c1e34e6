package main

// The in-process half of the fault matrix (faultmatrix_test.go): the real
// terminal services over a real ledger file and pending store, talking to
// the host simulator over HTTP on 127.0.0.1, with every durable write and
// every host call passing a hook that can stop the "process" there (a
// crash: nothing after it happens, what was written stays) or fail the
// write as a full disk would.

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/villagepost/bianmin/hostproto"
	"github.com/villagepost/bianmin/shopfront"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/simcard"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// crasher decides, hook by hook, whether the station dies there (crashAt,
// counted over every hook) or whether a durable write fails with ENOSPC
// (fullAt, counted over durable writes). A nil crasher does nothing.
type crasher struct {
	mu      sync.Mutex
	crashAt int    // the hook to die at; -1: never
	crashOn string // or the first hook of this name, if set
	fullAt  int    // the durable write that finds the disk full; -1: never
	hooks   []string
	writes  []string
	added   map[string]int // kinds of the entries that reached the ledger
	dead    bool
}

func newCrasher(crashAt, fullAt int) *crasher {
	return &crasher{crashAt: crashAt, fullAt: fullAt, added: map[string]int{}}
}

// hook is a point where the process may die. Dying is runtime.Goexit: the
// flow's goroutine stops at once, its deferred unlocks run, and nothing
// else it would have done happens. Once dead, every later hook dies too.
func (c *crasher) hook(what string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	n := len(c.hooks)
	c.hooks = append(c.hooks, what)
	die := c.dead || n == c.crashAt || (c.crashOn != "" && what == c.crashOn)
	c.dead = die
	c.mu.Unlock()
	if die {
		runtime.Goexit()
	}
}

// write is called before a durable write: a crash point, then maybe a
// full disk.
func (c *crasher) write(what string) error {
	if c == nil {
		return nil
	}
	c.hook("before " + what)
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.writes)
	c.writes = append(c.writes, what)
	if n == c.fullAt {
		return &os.PathError{Op: "write", Path: what, Err: syscall.ENOSPC}
	}
	return nil
}

func (c *crasher) appended(kind string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.added[kind]++
	c.mu.Unlock()
}

// faultLedger is the station's ledger with its appends passing the crasher.
type faultLedger struct {
	*ledger.Store
	c *crasher
}

var _ terminal.DayLedger = (*faultLedger)(nil)

func (l *faultLedger) Append(d ledger.Draft) (ledger.Entry, bool, error) {
	if err := l.c.write("append " + d.Kind); err != nil {
		return ledger.Entry{}, false, fmt.Errorf("ledger: append: %w", err)
	}
	e, added, err := l.Store.Append(d)
	if err == nil && added {
		l.c.appended(d.Kind)
	}
	l.c.hook("after append " + d.Kind)
	return e, added, err
}

// Prepare is the intent's first step (one sync): a durable write.
func (l *faultLedger) Prepare(d ledger.Draft) (ledger.Entry, bool, error) {
	if err := l.c.write("prepare " + d.Kind); err != nil {
		return ledger.Entry{}, false, fmt.Errorf("ledger: prepare: %w", err)
	}
	e, added, err := l.Store.Prepare(d)
	l.c.hook("after prepare " + d.Kind)
	return e, added, err
}

// CommitPrepared records the prepared intent with its outcome: a durable
// write.
func (l *faultLedger) CommitPrepared(ds ...ledger.Draft) ([]ledger.Entry, error) {
	kind := "intent alone"
	if len(ds) > 0 {
		kind = ds[0].Kind
	}
	if err := l.c.write("append " + kind); err != nil {
		return nil, fmt.Errorf("ledger: append: %w", err)
	}
	out, err := l.Store.CommitPrepared(ds...)
	if err == nil {
		l.c.appended("intent")
		for _, d := range ds {
			l.c.appended(d.Kind)
		}
	}
	l.c.hook("after append " + kind)
	return out, err
}

// faultHost is the hosts with every call passing the crasher: dying before
// a call means the request never left; dying after it means the host did
// what it did and the answer was never read.
type faultHost struct {
	terminal.Host
	c *crasher
}

func (h *faultHost) Send(ctx context.Context, r terminal.HostRequest) (terminal.HostReply, error) {
	h.c.hook("send " + r.Service)
	rep, err := h.Host.Send(ctx, r)
	h.c.hook("after send " + r.Service)
	return rep, err
}

func (h *faultHost) Status(ctx context.Context, trace string) (terminal.HostReply, error) {
	h.c.hook("status")
	rep, err := h.Host.Status(ctx, trace)
	h.c.hook("after status")
	return rep, err
}

func (h *faultHost) Reverse(ctx context.Context, trace string) (terminal.HostReply, error) {
	h.c.hook("reverse")
	rep, err := h.Host.Reverse(ctx, trace)
	h.c.hook("after reverse")
	return rep, err
}

func (h *faultHost) LookupBill(ctx context.Context, biller, account string) (terminal.Bill, error) {
	h.c.hook("lookup")
	b, err := h.Host.LookupBill(ctx, biller, account)
	h.c.hook("after lookup")
	return b, err
}

// faultWorld is one station's files and its hosts. The hosts live on when the
// station dies.
type faultWorld struct {
	t       *testing.T
	dir     string
	key     ed25519.PrivateKey
	tariff  *tariff.Tariff
	sim     *hostsim.Sim
	url     string
	journal string
	queued  uint64 // the void flow: the queued payment's entry
}

// Timeouts of the station's host calls: long enough that a loaded machine
// never times out by accident, and short where a timeout is the fault.
const (
	hostTimeout      = 20 * time.Second
	shortHostTimeout = 300 * time.Millisecond
)

func newFaultWorld(t *testing.T, tf *tariff.Tariff) *faultWorld {
	t.Helper()
	dir := t.TempDir()
	w := &faultWorld{t: t, dir: dir, key: ed25519.NewKeyFromSeed(make([]byte, 32)), tariff: tf, journal: filepath.Join(dir, "host-journal.jsonl")}
	s, err := ledger.Create(filepath.Join(dir, shopfront.LedgerFile), ledger.Genesis{Terminal: "T0001", Name: "故障矩阵站", Zone: "Asia/Shanghai"}, "init", w.key, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if w.sim, err = hostsim.Open(w.journal, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hostsim.NewHandler(w.sim)) // 127.0.0.1
	w.url = srv.URL
	t.Cleanup(func() {
		w.sim.Close() // ends any call still waiting
		srv.Close()
	})
	return w
}

// faultProc is the station program running on a faultWorld's files.
type faultProc struct {
	w       *faultWorld
	store   *ledger.Store
	led     *faultLedger
	pending *terminal.Pending
	link    *terminal.Link
	cards   *terminal.Cards
	bills   *terminal.Bills
	tickets *terminal.Tickets
	insure  *terminal.Insurance
	sims    *terminal.SIMCards
	contrib *terminal.Contributions
	goods   *terminal.Goods
	voids   *terminal.Voids
	days    *terminal.Days
	drawer  *terminal.Drawer
}

// start opens the station's files as the program does.
func (w *faultWorld) start(c *crasher, timeout time.Duration) *faultProc {
	w.t.Helper()
	s, err := ledger.Open(filepath.Join(w.dir, shopfront.LedgerFile), nil)
	if err != nil {
		w.t.Fatalf("open the ledger: %v", err)
	}
	if err := s.SetSigner(w.key); err != nil {
		w.t.Fatal(err)
	}
	pending, err := terminal.OpenPending(filepath.Join(w.dir, shopfront.PendingFile))
	if err != nil {
		s.Close()
		w.t.Fatalf("open the pending store: %v", err)
	}
	if c != nil {
		pending.BeforeWrite = func(op string, _ uint64) error { return c.write("pending " + op) }
	}
	led := &faultLedger{Store: s, c: c}
	var host terminal.Host = &hostproto.Client{BaseURL: w.url}
	if c != nil {
		host = &faultHost{Host: host, c: c}
	}
	link := &terminal.Link{Ledger: led, Host: host, Pending: pending, Terminal: "T0001", Timeout: timeout, Retries: 2, Now: time.Now}
	today := func() time.Time { return time.Now().In(s.Zone()) }
	return &faultProc{
		w: w, store: s, led: led, pending: pending, link: link,
		cards:   &terminal.Cards{Link: link, Tariff: w.tariff, CardKey: []byte("0123456789abcdef0123456789abcdef")},
		bills:   &terminal.Bills{Link: link, Tariff: w.tariff},
		tickets: &terminal.Tickets{Link: link, Tariff: w.tariff, Today: today},
		insure:  &terminal.Insurance{Link: link, Tariff: w.tariff, Today: today},
		sims:    &terminal.SIMCards{Link: link, Tariff: w.tariff, Today: today},
		contrib: &terminal.Contributions{Link: link, Lookup: &hostproto.Client{BaseURL: w.url}, Tariff: w.tariff, Today: today},
		goods:   &terminal.Goods{Ledger: led, Tariff: w.tariff, Today: today},
		voids:   &terminal.Voids{Link: link},
		days:    &terminal.Days{Ledger: led, Pending: pending, Tariff: w.tariff.Version},
		drawer:  &terminal.Drawer{Ledger: led},
	}
}

// stop closes the files. After a crash this is what the kernel does for a
// killed process: the locks go, what was committed stays.
func (p *faultProc) stop() {
	p.pending.Close()
	p.store.Close()
}

// faults puts faults in force at the hosts ("" clears them).
func (w *faultWorld) faults(specs ...string) {
	w.t.Helper()
	var fs []hostsim.Fault
	for _, s := range specs {
		if s == "" {
			continue
		}
		f, err := hostsim.ParseFault(s)
		if err != nil {
			w.t.Fatal(err)
		}
		fs = append(fs, f)
	}
	if err := w.sim.SetFaults(fs...); err != nil {
		w.t.Fatal(err)
	}
}

// run runs fn as the station's process would: in its own goroutine, which
// a crash ends. crashed says it did not return.
func runFlow(fn func() (string, error)) (told string, err error, crashed bool) {
	done := make(chan struct{})
	returned := false
	go func() {
		defer close(done)
		told, err = fn()
		returned = true
	}()
	<-done
	return told, err, !returned
}

// hostWord is the host's final word on each trace: the status of the
// journal's last line for it, and whether the request came from the
// offline queue.
type hostWord struct {
	Status  string
	Service string
	Queued  bool
	Amount  string
}

func (w *faultWorld) hostWords() map[string]hostWord { return hostWordsIn(w.t, w.journal) }

// hostWordsIn reads the final words from the host journal at path.
func hostWordsIn(t *testing.T, path string) map[string]hostWord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]hostWord{}
	err = hostsim.ReadJournal(f, func(_ int, l hostsim.JournalLine) error {
		hw := out[l.Trace]
		hw.Status = l.Status
		if l.Service != "" {
			hw.Service = l.Service
		}
		if l.Event == hostsim.EventSend {
			hw.Queued = l.Queued
			hw.Amount = l.Amount
		}
		out[l.Trace] = hw
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// faultBook adds signed amounts (debit positive) to a model of the balances.
type faultBook map[ledger.Account]decimal.Decimal

func (b faultBook) add(account string, amount decimal.Decimal) {
	b.addUnits(account, ledger.Currency, amount)
}

func (b faultBook) addUnits(account, commodity string, amount decimal.Decimal) {
	k := ledger.Account{Name: account, Commodity: commodity}
	b[k] = b[k].Add(amount)
}

// diff lists where the ledger's balances differ from the model.
func (b faultBook) diff(got ledger.Balances) []string {
	var out []string
	seen := map[ledger.Account]bool{}
	for k, v := range got {
		seen[k] = true
		if want := b[k]; !want.Equal(v) {
			out = append(out, fmt.Sprintf("%s %s = %s, the model says %s", k.Name, k.Commodity, v.StringFixed(2), want.StringFixed(2)))
		}
	}
	for k, v := range b {
		if !seen[k] && !v.IsZero() {
			out = append(out, fmt.Sprintf("%s %s = 0, the model says %s", k.Name, k.Commodity, v.StringFixed(2)))
		}
	}
	sort.Strings(out)
	return out
}

// stationWord says, per trace, what the station's ledger holds: "done" when
// an entry completes the request (the money moved), else the kind of the
// last entry about it.
func stationWord(s *ledger.Store) (map[string]string, error) {
	out := map[string]string{}
	held := map[uint64]string{} // entry of a queued payment -> its trace
	err := s.Range(1, 0, func(e ledger.Entry) error {
		if e.Kind == terminal.KindIntent {
			out[fmt.Sprintf("T0001-%06d", e.Seq)] = terminal.KindIntent
			return nil
		}
		var p struct {
			Trace    string `json:"trace"`
			Status   string `json:"status"`
			Original uint64 `json:"original"`
		}
		if json.Unmarshal(e.Payload, &p) != nil {
			return nil
		}
		if e.Kind == terminal.KindVoid {
			if trace, ok := held[p.Original]; ok {
				out[trace] = terminal.KindVoid
			}
			return nil
		}
		if p.Trace == "" {
			return nil
		}
		switch {
		case e.Kind == terminal.SvcWithdrawal, e.Kind == terminal.KindConfirmed, e.Kind == terminal.KindIssued,
			(e.Kind == terminal.SvcBillPayment || e.Kind == terminal.SvcTopup) && p.Status == "paid",
			e.Kind == terminal.SvcTicketOrder && p.Status == terminal.TicketIssued,
			e.Kind == terminal.SvcPolicyIssue, e.Kind == terminal.SvcSIMSale, e.Kind == terminal.SvcContribution:
			out[p.Trace] = "done"
		case e.Kind == terminal.SvcBillPayment && p.Status == "queued":
			held[e.Seq] = p.Trace
			out[p.Trace] = "queued"
		default:
			out[p.Trace] = e.Kind
		}
		return nil
	})
	return out, err
}

func fmDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// faultKeys returns the keys of m in order.
func faultKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG)
}

// shanghai is the fault worlds' zone (UTC+8, no summer time).
var shanghai = time.FixedZone("CST", 8*3600)

// receiveCard puts the matrix's one phone-number card in stock, as the
// carrier's consignment does.
func receiveCard(p *faultProc) error {
	card, err := simcard.Parse(simCard)
	if err != nil {
		return err
	}
	_, err = p.sims.Receive("OP1", simPlan, []simcard.Card{card}, "", "sim-stock")
	return err
}
