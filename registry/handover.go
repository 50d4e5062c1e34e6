package registry

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/note"
)

// Carry is what a leaving station still owes villagers, as read off its
// accepted files through Through (package handover): the money, and the
// items' lines for its close-out statement.
type Carry struct {
	Through ledger.Checkpoint
	Amount  decimal.Decimal
	Lines   []string
}

// RetireCarrying retires a station as Retire does, with what it still
// owes villagers listed on its close-out statement and taken off what it
// gets back. It is refused if a day was accepted after the entries c was
// read from.
func (r *Registry) RetireCarrying(ctx context.Context, station string, signer note.Signer, c Carry) (Station, error) {
	return r.retire(ctx, station, signer, &c)
}

// Succession is a successor enrolled for a retired station.
type Succession struct {
	Enrolment
	Old string // the retired station it takes over from
	// Sign makes the hand-over document for the old station's retirement
	// as recorded (its items), signed by the post office. It runs inside
	// the transaction that enrols the successor.
	Sign func(old *Station) ([]byte, error)
}

// EnrolSuccessor enrols a station that takes over from a retired one
// (承接), in one transaction: the old station must be retired and not
// taken over already; the hand-over document is kept with its retirement.
func (r *Registry) EnrolSuccessor(ctx context.Context, e Succession) (Station, Station, error) {
	s, err := r.checkEnrolment(ctx, e.Enrolment)
	if err != nil {
		return Station{}, Station{}, err
	}
	var old Station
	err = r.store.Update(ctx, func(tx Tx) error {
		var found bool
		if old, found, err = tx.Station(e.Old); err != nil {
			return err
		} else if !found {
			return unknownStation(e.Old)
		}
		switch {
		case old.Status != Retired || old.Retirement == nil:
			return refuse(ErrInput, e.Station, "succeeds: station %s is not retired; retire it first (postoffice retire --station %s)", old.ID, old.ID)
		case old.Retirement.Successor != "":
			return refuse(ErrInput, e.Station, "succeeds: station %s was taken over by %s already", old.ID, old.Retirement.Successor)
		case old.ID == e.Station:
			return refuse(ErrInput, e.Station, "succeeds: a station cannot take over from itself")
		}
		if err := addStation(tx, &s); err != nil {
			return err
		}
		doc, err := e.Sign(&old)
		if err != nil {
			return fmt.Errorf("registry: sign the hand-over document: %w", err)
		}
		old.Retirement.Successor, old.Retirement.Handover = s.ID, doc
		return tx.PutStation(&old)
	})
	if err != nil {
		return Station{}, Station{}, err
	}
	return s, old, nil
}

// Handover is the hand-over document the post office signed when a
// successor was enrolled for a retired station, as kept with the retired
// station's Retirement: the same bytes as the file postoffice enrol
// --succeeds writes for the USB stick.
type Handover struct {
	From     string // the retired station
	To       string // its successor
	Document []byte // the signed document (package handover)
}

// Handovers returns the hand-over documents that name successor as the
// station taking over, in order of the retired station's id; none (and
// no error) for a station that took over from nobody, or is not
// enrolled.
func (r *Registry) Handovers(ctx context.Context, successor string) ([]Handover, error) {
	list, err := r.store.Handovers(ctx, successor)
	if err != nil {
		return nil, fmt.Errorf("registry: hand-over documents for %s: %w", successor, err)
	}
	return list, nil
}

// Handovers reads every station's record: a post office has a few
// hundred, and a station asks for its hand-over documents a few times a
// day.
func (b *boltStore) Handovers(ctx context.Context, successor string) ([]Handover, error) {
	var out []Handover
	err := b.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bStations).ForEach(func(k, v []byte) error {
			// Only the retirement is decoded; a station never retired
			// has none.
			var view struct {
				Retirement *struct {
					Successor string `json:"successor"`
					Handover  []byte `json:"handover"`
				} `json:"retirement"`
			}
			if err := json.Unmarshal(v, &view); err != nil {
				return fmt.Errorf("station %s: %w", k, err)
			}
			if t := view.Retirement; t != nil && t.Successor == successor && successor != "" && len(t.Handover) > 0 {
				out = append(out, Handover{From: string(k), To: successor, Document: t.Handover})
			}
			return nil
		})
	})
	return out, err
}
