package terminal_test

import (
	"context"
	"errors"
	"testing"

	"github.com/villagepost/bianmin/terminal"
)

// Look shows what registering a dispute would record, asking the host,
// and records nothing; once the request is disputed it shows that
// dispute and asks nothing.
func TestDisputeLookRecordsNothing(t *testing.T) {
	r := newRig(t)
	w, err := r.withdraw("6228480402564890018", "500")
	if err != nil {
		t.Fatal(err)
	}
	ds := &terminal.Disputes{Ledger: r.ledger, Link: r.link}
	before := r.ledger.Last().Seq
	look, err := ds.Look(context.Background(), w.Entry.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if look.Before != nil || look.Trace != w.Trace || look.StationState != "approved" || look.HostStatus != "approved" || !look.Amount.Equal(dec("500.00")) || look.AnswerBy == "" {
		t.Fatalf("look: %+v", look)
	}
	if r.ledger.Last().Seq != before {
		t.Fatal("Look recorded an entry")
	}
	dp, _, err := ds.Open(context.Background(), terminal.DisputeRequest{Operator: "OP1", Entry: w.Entry.Seq, Says: "卡上扣了钱，没拿到现金"})
	if err != nil {
		t.Fatal(err)
	}
	look, err = ds.Look(context.Background(), w.Intent.Seq)
	if err != nil || look.Before == nil || look.Before.Seq != dp.Seq {
		t.Fatalf("look after the dispute: %+v, %v", look, err)
	}
	for _, c := range []struct {
		name  string
		seq   uint64
		field string
	}{{"no such entry", 999, "entry"}, {"an entry with no trace", 1, "entry"}} {
		var de *terminal.DisputeError
		if _, err := ds.Look(context.Background(), c.seq); !errors.As(err, &de) || de.Field != c.field {
			t.Errorf("%s: %v, want a refusal of %s", c.name, err, c.field)
		}
	}
	for _, code := range []string{"", "BMR1|garbage", "hello"} {
		var de *terminal.DisputeError
		if _, err := ds.EntryOfCode(code); !errors.As(err, &de) || de.Field != "code" {
			t.Errorf("code %q: %v, want a refusal of the code", code, err)
		}
	}
}
