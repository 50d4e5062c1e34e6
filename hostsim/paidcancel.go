package hostsim

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
)

// cancellable is something a host sold and a station may cancel under the
// host's rule: an issued ticket, a policy.
type cancellable interface {
	// cancelledNow reports whether it is cancelled (or voided).
	cancelledNow() bool
	// setCancelled records a cancel, or a reversal's effect on one.
	setCancelled(bool)
	// refundAt is what a cancel at now gives back, or false when it is
	// too late to cancel at the counter.
	refundAt(s *Sim, now time.Time) (decimal.Decimal, bool)
}

// cancelRule is how a host declines a cancel it cannot approve.
type cancelRule struct {
	what    string // "ticket", "policy": for journal errors
	notSold string // code: the host never sold it
	already string // code: it is cancelled already
	tooLate string // code: the host's rule no longer allows it
}

// decidePaidCancel decides the cancel l of the sale l.Reference in sold
// (identify has set it): declined when the host never sold it, when it is
// cancelled already, or when it is too late; else approved with the
// refund the host's rule gives.
func decidePaidCancel[T cancellable](s *Sim, l *JournalLine, sold map[string]T, rule cancelRule) {
	it, ok := sold[l.Reference]
	switch {
	case !ok:
		decline(l, rule.notSold)
		return
	case it.cancelledNow():
		decline(l, rule.already)
		return
	}
	refund, ok := it.refundAt(s, s.time())
	if !ok {
		decline(l, rule.tooLate)
		return
	}
	approve(l)
	l.Refund = money.FormatWire(refund)
}

// applyPaidCancel records an approved cancel of number in sold.
func applyPaidCancel[T cancellable](sold map[string]T, number string, rule cancelRule) error {
	it, ok := sold[number]
	if !ok || it.cancelledNow() {
		return fmt.Errorf("cancel of %s %q, which is not in force", rule.what, number)
	}
	it.setCancelled(true)
	return nil
}

// reversePaid records a reversal's effect on number in sold: a reversed
// sale is cancelled (voided), a reversed cancel puts it back in force.
func reversePaid[T cancellable](sold map[string]T, number string, cancelled bool, rule cancelRule) error {
	it, ok := sold[number]
	if !ok {
		return fmt.Errorf("reversal for %s %q, which was never issued", rule.what, number)
	}
	it.setCancelled(cancelled)
	return nil
}
