package registry_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/registry"
	"golang.org/x/mod/sumdb/note"
)

// TestRetireAndSucceed: a station retired with what it owes villagers
// carried, then a successor enrolled for it with the hand-over document
// kept in the registry, on every store: the document is there for any
// server on the same store (reopened here), and a second successor, or
// a successor of a station not retired, is refused and changes nothing.
func TestRetireAndSucceed(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		where := b.fresh(t)
		o := newOfficeAt(t, b, where)
		o.enrol("T0001", stationKey)
		o.mustImport(scenario(t, "intact-day1.bms"), registry.Accepted)
		o.mustImport(scenario(t, "intact-day2.bms"), registry.Accepted)
		o.mustImport(scenario(t, "intact-day3.bms"), registry.Accepted)
		skey, _, _ := note.GenerateKey(rand.Reader, "xinyang-postoffice")
		signer, _ := note.NewSigner(skey)
		ctx := t.Context()
		succession := func(id string) registry.Succession {
			key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte(id[len(id)-1:]), 32))
			return registry.Succession{Old: "T0001", Sign: func(old *registry.Station) ([]byte, error) { return []byte("document for " + id + "\n"), nil },
				Enrolment: registry.Enrolment{Station: id, Key: verifierKey(t, id, key), Franchisee: "接手人", Deposit: decimal.RequireFromString("20000.00"), Tariff: "DEMO-2026-11"}}
		}
		var re *registry.Error
		if _, _, err := o.reg.EnrolSuccessor(ctx, succession("T0002")); !errors.As(err, &re) || re.Kind != registry.ErrInput {
			t.Fatalf("a successor of an active station: %v, want refused", err)
		}
		s, err := o.reg.Station(ctx, "T0001")
		if err != nil {
			t.Fatal(err)
		}
		carry := registry.Carry{Through: s.Last, Amount: decimal.RequireFromString("150.00"),
			Lines: []string{"item 1 refund 10 T0001-000009 bill_payment 150.00 - - no such account"}}
		retired, err := o.reg.RetireCarrying(ctx, "T0001", signer, carry)
		if err != nil {
			t.Fatal(err)
		}
		r := retired.Retirement
		if !r.Carried.Equal(carry.Amount) || !r.Return.Equal(r.Deposit.Add(r.Owed).Sub(carry.Amount)) || len(r.Items) != 1 {
			t.Fatalf("retirement %+v: want 150.00 carried and kept back", r)
		}
		if _, _, err := o.reg.EnrolSuccessor(ctx, succession("T0002")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := o.reg.EnrolSuccessor(ctx, succession("T0003")); !errors.As(err, &re) || re.Kind != registry.ErrInput {
			t.Fatalf("a second successor: %v, want refused", err)
		}
		if _, err := o.reg.Station(ctx, "T0003"); err == nil {
			t.Error("the refused successor was enrolled")
		}

		// Another server on the same store sees the document (bbolt
		// lets one program at a time open its file).
		o.reg.Close()
		other := registry.New(b.open(t, where), nil)
		defer other.Close()
		old, err := other.Station(ctx, "T0001")
		if err != nil {
			t.Fatal(err)
		}
		if old.Retirement == nil || old.Retirement.Successor != "T0002" || string(old.Retirement.Handover) != "document for T0002\n" {
			t.Fatalf("the retirement as read back: %+v", old.Retirement)
		}
		// The successor's documents, as the station API gives them: T0002
		// has T0001's, a station that took over from nobody has none.
		list, err := other.Handovers(ctx, "T0002")
		if err != nil || len(list) != 1 || list[0].From != "T0001" || list[0].To != "T0002" || string(list[0].Document) != "document for T0002\n" {
			t.Fatalf("T0002's hand-over documents: %+v, %v", list, err)
		}
		for _, id := range []string{"T0001", "T0003", ""} {
			if list, err := other.Handovers(ctx, id); err != nil || len(list) != 0 {
				t.Errorf("%q's hand-over documents: %+v, %v; want none", id, list, err)
			}
		}
	})
}
