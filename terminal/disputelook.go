package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/receipts"
)

// DisputeLook is what the shopkeeper sees before registering a dispute:
// the entry found, the request it belongs to, what the station's records
// say became of it and what its host answers a status inquiry now. A
// request disputed before has Before set, and nothing more is asked.
type DisputeLook struct {
	Entry        ledger.Entry // the entry the villager showed
	Intent       uint64
	Trace        string
	Service      string
	Amount       decimal.Decimal
	StationState string // as Dispute.StationState
	StationEntry uint64
	HostStatus   string // as Dispute.HostStatus
	HostAmount   string
	Asked        time.Time
	AnswerBy     string   // the day the post office answers by, if registered now
	Before       *Dispute // the dispute registered on this request already
}

// EntryOfCode finds the entry a receipt's verification code names: the
// code must be signed by this station's key and name an entry of its
// ledger with the same hash.
func (d *Disputes) EntryOfCode(code string) (uint64, error) {
	c, err := receipts.ParsePrinted(code)
	if err != nil {
		return 0, &DisputeError{"code", "the receipt code does not read: copy the whole code under the receipt's QR code",
			"“收据验证码”读不出来：请把收据二维码下面的验证码整段照抄（或扫二维码）"}
	}
	g := d.Ledger.Genesis()
	if c.Station != g.Terminal {
		return 0, &DisputeError{"code", fmt.Sprintf("this receipt is from station %s, not this one (%s)", c.Station, g.Terminal),
			fmt.Sprintf("这张收据是服务站 %s 开的，不是本站（%s）的，不能在这里登记纠纷", c.Station, g.Terminal)}
	}
	if err := c.Verify(g.PublicKey); err != nil {
		return 0, &DisputeError{"code", "the receipt code does not match this station's seal: mistyped, or the receipt was changed",
			"这张收据的验证码对不上本站的印章：可能抄错了，或收据被改过。请核对后再试"}
	}
	e, err := d.Ledger.Get(c.Seq)
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return 0, err
	}
	if err != nil || e.Hash != c.Hash {
		return 0, &DisputeError{"code", fmt.Sprintf("this station's ledger has no entry %d as the receipt says; call the post office", c.Seq),
			fmt.Sprintf("本站账本里没有这张收据的第 %d 笔。请联系邮政支局", c.Seq)}
	}
	return c.Seq, nil
}

// Look finds the request entry seq belongs to and asks its host the
// status of the trace, as Open does, and records nothing.
func (d *Disputes) Look(ctx context.Context, seq uint64) (DisputeLook, error) {
	e, err := d.Ledger.Get(seq)
	if errors.Is(err, ledger.ErrNotFound) {
		return DisputeLook{}, &DisputeError{"entry", fmt.Sprintf("the ledger has no entry %d", seq), fmt.Sprintf("账本里没有第 %d 笔，请核对收据上的账本序号", seq)}
	}
	if err != nil {
		return DisputeLook{}, err
	}
	intent, err := intentOf(d.Ledger, e)
	if err != nil {
		return DisputeLook{}, err
	}
	look := DisputeLook{Entry: e, Intent: intent.Seq}
	if prev, err := d.Ledger.ByIdemKey(disputeKey(intent.Seq)); err == nil {
		dp, err := d.get(prev.Seq)
		if err != nil {
			return DisputeLook{}, err
		}
		look.Before, look.Trace, look.Service, look.Amount = &dp, dp.Trace, dp.Service, dp.Amount
		return look, nil
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return DisputeLook{}, err
	}
	var ip struct{ Service, Amount string }
	if err := json.Unmarshal(intent.Payload, &ip); err != nil {
		return DisputeLook{}, fmt.Errorf("terminal: dispute: intent %d: %w", intent.Seq, err)
	}
	look.Service = ip.Service
	look.Amount, _ = money.ParseWire(ip.Amount)
	if look.StationState, look.StationEntry, err = traceState(d.Ledger, intent.Seq); err != nil {
		return DisputeLook{}, err
	}
	if d.Link == nil {
		return DisputeLook{}, errors.New("terminal: dispute: no host link to inquire with")
	}
	look.Trace = d.Link.Trace(intent.Seq)
	reply, asked := d.inquire(ctx, look.Trace)
	look.HostStatus, look.HostAmount, look.Asked = reply.Status, reply.Amount, asked
	day, err := time.Parse(time.DateOnly, d.Ledger.CurrentDay())
	if err != nil {
		return DisputeLook{}, err
	}
	look.AnswerBy = day.Add(AnswerWithin).Format(time.DateOnly)
	return look, nil
}

// DisputeMember is a member listed on a household's contribution receipt
// (KindHousehold), as the shopkeeper picks the one a dispute is about:
// a household pays for several members on one receipt, but each member's
// payment went to the social-insurance host as a request of its own, with
// its own trace number, and a dispute is about one request.
type DisputeMember struct {
	Row        int // the member's number on the receipt, from 1
	Name       string
	ID         string // masked
	SchemeName string
	Year       int
	Status     string          // paid, refused, declined, reversed or not_sent
	Amount     decimal.Decimal // charged, with the fee: zero unless paid
	// Entry is the entry a dispute about this member names: the member's
	// contribution entry, or the request's intent when it was not paid;
	// 0 for a member never sent to the host (nothing to dispute).
	Entry uint64
}

// HouseholdOf lists the members of entry seq when it is a household's
// contribution receipt; ok is false for any other entry.
func (d *Disputes) HouseholdOf(seq uint64) (members []DisputeMember, ok bool, err error) {
	e, err := d.Ledger.Get(seq)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil || e.Kind != KindHousehold {
		return nil, false, err
	}
	var p householdPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, false, fmt.Errorf("terminal: dispute: household entry %d: %w", seq, err)
	}
	for _, m := range p.Members {
		dm := DisputeMember{Row: m.Row, Name: m.Name, ID: m.ID, SchemeName: m.SchemeName, Year: m.Year, Status: m.Status, Amount: decimal.Zero}
		if m.Status == MemberPaid {
			a, _ := money.ParseWire(m.Amount)
			f, _ := money.ParseWire(m.Fee)
			dm.Amount = a.Add(f)
		}
		switch {
		case m.Entry != 0 && m.Entry < seq:
			dm.Entry = m.Entry
		case m.Trace != "":
			if n, ok := d.intentOfTrace(m.Trace, seq); ok {
				dm.Entry = n
			}
		}
		members = append(members, dm)
	}
	return members, true, nil
}

// intentOfTrace is the intent entry, before seq, that trace names on this
// station.
func (d *Disputes) intentOfTrace(trace string, before uint64) (uint64, bool) {
	i := strings.LastIndexByte(trace, '-')
	if i < 0 || trace[:i] != d.Ledger.Genesis().Terminal {
		return 0, false
	}
	n, err := strconv.ParseUint(trace[i+1:], 10, 64)
	if err != nil || n == 0 || n >= before {
		return 0, false
	}
	e, err := d.Ledger.Get(n)
	if err != nil || e.Kind != KindIntent {
		return 0, false
	}
	return n, true
}

// MemberEntry is the entry a dispute about member row of household entry
// seq names (row as numbered on the receipt). Row 0 picks the only member
// sent to the host; with several, a *DisputeError on field "member" asks
// which (HouseholdOf lists them).
func (d *Disputes) MemberEntry(seq uint64, row int) (uint64, error) {
	members, ok, err := d.HouseholdOf(seq)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, &DisputeError{"member", fmt.Sprintf("entry %d is not a household's contribution receipt: no member to choose", seq),
			fmt.Sprintf("第 %d 笔不是一户人家的医保养老缴费回执，不用选家庭成员", seq)}
	}
	var sent []DisputeMember
	for _, m := range members {
		if m.Entry == 0 {
			continue
		}
		sent = append(sent, m)
		if m.Row == row {
			return m.Entry, nil
		}
	}
	switch {
	case row != 0:
		for _, m := range members {
			if m.Row == row {
				return 0, &DisputeError{"member", fmt.Sprintf("member %d (%s) of the household receipt was not sent to the social-insurance host: nothing was taken for them, nothing to dispute", row, m.Name),
					fmt.Sprintf("回执上第 %d 位家庭成员（%s）没有交给社保系统，没有收这个人的钱，不能登记纠纷", row, m.Name)}
			}
		}
		return 0, &DisputeError{"member", fmt.Sprintf("the household receipt (entry %d) lists members 1 to %d, not %d", seq, len(members), row),
			fmt.Sprintf("这张回执（第 %d 笔）上的家庭成员是第 1 到第 %d 位，没有第 %d 位", seq, len(members), row)}
	case len(sent) == 1:
		return sent[0].Entry, nil
	case len(sent) == 0:
		return 0, &DisputeError{"member", fmt.Sprintf("no member of the household receipt (entry %d) was sent to the social-insurance host: nothing to dispute", seq),
			fmt.Sprintf("这张回执（第 %d 笔）上没有一位家庭成员交给了社保系统，没有收钱，不能登记纠纷", seq)}
	}
	return 0, &DisputeError{"member", fmt.Sprintf("entry %d is a household's receipt for %d members: say which member the customer means", seq, len(sent)),
		fmt.Sprintf("第 %d 笔是一户人家 %d 位成员的缴费回执：请说明顾客说的是哪一位家庭成员", seq, len(sent))}
}
