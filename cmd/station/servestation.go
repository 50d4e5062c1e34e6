package main

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
	m       *Main
	Counter *Counter
	demo    bool
	net     *watchHost
	post    *PostLink // nil: no post office address is known

	// tariffMu guards c.tariff, which the post office link replaces
	// when it loads a newer tariff while the screen serves.
	tariffMu sync.Mutex
}

// reloadTariff prices from now on by the tariff the station holds (the
// post office link has just loaded it). The hosts' timeout and retries
// stay those of the start until the next start.
func (d *Desk) reloadTariff() error {
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

// say returns a Main that speaks lang, for messages and receipts.
func (d *Desk) say(lang string) *Main {
	mm := *d.m
	mm.lang = langFrom(lang)
	mm.screen = true
	return &mm
}

func (d *Desk) Info() web.Info {
	g := d.Counter.Ledger.Genesis()
	return web.Info{ID: g.Terminal, Name: g.Name, Zone: d.Counter.Ledger.Zone(), Demo: d.demo}
}

func (d *Desk) Authenticate(id, pinCode, from string) (terminal.Operator, error) {
	op, err := d.Counter.Ops.AuthenticateFrom(id, pinCode, from)
	return op, lockedIn(err, d.Counter.Ledger.Zone())
}

// Unlock lifts every lockout of operator id when passphrase opens the
// station key, and records the unlock in the ledger.
func (d *Desk) Unlock(id, passphrase string) (uint64, error) {
	if _, err := keyfile.Open(d.Counter.Folder.Path(keyFile), []byte(passphrase), d.Counter.Ledger.Genesis().Terminal); err != nil {
		return 0, err
	}
	e, err := d.Counter.Folder.UnlockOperator(id, "screen")
	return e.Seq, err
}

func (d *Desk) Operators() ([]terminal.Operator, error) { return d.Counter.Ops.List() }

func (d *Desk) Services() web.Services {
	d.tariffMu.Lock()
	defer d.tariffMu.Unlock()
	c, m := d.Counter, d.m
	zone := c.Ledger.Zone()
	today := func() time.Time { return m.Now().In(zone) }
	return web.Services{
		Cards:     c.Cards(),
		Bills:     c.Bills(),
		Tickets:   c.Tickets(m),
		Insurance: c.Insurance(m),
		Goods:     &terminal.Goods{Ledger: c.Ledger, Tariff: c.Tariff, Today: today},
		Drawer:    &terminal.Drawer{Ledger: c.Ledger, LowCash: c.Tariff.LowCash.Decimal},
		Voids:     &terminal.Voids{Link: c.Link},
		Refunds:   &terminal.Refunds{Ledger: c.Ledger},
		Tariff:    c.Tariff,
		Disputes:  c.LinkedDisputes(),

		Contributions: c.Contributions(m),
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
	files, err := d.m.writeDay(d.Counter.Folder, e)
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
	m := d.say(lang)
	mm, err := m.paper()
	if err != nil {
		return "", err
	}
	cols, err := receipts.ColsFor(mm)
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
	m := d.say(lang)
	mm, err := m.paper()
	if err != nil {
		return nil, err
	}
	r, err := d.Counter.Receipt(seq)
	if err != nil {
		return nil, err
	}
	switch mode {
	case web.ReceiptIssue:
		path, err := m.issue(d.Counter.Folder, r, fmt.Sprintf("%06d.pdf", seq), mm)
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
		path, err := m.issue(d.Counter.Folder, r, fmt.Sprintf("%06d-reprint-%d.pdf", seq, rp.Count), mm)
		if err != nil {
			return nil, err
		}
		return os.ReadFile(path)
	}
	return m.pdfOf(r, mm)
}

// Explain says what err means for the shopkeeper, in the screen's words:
// no Go error text and no internal names reach a page; the server's log
// keeps err whole.
func (d *Desk) Explain(err error, lang string) string {
	m := d.say(lang)
	var u *usageError
	if errors.As(err, &u) {
		return m.say(u.zh, u.en)
	}
	msg, _ := m.explain(err)
	fmt.Fprintf(d.m.Stderr, "screen: refused: %v\n", err)
	if internalText.MatchString(msg) {
		fmt.Fprintf(d.m.Stderr, "screen: the words for this error named internals, shown plainly instead: %q\n", msg)
		msg, _ = m.explain(errors.New("")) // the plain words for an unknown error
	}
	return msg
}

// internalText finds what must not reach a page: a Go package's prefix
// (web:, terminal:, ledger: ...), bbolt's and the os package's words, Go
// formatting slips.
var internalText = regexp.MustCompile(`\b(web|terminal|ledger|keyfile|money|pin|idcheck|settlement|tariff|hostsim|registry|receipts|civildate|bolt|json|http|net|tcp|dial|open|read|write|lstat|stat):\s|%!|\bgoroutine\b|\bpanic\b|\bnil\b`)

// drain forwards what waits for a host each time tick fires, until ctx
// ends: queued payments go out without anyone typing a command.
func (d *Desk) drain(ctx context.Context, tick <-chan time.Time, done func(terminal.Drained, error)) {
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
