package terminal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"golang.org/x/mod/sumdb/note"
)

// Kinds of entry a successor writes for what it took over (承接).
const (
	// KindHandover: the post office's hand-over document, loaded. The
	// money carried is owed to the old station's villagers through this
	// station: Dr postoffice:settlement / Cr liabilities:handover.
	KindHandover = "handover"
	// KindHandoverDone: one step of a hand-over item finished.
	KindHandoverDone = "handover_done"
)

// AccountHandover holds what the successor owes the old station's
// villagers.
const AccountHandover = "liabilities:handover"

// Steps that finish (or move on) a hand-over item.
const (
	StepConfirmed = "confirmed" // the host has the payment (or issued the ticket): the money goes on to it
	StepRefunded  = "refunded"  // the villager got the money back from the drawer
	StepReversed  = "reversed"  // the host acknowledged the reversal
	StepDelivered = "delivered" // the goods were handed over
	StepDecided   = "decided"   // the post office's decision on a dispute was recorded
)

// States of a hand-over item at the successor.
const (
	ItemOpen   = "open"   // still to do
	ItemRefund = "refund" // the post office decided a refund is owed: pay it
	ItemDone   = "done"
)

// Handovers is the successor's book of what it took over from a station
// that left: the documents it loaded and each item's steps.
type Handovers struct {
	Ledger     LinkLedger
	PostOffice note.Verifier // the post office this station trusts
	Host       Host          // for queued payments, waitlisted orders and reversals; nil when not linked
	Timeout    time.Duration // per host call
}

// HandoverError refuses a hand-over document or a step; nothing was
// recorded.
type HandoverError struct {
	Field, Rule, RuleZh string
}

func (e *HandoverError) Error() string { return "terminal: hand-over: " + e.Field + ": " + e.Rule }

// ErrHandoverLoaded is what Load says of a document loaded before (as a
// *HandoverError that errors.Is matches): the same document arriving by
// USB stick and by network loads once.
var ErrHandoverLoaded = errors.New("terminal: hand-over: loaded already")

// loadedError is the HandoverError of a document loaded before.
type loadedError struct{ *HandoverError }

func (e loadedError) Unwrap() error        { return e.HandoverError }
func (e loadedError) Is(target error) bool { return target == ErrHandoverLoaded }

// HandoverWaitError says a host did not settle an item now (no answer, a
// ticket still on the waiting list): nothing was recorded; try again.
type HandoverWaitError struct {
	Trace  string
	Status string // the host's status, or "" when it did not answer
	Err    error
}

func (e *HandoverWaitError) Error() string {
	if e.Status != "" {
		return fmt.Sprintf("terminal: hand-over: %s is %s at the host; nothing recorded, try again later", e.Trace, e.Status)
	}
	return fmt.Sprintf("terminal: hand-over: no answer about %s: %v; nothing recorded, try again later", e.Trace, e.Err)
}

func (e *HandoverWaitError) Unwrap() error { return e.Err }

// HandoverItem is one item taken over, with what became of it here.
type HandoverItem struct {
	handover.Item
	From    string // the old station
	Loaded  uint64 // the handover entry
	State   string
	Refund  decimal.Decimal // a dispute's refund owed, once decided
	Reason  string          // the post office's words on a dispute
	Decided uint64          // the step recording the decision
	Done    uint64          // the step that finished it
	Step    string          // how it finished
}

func handoverKey(from string) string            { return "handover:" + from }
func handoverDoneKey(from string, n int) string { return fmt.Sprintf("handover_done:%s:%d", from, n) }
func handoverDecidedKey(from string, n int) string {
	return fmt.Sprintf("handover_decided:%s:%d", from, n)
}

// Load records a hand-over document the post office signed for this
// station. A document not signed by this station's post office, for
// another station, or loaded before is refused and records nothing.
func (h *Handovers) Load(operator string, msg []byte) (ledger.Entry, handover.Doc, error) {
	if h.PostOffice == nil {
		return ledger.Entry{}, handover.Doc{}, &HandoverError{"file", "this station trusts no post office key", "本站没有邮政支局的公钥"}
	}
	d, err := handover.Open(msg, h.PostOffice)
	if errors.Is(err, handover.ErrSignature) {
		return ledger.Entry{}, d, &HandoverError{"file", "not signed by this station's post office", "不是本站所属邮政支局签发的交接单"}
	}
	if err != nil {
		return ledger.Entry{}, d, &HandoverError{"file", err.Error(), "不是一份交接单（读不出来：" + err.Error() + "）"}
	}
	me := h.Ledger.Genesis().Terminal
	if d.To != me {
		return ledger.Entry{}, d, &HandoverError{"to", fmt.Sprintf("the document hands %s over to station %s, not this one (%s)", d.From, d.To, me),
			fmt.Sprintf("这份交接单是把 %s 交给服务站 %s 的，不是本站（%s）", d.From, d.To, me)}
	}
	if prev, err := h.Ledger.ByIdemKey(handoverKey(d.From)); err == nil {
		return prev, d, loadedError{&HandoverError{"file", fmt.Sprintf("the hand-over from %s was loaded already (entry %d)", d.From, prev.Seq),
			fmt.Sprintf("%s 的交接单已经在账本第 %d 笔收下过了，不能再收", d.From, prev.Seq)}}
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return ledger.Entry{}, d, err
	}
	payload, err := json.Marshal(map[string]any{"from": d.From, "issued": d.Issued, "carried": money.FormatWire(d.Carried),
		"items": len(d.Items), "document": base64.StdEncoding.EncodeToString(msg)})
	if err != nil {
		return ledger.Entry{}, d, err
	}
	var postings []ledger.Posting
	if d.Carried.IsPositive() {
		postings = []ledger.Posting{ledger.Dr(AccountSettlement, d.Carried), ledger.Cr(AccountHandover, d.Carried)}
	}
	e, _, err := h.Ledger.Append(ledger.Draft{Operator: operator, Kind: KindHandover, IdemKey: handoverKey(d.From), Payload: payload, Postings: postings})
	return e, d, err
}

// doneStep is the payload of a handover_done entry.
type doneStep struct {
	Handover uint64 `json:"handover"` // the handover entry
	From     string `json:"from"`
	Item     int    `json:"item"`
	Kind     string `json:"kind"`
	Entry    uint64 `json:"entry"` // the old station's entry
	Trace    string `json:"trace,omitempty"`
	Service  string `json:"service"`
	Step     string `json:"step"`
	Amount   string `json:"amount"`
	// HostStatus: what the host said of the trace; Reference its
	// receipt or ticket number when it has the payment.
	HostStatus string `json:"host_status,omitempty"`
	Reference  string `json:"reference,omitempty"`
	ReceivedBy string `json:"received_by,omitempty"`
	Outcome    string `json:"outcome,omitempty"` // a dispute's decision
	Reason     string `json:"reason,omitempty"`
	Decision   string `json:"decision,omitempty"` // the signed decision, base64
}

// List returns every item taken over, in the order of the documents and
// their items, with what became of each here.
func (h *Handovers) List() ([]HandoverItem, error) {
	out, _, err := h.list()
	return out, err
}

// list is List and the number of documents loaded (a document may list
// no item: its station left nothing the post office read).
func (h *Handovers) list() ([]HandoverItem, int, error) {
	var out []HandoverItem
	docs := 0
	at := map[string]int{} // from:n → index
	err := h.Ledger.Range(1, 0, func(e ledger.Entry) error {
		switch e.Kind {
		case KindHandover:
			docs++
			var p struct {
				Document string `json:"document"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("terminal: entry %d: %w", e.Seq, err)
			}
			msg, err := base64.StdEncoding.DecodeString(p.Document)
			if err != nil {
				return fmt.Errorf("terminal: entry %d: %w", e.Seq, err)
			}
			d, err := handover.Open(msg, h.PostOffice)
			if err != nil {
				return fmt.Errorf("terminal: entry %d: %w", e.Seq, err)
			}
			for _, it := range d.Items {
				at[fmt.Sprintf("%s:%d", d.From, it.N)] = len(out)
				out = append(out, HandoverItem{Item: it, From: d.From, Loaded: e.Seq, State: ItemOpen})
			}
		case KindHandoverDone:
			var p doneStep
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("terminal: entry %d: %w", e.Seq, err)
			}
			i, ok := at[fmt.Sprintf("%s:%d", p.From, p.Item)]
			if !ok {
				return nil
			}
			it := &out[i]
			if e.IdemKey == handoverDecidedKey(p.From, p.Item) {
				it.Decided, it.State, it.Reason = e.Seq, ItemRefund, p.Reason
				it.Refund, _ = money.ParseWire(p.Amount)
				return nil
			}
			it.Done, it.Step, it.State = e.Seq, p.Step, ItemDone
			if p.Step == StepDecided {
				it.Reason = p.Reason
			}
		}
		return nil
	})
	return out, docs, err
}

// FinishRequest is one step on a hand-over item.
type FinishRequest struct {
	Operator   string
	From       string // the old station; may be left out when one was taken over
	Item       int
	ReceivedBy string // a delivery: who received the goods
	Decision   []byte // a dispute: the post office's signed decision
}

// Finished is a step recorded.
type Finished struct {
	Entry      ledger.Entry
	Item       HandoverItem
	Step       string
	Amount     decimal.Decimal // money moved: to the host (confirmed) or out of the drawer (refunded)
	CashOut    decimal.Decimal // to hand the villager now
	HostStatus string
	Reference  string
	Outcome    string // a dispute's decision
}

// find returns the item r names.
func (h *Handovers) find(r FinishRequest) (HandoverItem, error) {
	list, docs, err := h.list()
	if err != nil {
		return HandoverItem{}, err
	}
	var match []HandoverItem
	for _, it := range list {
		if it.N == r.Item && (r.From == "" || r.From == it.From) {
			match = append(match, it)
		}
	}
	switch {
	case docs == 0:
		return HandoverItem{}, &HandoverError{"item", "no hand-over document was loaded here", "本站还没有收下交接单（station handover load）"}
	case len(list) == 0:
		return HandoverItem{}, &HandoverError{"item", "the hand-over documents loaded here list no item: nothing to finish", "收下的交接单上没有要接着办的事项"}
	case len(match) == 0:
		return HandoverItem{}, &HandoverError{"item", fmt.Sprintf("no item %d was taken over", r.Item), fmt.Sprintf("交接单里没有第 %d 项", r.Item)}
	case len(match) > 1:
		return HandoverItem{}, &HandoverError{"from", "items of several stations have that number: name the old station", "几个服务站的交接单都有这一项，请用 --from 说明是哪个服务站的"}
	}
	return match[0], nil
}

// Finish takes the next step on an item: a queued payment or a
// waitlisted order is asked of its host by its original trace number
// (the host has it: the money goes on to it; the host refused it, never
// saw it or reversed it: it is reversed to be sure and the villager gets
// the money back); a reversal is sent until the host acknowledges it; a
// refund is paid from the drawer; a delivery is handed over from stock;
// a dispute follows the post office's decision (a refund owed is then
// paid as the next step). A step recorded already is refused.
func (h *Handovers) Finish(ctx context.Context, r FinishRequest) (Finished, error) {
	it, err := h.find(r)
	if err != nil {
		return Finished{}, err
	}
	if it.State == ItemDone {
		return Finished{Item: it}, &HandoverError{"item", fmt.Sprintf("item %d was finished already (entry %d)", it.N, it.Done),
			fmt.Sprintf("第 %d 项已经在账本第 %d 笔办完了，不能再办", it.N, it.Done)}
	}
	step := doneStep{Handover: it.Loaded, From: it.From, Item: it.N, Kind: it.Kind, Entry: it.Entry, Trace: it.Trace, Service: it.Service, Amount: money.FormatWire(it.Amount)}
	switch {
	case it.State == ItemRefund:
		step.Amount = money.FormatWire(it.Refund)
		return h.refund(r.Operator, it, step, it.Refund)
	case it.Kind == handover.Refund:
		return h.refund(r.Operator, it, step, it.Amount)
	case it.Kind == handover.Queued || it.Kind == handover.Waitlist:
		return h.askHost(ctx, r.Operator, it, step)
	case it.Kind == handover.Reversal:
		if err := h.reverse(ctx, it.Trace); err != nil {
			return Finished{Item: it}, err
		}
		step.Step, step.HostStatus = StepReversed, StatusReversed
		return h.record(r.Operator, it, step, handoverDoneKey(it.From, it.N), nil)
	case it.Kind == handover.Delivery:
		return h.deliver(r.Operator, it, step, r.ReceivedBy)
	case it.Kind == handover.Dispute:
		return h.decide(r.Operator, it, step, r.Decision)
	}
	return Finished{}, fmt.Errorf("terminal: hand-over item %d: unknown kind %q", it.N, it.Kind)
}

func (h *Handovers) record(operator string, it HandoverItem, step doneStep, key string, postings []ledger.Posting) (Finished, error) {
	if prev, err := h.Ledger.ByIdemKey(key); err == nil {
		return Finished{Item: it}, &HandoverError{"item", fmt.Sprintf("item %d was finished already (entry %d)", it.N, prev.Seq),
			fmt.Sprintf("第 %d 项已经在账本第 %d 笔办完了，不能再办", it.N, prev.Seq)}
	}
	payload, err := json.Marshal(step)
	if err != nil {
		return Finished{}, err
	}
	e, _, err := h.Ledger.Append(ledger.Draft{Operator: operator, Kind: KindHandoverDone, IdemKey: key, Payload: payload, Postings: postings})
	if err != nil {
		return Finished{}, err
	}
	amount, _ := money.ParseWire(step.Amount)
	f := Finished{Entry: e, Item: it, Step: step.Step, Amount: amount, HostStatus: step.HostStatus, Reference: step.Reference, Outcome: step.Outcome}
	if step.Step == StepRefunded {
		f.CashOut = amount
	}
	return f, nil
}

// refund pays amount owed to a villager out of the drawer.
func (h *Handovers) refund(operator string, it HandoverItem, step doneStep, amount decimal.Decimal) (Finished, error) {
	cash, err := drawerCash(h.Ledger)
	if err != nil {
		return Finished{}, err
	}
	if amount.GreaterThan(cash) {
		return Finished{Item: it}, &ShortCashError{Need: amount, Have: cash}
	}
	step.Step, step.Amount = StepRefunded, money.FormatWire(amount)
	return h.record(operator, it, step, handoverDoneKey(it.From, it.N), []ledger.Posting{ledger.Dr(AccountHandover, amount), ledger.Cr(AccountCash, amount)})
}

func (h *Handovers) call(ctx context.Context) (context.Context, context.CancelFunc) {
	if h.Timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, h.Timeout)
}

// askHost settles a queued payment or a waitlisted order by its original
// trace number: a status inquiry first; approved, the money goes on to
// the host; declined, reversed or never seen, a reversal makes sure the
// host will never take it, and the villager is paid back.
func (h *Handovers) askHost(ctx context.Context, operator string, it HandoverItem, step doneStep) (Finished, error) {
	if h.Host == nil {
		return Finished{Item: it}, &HandoverWaitError{Trace: it.Trace, Err: ErrUnreachable}
	}
	cctx, cancel := h.call(ctx)
	st, err := h.Host.Status(cctx, it.Trace)
	cancel()
	if err != nil {
		return Finished{Item: it}, &HandoverWaitError{Trace: it.Trace, Err: err}
	}
	step.HostStatus = st.Status
	switch st.Status {
	case StatusApproved:
		step.Step, step.Reference = StepConfirmed, st.Reference
		return h.record(operator, it, step, handoverDoneKey(it.From, it.N), []ledger.Posting{ledger.Dr(AccountHandover, it.Amount), ledger.Cr(AccountSettlement, it.Amount)})
	case StatusDeclined, StatusReversed, StatusNone:
		if st.Status == StatusNone {
			// The host never saw it: a reversal makes it refuse the
			// trace if the old station's queue ever sends it.
			if err := h.reverse(ctx, it.Trace); err != nil {
				return Finished{Item: it}, err
			}
		}
		return h.refund(operator, it, step, it.Amount)
	}
	return Finished{Item: it}, &HandoverWaitError{Trace: it.Trace, Status: st.Status}
}

// reverse sends a reversal of trace and waits for its acknowledgement.
func (h *Handovers) reverse(ctx context.Context, trace string) error {
	if h.Host == nil {
		return &HandoverWaitError{Trace: trace, Err: ErrUnreachable}
	}
	cctx, cancel := h.call(ctx)
	defer cancel()
	if _, err := h.Host.Reverse(cctx, trace); err != nil {
		return &HandoverWaitError{Trace: trace, Err: err}
	}
	return nil
}

// deliver hands over the goods of a sale the old station made, out of
// this station's stock: the units go back to the post office's
// consignment, which the old station's sale already paid for.
func (h *Handovers) deliver(operator string, it HandoverItem, step doneStep, receivedBy string) (Finished, error) {
	if receivedBy == "" || len(receivedBy) > 100 {
		return Finished{Item: it}, &HandoverError{"received_by", "the name of who received the goods", "请写签收人的名字"}
	}
	goods, err := handover.Goods(it.What)
	if err != nil {
		return Finished{}, err
	}
	b, err := h.Ledger.Balances()
	if err != nil {
		return Finished{}, err
	}
	var postings []ledger.Posting
	for _, g := range goods {
		if have := b[ledger.Account{Name: AccountStock, Commodity: g.SKU}].IntPart(); have < g.Qty {
			return Finished{Item: it}, &StockError{SKU: g.SKU, Have: have, Get: g.Qty}
		}
		postings = append(postings, units(g.SKU, ledger.Debit, AccountConsignment, g.Qty), units(g.SKU, ledger.Credit, AccountStock, g.Qty))
	}
	step.Step, step.ReceivedBy = StepDelivered, receivedBy
	return h.record(operator, it, step, handoverDoneKey(it.From, it.N), postings)
}

// decide records the post office's decision on a dispute taken over. A
// refund owed is owed through this station (Dr postoffice:settlement / Cr
// liabilities:handover) and paid as the next step.
func (h *Handovers) decide(operator string, it HandoverItem, step doneStep, msg []byte) (Finished, error) {
	if len(msg) == 0 {
		return Finished{Item: it}, &HandoverError{"decision", "follow the dispute with the post office's decision file", "这笔纠纷要等邮政支局的答复：收到答复文件后用 --decision 给出"}
	}
	d, err := decision.Open(msg, h.PostOffice)
	if errors.Is(err, decision.ErrSignature) {
		return Finished{Item: it}, &HandoverError{"decision", "not signed by this station's post office", "答复不是本站所属邮政支局签发的"}
	}
	if err != nil {
		return Finished{Item: it}, &HandoverError{"decision", err.Error(), "答复文件读不出来"}
	}
	if d.Station != it.From || d.Dispute != it.Entry {
		return Finished{Item: it}, &HandoverError{"decision", fmt.Sprintf("the decision is on %s's dispute %d, not %s's %d", d.Station, d.Dispute, it.From, it.Entry),
			fmt.Sprintf("这份答复是 %s 第 %d 笔纠纷的，不是这一项（%s 第 %d 笔）", d.Station, d.Dispute, it.From, it.Entry)}
	}
	step.Step, step.Outcome, step.Reason = StepDecided, d.Outcome, d.Reason
	step.Decision = base64.StdEncoding.EncodeToString(msg)
	step.Amount = money.FormatWire(d.Refund)
	if d.Outcome == decision.RefundOwed {
		if it.Decided != 0 {
			return Finished{Item: it}, &HandoverError{"decision", fmt.Sprintf("the decision was recorded already (entry %d)", it.Decided),
				fmt.Sprintf("这份答复已经在账本第 %d 笔收下过了", it.Decided)}
		}
		return h.record(operator, it, step, handoverDecidedKey(it.From, it.N), []ledger.Posting{ledger.Dr(AccountSettlement, d.Refund), ledger.Cr(AccountHandover, d.Refund)})
	}
	return h.record(operator, it, step, handoverDoneKey(it.From, it.N), nil)
}

// Owed lists what this station still owes villagers, as the post office
// will find it in its day files when the station leaves (package
// handover reads both the same way).
func (h *Handovers) Owed() ([]handover.Item, error) {
	s := handover.Scan{Station: h.Ledger.Genesis().Terminal}
	err := h.Ledger.Range(1, 0, func(e ledger.Entry) error { return s.Add(e) })
	if err != nil {
		return nil, err
	}
	return s.Items(), nil
}
