package registry

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
	"golang.org/x/mod/sumdb/note"
)

// Retirement is a station's exit: settled on its last accepted day, its
// deposit returned less what it owes, and no file accepted after.
type Retirement struct {
	Day     string            `json:"day"`      // the date of the retirement
	LastDay string            `json:"last_day"` // the last business day settled
	Last    ledger.Checkpoint `json:"last"`
	Deposit decimal.Decimal   `json:"deposit"`
	Owed    decimal.Decimal   `json:"owed"`   // postoffice:settlement after the last day; positive: the post office owes the shop
	Return  decimal.Decimal   `json:"return"` // Deposit + Owed; negative: the franchisee still owes that much
	Forks   int               `json:"forks"`
	// Carried is what the station still owed villagers on leaving (the
	// sum of Items' amounts), taken off Return and carried to its
	// successor; Items are their lines (package handover).
	Carried   decimal.Decimal `json:"carried"`
	Items     []string        `json:"items,omitempty"`
	Successor string          `json:"successor,omitempty"` // the station enrolled to take over
	Handover  []byte          `json:"handover,omitempty"`  // the hand-over document signed for it
	// Statement is the close-out statement, a note signed by the post
	// office (see CloseOutText).
	Statement []byte `json:"statement"`
}

// CloseOutText is the text of a close-out statement:
//
//	bianmin-closeout-v1
//	station T0001
//	franchisee 王秀英
//	retired 2026-11-30
//	settled-through 2026-11-29 212 <hex hash of the last entry>
//	deposit 20000.00
//	owed 487.70
//	return 20487.70
//	forks 0
//
// A station that leaves something owed to villagers (see Carry) has two
// lines more and one per item, as in the hand-over document:
//
//	carried 283.40
//	item 1 queued 5 T0001-000005 bill_payment 100.00 state-grid:5100123456 - -
//
// and its return is the deposit plus what is owed less what is carried.
func (t *Retirement) CloseOutText(s *Station) string {
	var b strings.Builder
	fmt.Fprintf(&b, "bianmin-closeout-v1\nstation %s\nfranchisee %s\nretired %s\n", s.ID, s.Franchisee, t.Day)
	fmt.Fprintf(&b, "settled-through %s %d %s\n", orDash(t.LastDay), t.Last.Seq, hex.EncodeToString(t.Last.Hash[:]))
	fmt.Fprintf(&b, "deposit %s\nowed %s\nreturn %s\nforks %d\n", money.FormatWire(t.Deposit), money.FormatWire(t.Owed), money.FormatWire(t.Return), t.Forks)
	if len(t.Items) > 0 || !t.Carried.IsZero() {
		fmt.Fprintf(&b, "carried %s\n", money.FormatWire(t.Carried))
		for _, l := range t.Items {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Retire settles a station for good. It is refused while files wait for a
// missing day (the settlement would not be final). A station flagged for
// a fork can retire; the statement counts the forks, which stay as
// evidence.
func (r *Registry) Retire(ctx context.Context, station string, signer note.Signer) (Station, error) {
	return r.retire(ctx, station, signer, nil)
}

func (r *Registry) retire(ctx context.Context, station string, signer note.Signer, c *Carry) (Station, error) {
	var s Station
	err := r.store.Update(ctx, func(tx Tx) error {
		var found bool
		var err error
		if s, found, err = tx.Station(station); err != nil {
			return err
		} else if !found {
			return unknownStation(station)
		}
		if s.Status == Retired {
			return refuse(ErrRetired, s.ID, "station %s retired on %s already", s.ID, s.Retirement.Day)
		}
		if s.Held > 0 {
			return refuse(ErrOpen, s.ID, "%d file(s) of station %s wait for a missing day; import the missing day first", s.Held, s.ID)
		}
		t := &Retirement{Day: r.today(s.Zone), LastDay: s.LastDay, Last: s.Last, Deposit: s.Deposit, Forks: s.Forks}
		if s.Close != nil {
			t.Owed = s.Close.Owed.Close
		}
		if c != nil {
			if c.Through != s.Last {
				return refuse(ErrOpen, s.ID, "station %s has a day accepted after entry %d that the list of what it owes did not read; retire it again", s.ID, c.Through.Seq)
			}
			t.Carried, t.Items = c.Amount, c.Lines
		}
		t.Return = t.Deposit.Add(t.Owed).Sub(t.Carried)
		t.Statement, err = note.Sign(&note.Note{Text: t.CloseOutText(&s)}, signer)
		if err != nil {
			return fmt.Errorf("registry: sign the close-out statement: %w", err)
		}
		s.Status, s.Retirement = Retired, t
		return tx.PutStation(&s)
	})
	return s, err
}
