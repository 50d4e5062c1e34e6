package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/villagepost/bianmin/ledger"
)

// replaySale answers a sale retried under the idempotency key of one
// already asked (a double tap on the screen, a reload): what became of
// the first, from the ledger, and never a second registration. The card
// is sold by then, so the checks of a new sale (the card in stock) would
// refuse it; found reports whether o is such a retry.
func (s *SIMCards) replaySale(ctx context.Context, o SIMOrder) (res SIMSaleResult, found bool, err error) {
	if o.IdemKey == "" {
		return SIMSaleResult{}, false, nil
	}
	l := s.Link
	l.mu.Lock()
	defer l.mu.Unlock()
	intent, err := l.Ledger.ByIdemKey(o.IdemKey)
	if errors.Is(err, ledger.ErrNotFound) {
		return SIMSaleResult{}, false, nil
	} else if err != nil {
		return SIMSaleResult{}, true, err
	}
	if svc, err := intentService(intent); err != nil || svc != SvcSIMSale {
		return SIMSaleResult{}, true, fmt.Errorf("terminal: the key of this card sale was used by entry %d for something else", intent.Seq)
	}
	r, err := l.replay(ctx, intent, request{Operator: o.Operator, IdemKey: o.IdemKey, Req: HostRequest{Service: SvcSIMSale}})
	if err != nil {
		return SIMSaleResult{}, true, err
	}
	if r.Outcome.Kind != KindSIMSale {
		return SIMSaleResult{}, true, fmt.Errorf("terminal: entry %d answers a card sale with %s", r.Outcome.Seq, r.Outcome.Kind)
	}
	var p simSalePayload
	if err := json.Unmarshal(r.Outcome.Payload, &p); err != nil {
		return SIMSaleResult{}, true, fmt.Errorf("terminal: sim_sale entry %d: %w", r.Outcome.Seq, err)
	}
	plan, _ := s.Tariff.SIMPlan(p.Plan)
	return SIMSaleResult{Entry: r.Outcome, Intent: r.Intent, Trace: s.Link.Trace(r.Intent.Seq), Registration: p.Registration,
		Card: SIMCard{ICCID: p.ICCID, Number: p.Number, Plan: p.Plan}, Plan: plan}, true, nil
}
