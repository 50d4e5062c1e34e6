package terminal_test

import (
	"context"
	"errors"
	"testing"

	"github.com/villagepost/bianmin/terminal"
)

// A sale sent again under its idempotency key (a double tap on the
// screen's 确认, a reload) answers with the first: one registration, one
// sim_sale, the same entry; a declined one is declined again without a
// second request to the carrier.
func TestSIMSaleRetried(t *testing.T) {
	r := newSIMRig(t)
	key := r.key()
	first, err := r.sell(func(o *terminal.SIMOrder) { o.IdemKey = key })
	if err != nil {
		t.Fatal(err)
	}
	last := r.ledger.Last().Seq
	again, err := r.sell(func(o *terminal.SIMOrder) { o.IdemKey = key })
	if err != nil {
		t.Fatalf("the retry: %v", err)
	}
	if again.Entry.Seq != first.Entry.Seq || again.Registration != first.Registration || again.Card.Number != first.Card.Number ||
		!again.Plan.Price.Equal(first.Plan.Price.Decimal) {
		t.Errorf("the retry answered %+v, the first %+v", again, first)
	}
	if r.ledger.Last().Seq != last {
		t.Error("the retry recorded something")
	}

	// Declined (S2), then the same key again: declined, nothing more.
	dkey := r.key()
	declined := func(o *terminal.SIMOrder) {
		o.Number, o.Holder, o.IDNumber, o.IdemKey = card2.Number, "李四", "411523198001010004", dkey
	}
	var de *terminal.DeclineError
	if _, err := r.sell(declined); !errors.As(err, &de) {
		t.Fatalf("the decline: %v", err)
	}
	last = r.ledger.Last().Seq
	if _, err := r.cards.Sell(context.Background(), terminal.SIMOrder{Operator: "OP1", Number: card2.Number, Holder: "李四",
		IDNumber: "411523198001010004", IdemKey: dkey}); !errors.As(err, &de) {
		t.Errorf("the decline retried: %v", err)
	}
	if r.ledger.Last().Seq != last {
		t.Error("the retried decline recorded something")
	}
}
