package terminal

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/money"
)

// CashOut is an approved withdrawal: cash owed to a villager at the
// counter.
type CashOut struct {
	Seq    uint64 // the withdrawal entry
	Time   time.Time
	Card   string // masked
	Amount decimal.Decimal
	Trace  string
}

// Untold lists the withdrawals recorded since the last start that no
// screen or command was seen to show (Shown was not called for them): the
// program stopped between recording the bank's approval and telling the
// shopkeeper to pay. The customer's card was debited; whether the cash
// was handed over only the drawer can tell. When every withdrawal was
// shown, the list is empty; once toldEvery entries lie behind the mark,
// it moves on and later calls look only at later entries.
func (l *Link) Untold() ([]CashOut, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	from, set, err := l.Pending.told()
	if err != nil {
		return nil, err
	}
	if !set {
		// A store from before this mark: look no further back than the
		// last start did.
		if from, err = l.Pending.Scanned(); err != nil {
			return nil, err
		}
	}
	last := l.Ledger.Last().Seq
	if from >= last {
		return nil, nil
	}
	var out []CashOut
	err = l.Ledger.Range(from+1, last, func(e ledger.Entry) error {
		if e.Kind != SvcWithdrawal {
			return nil
		}
		if ok, err := l.Pending.Shown(e.Seq); err != nil || ok {
			return err
		}
		var p struct{ Card, Amount, Trace string }
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("terminal: withdrawal entry %d: %w", e.Seq, err)
		}
		amount, err := money.ParseWire(p.Amount)
		if err != nil {
			return fmt.Errorf("terminal: withdrawal entry %d: %w", e.Seq, err)
		}
		out = append(out, CashOut{Seq: e.Seq, Time: e.Time, Card: p.Card, Amount: amount, Trace: p.Trace})
		return nil
	})
	if err != nil || len(out) > 0 || last-from < toldEvery {
		return out, err
	}
	return nil, l.Pending.setTold(last)
}

// toldEvery is how many entries a start looks through for untold
// withdrawals before it moves the told mark on. Moving it is a write (two
// syncs); a start with nothing to recover and few entries since the mark
// writes nothing, and looks through at most this many entries (a few
// milliseconds).
const toldEvery = 256

// Shown records that the shopkeeper was told to pay out the cash of the
// withdrawal entries seqs, so that no later start reports them.
func (l *Link) Shown(seqs ...uint64) error {
	for _, seq := range seqs {
		if err := l.Pending.MarkShown(seq); err != nil {
			return err
		}
	}
	return nil
}
