package registry

import (
	"context"
	"fmt"
	"time"
)

// Decision is the post office's signed decision on a station's dispute
// (package decision), as the registry keeps it: every server sharing
// the store hands the station the same one, and a dispute is decided
// once, whichever server is asked.
type Decision struct {
	Station string    `json:"station"`
	Dispute uint64    `json:"dispute"` // the station's dispute entry
	At      time.Time `json:"at"`      // when it was recorded
	Note    []byte    `json:"note"`    // the signed decision, as signed
}

// DecidedError refuses a second decision on a dispute: the first stands.
type DecidedError struct {
	First Decision
}

func (e *DecidedError) Error() string {
	return fmt.Sprintf("registry: dispute %s was decided already (recorded %s)", TraceOf(e.First.Station, e.First.Dispute), e.First.At.Format(time.RFC3339))
}

// SaveDecision records the post office's decision on a station's
// dispute unless one is recorded: then nothing is written and the
// answer is a *DecidedError carrying the first. The store decides, in
// its transaction, so two servers deciding the same dispute at once
// record one decision.
func (r *Registry) SaveDecision(ctx context.Context, station string, dispute uint64, note []byte) (Decision, error) {
	if station == "" || dispute == 0 || len(note) == 0 {
		return Decision{}, fmt.Errorf("registry: decision: station %q, dispute %d, %d bytes: want all three", station, dispute, len(note))
	}
	d := Decision{Station: station, Dispute: dispute, At: r.stamp(), Note: append([]byte(nil), note...)}
	var first *Decision
	err := r.store.Update(ctx, func(tx Tx) error {
		var err error
		first, err = tx.AddDecision(d)
		return err
	})
	if err != nil {
		return Decision{}, err
	}
	if first != nil {
		return *first, &DecidedError{First: *first}
	}
	return d, nil
}

// Decisions calls fn with the decisions recorded on a station's
// disputes (station "": every station's, in order of station), in order
// of dispute.
func (r *Registry) Decisions(ctx context.Context, station string, fn func(Decision) error) error {
	return r.store.Decisions(ctx, station, fn)
}
