package terminal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/villagepost/bianmin/ledger"
)

// The pending store is a working list beside the ledger, unsigned. What a
// host is sent, what the day's settlement file carries and what the
// screen promises is therefore never read from it: each item's trace,
// request, time and promised confirmation are taken from its intent and
// outcome entries in the signed ledger every time the item is used. The
// store holds only what must still happen (checked to be one of the
// states), whether a queued payment may have reached its biller, and two
// working notes shown in the queue (how often the host was tried, the
// last error). A record that does not read back strictly (an unknown
// field, another intent than its key, an unknown state) is refused as
// damaged (docs/ledger-format.md).

// DamagedPendingError says the pending store, or its record of one
// request (Intent), is damaged.
type DamagedPendingError struct {
	Path   string // the store's file, when known
	Intent uint64 // 0: the file itself
	Why    string
}

func (e *DamagedPendingError) Error() string {
	if e.Intent == 0 {
		return fmt.Sprintf("terminal: the pending store %s is damaged: %s", e.Path, e.Why)
	}
	return fmt.Sprintf("terminal: the pending store's record of entry %d is damaged: %s", e.Intent, e.Why)
}

// pendingItems lists the pending items as the ledger says them, oldest
// intent first.
func pendingItems(lg LinkLedger, p *Pending) ([]PendingItem, error) {
	var out []PendingItem
	err := p.each(func(seq uint64, v []byte) error {
		it, err := checkedItem(lg, seq, v)
		if err != nil {
			return err
		}
		out = append(out, it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pendingItem is the item of intent seq as the ledger says it.
func pendingItem(lg LinkLedger, p *Pending, seq uint64) (PendingItem, bool, error) {
	v, err := p.raw(seq)
	if err != nil || v == nil {
		return PendingItem{}, false, err
	}
	it, err := checkedItem(lg, seq, v)
	return it, err == nil, err
}

// checkedItem reads the stored record v of intent seq strictly and
// replaces everything the ledger holds by the ledger's.
func checkedItem(lg LinkLedger, seq uint64, v []byte) (PendingItem, error) {
	var stored PendingItem
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&stored); err != nil {
		return PendingItem{}, &DamagedPendingError{Intent: seq, Why: err.Error()}
	}
	if dec.More() {
		return PendingItem{}, &DamagedPendingError{Intent: seq, Why: "more after the record"}
	}
	if stored.Intent != seq {
		return PendingItem{}, &DamagedPendingError{Intent: seq, Why: fmt.Sprintf("it names entry %d", stored.Intent)}
	}
	switch stored.State {
	case PendingUnknown, PendingReverse, PendingForward, PendingWaitlist:
	default:
		return PendingItem{}, &DamagedPendingError{Intent: seq, Why: fmt.Sprintf("unknown state %q", stored.State)}
	}
	intent, err := lg.Get(seq)
	if err != nil {
		return PendingItem{}, &DamagedPendingError{Intent: seq, Why: err.Error()}
	}
	if intent.Kind != KindIntent {
		return PendingItem{}, &DamagedPendingError{Intent: seq, Why: "entry " + fmt.Sprint(seq) + " is a " + intent.Kind + ", not a request to a host"}
	}
	var p struct {
		Service, Biller, Account, Amount string
	}
	if err := json.Unmarshal(intent.Payload, &p); err != nil {
		return PendingItem{}, fmt.Errorf("terminal: intent %d: %w", seq, err)
	}
	g := lg.Genesis()
	trace := traceOf(g.Terminal, seq)
	it := PendingItem{
		Intent: seq, Trace: trace, State: stored.State, Since: intent.Time,
		Request: HostRequest{Trace: trace, Terminal: g.Terminal, Service: p.Service,
			Biller: p.Biller, Account: p.Account, Amount: p.Amount, Queued: stored.State == PendingForward},
		Attempts: stored.Attempts, LastError: stored.LastError, MaybeSent: stored.MaybeSent,
	}
	if stored.State == PendingForward {
		out, err := lg.ByIdemKey(outcomeKey(seq))
		if err != nil && !errors.Is(err, ledger.ErrNotFound) {
			return PendingItem{}, err
		}
		var o struct {
			ConfirmBy string `json:"confirm_by"`
		}
		if err == nil && json.Unmarshal(out.Payload, &o) == nil && o.ConfirmBy != "" {
			it.ConfirmBy, _ = time.Parse(time.RFC3339, o.ConfirmBy)
		}
	}
	return it, nil
}
