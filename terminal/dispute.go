package terminal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"golang.org/x/mod/sumdb/note"
)

// Kinds of the entries of a dispute (业务纠纷).
const (
	// KindDispute registers what a villager says went wrong with a
	// request to a host, what the station's records show and what the host
	// answered a status inquiry then. It moves no money.
	KindDispute = "dispute"
	// KindDisputeDecided records the post office's signed decision; a
	// refund owed is owed through the station (Dr postoffice:settlement /
	// Cr liabilities:refunds-due) and paid with Refunds.Pay.
	KindDisputeDecided = "dispute_decided"
)

// Host answers recorded when the status inquiry of a dispute got none.
const HostNoAnswer = "no_answer"

// AnswerWithin is how long the post office has to answer a dispute, from
// the business day it was registered.
const AnswerWithin = 7 * 24 * time.Hour

// MaxSays bounds what the villager says, in characters.
const MaxSays = 200

// States of a dispute, as List gives them.
const (
	DisputeWaiting  = "waiting"   // the post office has not answered
	DisputeRefund   = "refund"    // a refund is owed and not yet paid
	DisputeRefunded = "refunded"  // the refund owed was paid
	DisputeNoneOwed = "none_owed" // the post office found nothing owed
)

// Dispute is a registered dispute and what became of it.
type Dispute struct {
	Seq          uint64 // the dispute entry
	Day          string
	Time         time.Time
	Operator     string
	Disputed     uint64 // the entry the villager showed
	DisputedKind string
	Intent       uint64
	Trace        string
	Service      string
	Amount       decimal.Decimal // what was asked of the host
	Says         string
	StationState string // what the station's entries say became of the request
	StationEntry uint64 // the entry that says it
	HostStatus   string // the host's answer to the inquiry, or HostNoAnswer
	HostCode     string
	HostAmount   string
	Asked        time.Time
	AnswerBy     string // YYYY-MM-DD

	State    string // Dispute… states
	Decided  uint64 // the dispute_decided entry, once loaded
	Outcome  string // decision.RefundOwed or decision.NoneOwed
	Refund   decimal.Decimal
	Reason   string
	Paid     uint64 // the refund_paid entry
	Decision []byte // the signed decision
}

// Disputes registers villagers' disputes, records the post office's
// decisions and lists them.
type Disputes struct {
	Ledger LinkLedger
	// Link asks the host the status of the disputed trace; Open needs it,
	// List and Decide do not.
	Link *Link
	// PostOffice checks decisions: the post office key of the genesis.
	PostOffice note.Verifier
}

// DisputeRequest is what the shopkeeper enters.
type DisputeRequest struct {
	Operator string
	Entry    uint64 // the entry the villager disputes (or found from a receipt code)
	Says     string
}

// DisputeError says why a dispute or a decision is refused; nothing was
// recorded.
type DisputeError struct {
	Field  string // the field at fault: entry, says, decision
	Rule   string
	RuleZh string // the same in the shop's words
}

func (e *DisputeError) Error() string { return "terminal: dispute: " + e.Field + ": " + e.Rule }

func disputeKey(intent uint64) string  { return fmt.Sprintf("dispute:%d", intent) }
func decidedKey(dispute uint64) string { return fmt.Sprintf("dispute_decided:%d", dispute) }

// CheckSays reports whether what the villager says can be recorded.
func CheckSays(s string) error {
	s = strings.TrimSpace(s)
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxSays {
		return &DisputeError{"says", fmt.Sprintf("write what the customer says went wrong, 1 to %d characters", MaxSays), fmt.Sprintf("“顾客说”要写顾客说哪里不对，1 到 %d 个字", MaxSays)}
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return &DisputeError{"says", "one line, no control characters", "“顾客说”只能写一行字"}
		}
	}
	return nil
}

// intentOf finds the host request an entry belongs to: the entry itself
// when it is an intent, else the intent its payload names.
func intentOf(l LinkLedger, e ledger.Entry) (ledger.Entry, error) {
	if e.Kind == KindIntent {
		return e, nil
	}
	if e.Kind == KindHousehold {
		// Each member's payment was its own request: the dispute is about
		// one of them (Disputes.MemberEntry).
		return ledger.Entry{}, &DisputeError{"member", fmt.Sprintf("entry %d is a household's contribution receipt: each member's payment is a request of its own; say which member the customer means", e.Seq),
			fmt.Sprintf("第 %d 笔是一户人家的医保养老缴费回执，每位家庭成员是单独交给社保的：请说明顾客说的是哪一位家庭成员", e.Seq)}
	}
	var p struct {
		Intent uint64 `json:"intent"`
	}
	if e.Kind != KindDispute && e.Kind != KindDisputeDecided && json.Unmarshal(e.Payload, &p) == nil && p.Intent > 0 && p.Intent < e.Seq {
		in, err := l.Get(p.Intent)
		if err != nil {
			return ledger.Entry{}, err
		}
		if in.Kind == KindIntent {
			return in, nil
		}
	}
	return ledger.Entry{}, &DisputeError{"entry", fmt.Sprintf("entry %d (%s) did not go to a host (bank, biller, carrier, insurer, telecom or social insurance): it has no trace number to dispute", e.Seq, e.Kind), fmt.Sprintf("第 %d 笔没有经过银行、缴费单位、承运方、保险公司、运营商或社保，没有流水号，不能登记纠纷；请核对收据上的账本序号", e.Seq)}
}

// traceState says what the station's entries say became of intent: the
// state and the entry that set it (0 while open).
func traceState(l LinkLedger, intent uint64) (string, uint64, error) {
	state, at := "open", uint64(0)
	err := l.Range(intent+1, 0, func(e ledger.Entry) error {
		var p struct {
			Intent, Original uint64
			Status           string
		}
		if json.Unmarshal(e.Payload, &p) != nil {
			return nil
		}
		if e.Kind == "void" && at != 0 && p.Original == at {
			state, at = "voided", e.Seq
			return nil
		}
		if p.Intent != intent {
			return nil
		}
		if s := stateOfKind(e.Kind, p.Status); s != "" {
			state, at = s, e.Seq
		}
		return nil
	})
	return state, at, err
}

// stateOfKind is what an entry about a request makes of it, in the words
// of the post office's registry (registry.Trace states).
func stateOfKind(kind, status string) string {
	switch kind {
	case KindDeclined:
		return "declined"
	case KindNotSent:
		return "not_sent"
	case KindReversalDue:
		return "reversal_due"
	case KindReversal:
		return "reversed"
	case KindConfirmed, KindIssued:
		return "confirmed"
	case KindRefundDue, KindFailed:
		return "refused"
	case SvcWithdrawal, SvcBalanceInquiry, SvcBillPayment, SvcTopup, SvcTicketOrder, SvcTicketCancel,
		SvcPolicyIssue, SvcPolicyCancel, SvcSIMSale, SvcContribution:
		switch status {
		case statusQueued:
			return "queued"
		case StatusPending:
			return "waitlisted"
		}
		return "approved"
	}
	return ""
}

// Open registers a dispute about entry r.Entry: it finds the request the
// entry belongs to, asks its host the status of the trace (the inquiry
// changes nothing there), and records the dispute. A request disputed
// before returns the first dispute, recorded once (added is false).
func (d *Disputes) Open(ctx context.Context, r DisputeRequest) (dp Dispute, added bool, err error) {
	if err := CheckSays(r.Says); err != nil {
		return Dispute{}, false, err
	}
	e, err := d.Ledger.Get(r.Entry)
	if errors.Is(err, ledger.ErrNotFound) {
		return Dispute{}, false, &DisputeError{"entry", fmt.Sprintf("the ledger has no entry %d", r.Entry), fmt.Sprintf("账本里没有第 %d 笔，请核对收据上的账本序号", r.Entry)}
	}
	if err != nil {
		return Dispute{}, false, err
	}
	intent, err := intentOf(d.Ledger, e)
	if err != nil {
		return Dispute{}, false, err
	}
	if prev, err := d.Ledger.ByIdemKey(disputeKey(intent.Seq)); err == nil {
		dp, err := d.get(prev.Seq)
		return dp, false, err
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return Dispute{}, false, err
	}
	var ip struct{ Service, Amount string }
	if err := json.Unmarshal(intent.Payload, &ip); err != nil {
		return Dispute{}, false, fmt.Errorf("terminal: dispute: intent %d: %w", intent.Seq, err)
	}
	state, at, err := traceState(d.Ledger, intent.Seq)
	if err != nil {
		return Dispute{}, false, err
	}
	if d.Link == nil {
		return Dispute{}, false, errors.New("terminal: dispute: no host link to inquire with")
	}
	trace := d.Link.Trace(intent.Seq)
	reply, asked := d.inquire(ctx, trace)
	day, err := time.Parse(time.DateOnly, d.Ledger.CurrentDay())
	if err != nil {
		return Dispute{}, false, err
	}
	p := map[string]any{
		"intent": intent.Seq, "trace": trace, "service": ip.Service, "disputed": e.Seq, "disputed_kind": e.Kind,
		"amount": ip.Amount, "says": strings.TrimSpace(r.Says), "station_state": state, "station_entry": at,
		"host_status": reply.Status, "host_code": reply.Code, "host_amount": reply.Amount,
		"asked": asked.UTC().Format(time.RFC3339), "answer_by": day.Add(AnswerWithin).Format(time.DateOnly),
	}
	payload, err := json.Marshal(p)
	if err != nil {
		return Dispute{}, false, err
	}
	out, added, err := d.Ledger.Append(ledger.Draft{Operator: r.Operator, Kind: KindDispute, IdemKey: disputeKey(intent.Seq), Payload: payload})
	if err != nil {
		return Dispute{}, false, fmt.Errorf("terminal: dispute: record: %w", err)
	}
	dp, err = d.get(out.Seq)
	return dp, added, err
}

// inquire asks the host the status of trace, as the link asks after an
// unknown outcome; no answer is recorded as HostNoAnswer.
func (d *Disputes) inquire(ctx context.Context, trace string) (HostReply, time.Time) {
	l := d.Link
	l.mu.Lock()
	defer l.mu.Unlock()
	for range max(l.Retries, 1) {
		cctx, cancel := l.call(ctx)
		st, err := l.Host.Status(cctx, trace)
		cancel()
		if err == nil {
			return st, l.Now()
		}
		if errors.Is(err, ErrUnreachable) {
			break
		}
	}
	return HostReply{Trace: trace, Status: HostNoAnswer}, l.Now()
}

// disputePayload is the payload of a dispute entry.
type disputePayload struct {
	Intent       uint64 `json:"intent"`
	Trace        string `json:"trace"`
	Service      string `json:"service"`
	Disputed     uint64 `json:"disputed"`
	DisputedKind string `json:"disputed_kind"`
	Amount       string `json:"amount"`
	Says         string `json:"says"`
	StationState string `json:"station_state"`
	StationEntry uint64 `json:"station_entry"`
	HostStatus   string `json:"host_status"`
	HostCode     string `json:"host_code"`
	HostAmount   string `json:"host_amount"`
	Asked        string `json:"asked"`
	AnswerBy     string `json:"answer_by"`
}

// decidedPayload is the payload of a dispute_decided entry.
type decidedPayload struct {
	Dispute  uint64 `json:"dispute"`
	Intent   uint64 `json:"intent"`
	Trace    string `json:"trace"`
	Service  string `json:"service"`
	Outcome  string `json:"outcome"`
	Refund   string `json:"refund"`
	Reason   string `json:"reason"`
	Decided  string `json:"decided"`
	Decision string `json:"decision"` // the signed note, base64
}

func disputeOf(e ledger.Entry) (Dispute, error) {
	var p disputePayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return Dispute{}, fmt.Errorf("terminal: dispute entry %d: %w", e.Seq, err)
	}
	amount, _ := money.ParseWire(p.Amount)
	asked, _ := time.Parse(time.RFC3339, p.Asked)
	return Dispute{Seq: e.Seq, Day: e.Day, Time: e.Time, Operator: e.Operator, Disputed: p.Disputed, DisputedKind: p.DisputedKind,
		Intent: p.Intent, Trace: p.Trace, Service: p.Service, Amount: amount, Says: p.Says, StationState: p.StationState,
		StationEntry: p.StationEntry, HostStatus: p.HostStatus, HostCode: p.HostCode, HostAmount: p.HostAmount, Asked: asked,
		AnswerBy: p.AnswerBy, State: DisputeWaiting}, nil
}

func (dp *Dispute) decided(e ledger.Entry) error {
	var p decidedPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("terminal: entry %d: %w", e.Seq, err)
	}
	dp.Decided, dp.Outcome, dp.Reason = e.Seq, p.Outcome, p.Reason
	dp.Refund, _ = money.ParseWire(p.Refund)
	dp.Decision, _ = base64.StdEncoding.DecodeString(p.Decision)
	dp.State = DisputeNoneOwed
	if dp.Outcome == decision.RefundOwed {
		dp.State = DisputeRefund
	}
	return nil
}

// get returns the dispute recorded at entry seq, with what became of it.
func (d *Disputes) get(seq uint64) (Dispute, error) {
	list, err := d.list(seq)
	if err != nil {
		return Dispute{}, err
	}
	if len(list) != 1 {
		return Dispute{}, &DisputeError{"dispute", fmt.Sprintf("entry %d is not a dispute", seq), fmt.Sprintf("第 %d 笔不是业务纠纷", seq)}
	}
	return list[0], nil
}

// List returns every dispute, oldest first, with what became of it.
func (d *Disputes) List() ([]Dispute, error) { return d.list(0) }

// list reads the disputes from the ledger; only entry only when not 0.
func (d *Disputes) list(only uint64) ([]Dispute, error) {
	var out []Dispute
	at := map[uint64]int{}     // dispute entry → index in out
	refund := map[uint64]int{} // dispute_decided entry → index in out
	from := uint64(1)
	if only != 0 {
		from = only
	}
	err := d.Ledger.Range(from, 0, func(e ledger.Entry) error {
		switch e.Kind {
		case KindDispute:
			if only != 0 && e.Seq != only {
				return nil
			}
			dp, err := disputeOf(e)
			if err != nil {
				return err
			}
			at[e.Seq] = len(out)
			out = append(out, dp)
		case KindDisputeDecided:
			var p struct{ Dispute uint64 }
			if json.Unmarshal(e.Payload, &p) != nil {
				return nil
			}
			if i, ok := at[p.Dispute]; ok {
				if err := out[i].decided(e); err != nil {
					return err
				}
				refund[e.Seq] = i
			}
		case KindRefundPaid:
			var p struct {
				RefundOf uint64 `json:"refund_of"`
			}
			if json.Unmarshal(e.Payload, &p) != nil {
				return nil
			}
			if i, ok := refund[p.RefundOf]; ok {
				out[i].Paid, out[i].State = e.Seq, DisputeRefunded
			}
		}
		return nil
	})
	return out, err
}

// Decide checks the post office's signed decision on a dispute and
// records it. The same decision again returns the first record (added is
// false); a decision that is not this station's, not signed by its post
// office, or does not match the dispute is refused and records nothing.
func (d *Disputes) Decide(operator string, msg []byte) (dp Dispute, added bool, err error) {
	if d.PostOffice == nil {
		return Dispute{}, false, &DisputeError{"decision", "the station has no post office key to check a decision with", "本站没有登记邮政支局公钥，不能核对答复"}
	}
	dec, err := decision.Open(msg, d.PostOffice)
	if errors.Is(err, decision.ErrSignature) {
		return Dispute{}, false, &DisputeError{"decision", "not signed by this station's post office", "这份答复不是本站所属邮政支局签发的，没有收下"}
	}
	if err != nil {
		return Dispute{}, false, &DisputeError{"decision", err.Error(), "这不是邮政支局的纠纷答复文件"}
	}
	if g := d.Ledger.Last(); g.Seq < dec.Dispute {
		return Dispute{}, false, &DisputeError{"decision", fmt.Sprintf("the ledger has no entry %d", dec.Dispute), fmt.Sprintf("答复说的第 %d 笔纠纷在本站账本里没有；请联系邮政支局", dec.Dispute)}
	}
	dp, err = d.get(dec.Dispute)
	if err != nil {
		return Dispute{}, false, &DisputeError{"decision", fmt.Sprintf("entry %d is not a dispute of this station", dec.Dispute), fmt.Sprintf("本站第 %d 笔不是业务纠纷；请联系邮政支局", dec.Dispute)}
	}
	switch {
	case dec.Station != stationOfTrace(dp.Trace):
		return Dispute{}, false, &DisputeError{"decision", fmt.Sprintf("it is for station %s", dec.Station), fmt.Sprintf("这份答复是给服务站 %s 的，不是本站的", dec.Station)}
	case dec.Entry != dp.Disputed || dec.Trace != dp.Trace:
		return Dispute{}, false, &DisputeError{"decision", fmt.Sprintf("it names entry %d, trace %s; the dispute is about entry %d, trace %s", dec.Entry, dec.Trace, dp.Disputed, dp.Trace), fmt.Sprintf("答复说的是第 %d 笔（流水号 %s），这笔纠纷登记的是第 %d 笔（流水号 %s）；请联系邮政支局", dec.Entry, dec.Trace, dp.Disputed, dp.Trace)}
	case dec.Refund.GreaterThan(dp.Amount):
		return Dispute{}, false, &DisputeError{"decision", fmt.Sprintf("its refund %s is above the disputed amount %s", money.FormatWire(dec.Refund), money.FormatWire(dp.Amount)), fmt.Sprintf("答复的退款 %s 元比有争议的金额 %s 元还多；请联系邮政支局", money.FormatWire(dec.Refund), money.FormatWire(dp.Amount))}
	}
	if dp.Decided != 0 {
		prev, err := d.Ledger.Get(dp.Decided)
		if err != nil {
			return Dispute{}, false, err
		}
		var p decidedPayload
		json.Unmarshal(prev.Payload, &p)
		if p.Decision != base64.StdEncoding.EncodeToString(msg) {
			return Dispute{}, false, &DisputeError{"decision", fmt.Sprintf("dispute %d was decided already (entry %d); call the post office", dp.Seq, dp.Decided), fmt.Sprintf("第 %d 笔纠纷已经有了另一份答复（第 %d 笔）；请联系邮政支局", dp.Seq, dp.Decided)}
		}
		return dp, false, nil
	}
	payload, err := json.Marshal(decidedPayload{Dispute: dp.Seq, Intent: dp.Intent, Trace: dp.Trace, Service: dp.Service, Outcome: dec.Outcome,
		Refund: money.FormatWire(dec.Refund), Reason: dec.Reason, Decided: dec.Decided, Decision: base64.StdEncoding.EncodeToString(msg)})
	if err != nil {
		return Dispute{}, false, err
	}
	var postings []ledger.Posting
	if dec.Refund.IsPositive() {
		postings = []ledger.Posting{ledger.Dr(AccountSettlement, dec.Refund), ledger.Cr(AccountRefundsDue, dec.Refund)}
	}
	if _, _, err := d.Ledger.Append(ledger.Draft{Operator: operator, Kind: KindDisputeDecided, IdemKey: decidedKey(dp.Seq), Payload: payload, Postings: postings}); err != nil {
		return Dispute{}, false, fmt.Errorf("terminal: dispute %d: record the decision: %w", dp.Seq, err)
	}
	dp, err = d.get(dp.Seq)
	return dp, true, err
}

// stationOfTrace is the station a trace number names (T0001-000006).
func stationOfTrace(trace string) string {
	if i := strings.LastIndexByte(trace, '-'); i > 0 {
		return trace[:i]
	}
	return ""
}
