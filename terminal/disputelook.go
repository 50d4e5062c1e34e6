package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
