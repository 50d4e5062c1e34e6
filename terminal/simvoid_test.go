package terminal_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/terminal"
)

// A card sale cannot be voided: the buyer is registered under their ID at
// the carrier, and a void would give the cash back with the registration
// still standing. The refusal says so and what the buyer does instead;
// nothing is recorded and the card stays sold.
func TestSIMSaleNotVoidable(t *testing.T) {
	r := newSIMRig(t)
	res, err := r.sell(nil)
	if err != nil {
		t.Fatal(err)
	}
	before := r.ledger.Last().Seq
	voids := &terminal.Voids{Link: r.link}
	for name, try := range map[string]func() error{
		"check": func() error { return voids.Check(res.Entry.Seq) },
		"void": func() error {
			_, err := voids.Void("OP1", "OP1", res.Entry.Seq, "不要了")
			return err
		},
	} {
		err := try()
		var ve *terminal.VoidError
		if !errors.As(err, &ve) || !strings.Contains(ve.RuleZh, "实名登记") || !strings.Contains(ve.RuleZh, "营业厅办理销户") ||
			!strings.Contains(ve.Rule, "registered with the carrier") {
			t.Errorf("%s of a card sale: %v", name, err)
		}
	}
	if r.ledger.Last().Seq != before {
		t.Error("a refused void recorded something")
	}
	if got := r.stock(); len(got) != 1 || got[0] != card2.Number {
		t.Errorf("stock after the refused void: %v", got)
	}
}
