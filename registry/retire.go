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
func (t *Retirement) CloseOutText(s *Station) string {
	var b strings.Builder
	fmt.Fprintf(&b, "bianmin-closeout-v1\nstation %s\nfranchisee %s\nretired %s\n", s.ID, s.Franchisee, t.Day)
	fmt.Fprintf(&b, "settled-through %s %d %s\n", orDash(t.LastDay), t.Last.Seq, hex.EncodeToString(t.Last.Hash[:]))
	fmt.Fprintf(&b, "deposit %s\nowed %s\nreturn %s\nforks %d\n", money.FormatWire(t.Deposit), money.FormatWire(t.Owed), money.FormatWire(t.Return), t.Forks)
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
		t.Return = t.Deposit.Add(t.Owed)
		t.Statement, err = note.Sign(&note.Note{Text: t.CloseOutText(&s)}, signer)
		if err != nil {
			return fmt.Errorf("registry: sign the close-out statement: %w", err)
		}
		s.Status, s.Retirement = Retired, t
		return tx.PutStation(&s)
	})
	return s, err
}
