package ledger_test

import (
	"errors"
	"os"
	"testing"

	"github.com/villagepost/bianmin/ledger"
)

func intent(key string) ledger.Draft {
	return ledger.Draft{Operator: "OP1", Kind: "intent", IdemKey: key, Payload: []byte(`{"service":"withdrawal"}`)}
}

func reopen(t *testing.T, s *ledger.Store, opts *ledger.Options) *ledger.Store {
	t.Helper()
	path := s.Path()
	s.Close()
	s, err := ledger.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.SetSigner(testKey); err != nil && (opts == nil || !opts.ReadOnly) {
		t.Fatal(err)
	}
	return s
}

func mustVerify(t *testing.T, s *ledger.Store, last uint64) {
	t.Helper()
	if r, err := s.VerifyAll(); err != nil || r.To.Seq != last {
		t.Fatalf("VerifyAll = %+v, %v; want a ledger ending at %d", r, err, last)
	}
}

// TestPrepareThenCommit: a prepared entry is recorded with the entries
// that follow it in one transaction, numbered in order, and the chain
// verifies. Nothing else comes in between: an Append made meanwhile
// waits, and follows them.
func TestPrepareThenCommit(t *testing.T) {
	s, _ := MustCreate(t)
	in, added, err := s.Prepare(intent("i1"))
	if err != nil || !added || in.Seq != 2 {
		t.Fatalf("Prepare = %+v, %v, %v", in, added, err)
	}
	if s.Last().Seq != 1 {
		t.Fatalf("the prepared entry is recorded already: last %d", s.Last().Seq)
	}
	type appendResult struct {
		e   ledger.Entry
		err error
	}
	appended := make(chan appendResult)
	go func() {
		e, _, err := s.Append(cashIn("c", "5.00"))
		appended <- appendResult{e, err}
	}()
	out, err := s.CommitPrepared(withdrawal("w", "100.00"))
	if err != nil || len(out) != 1 || out[0].Seq != 3 || out[0].Prev != in.Hash {
		t.Fatalf("CommitPrepared = %+v, %v", out, err)
	}
	if r := <-appended; r.err != nil || r.e.Seq != 4 {
		t.Errorf("the append made meanwhile is entry %d (%v), want 4: after the prepared entry and its outcome", r.e.Seq, r.err)
	}
	mustVerify(t, s, 4)
	if _, err := s.CommitPrepared(); !errors.Is(err, ledger.ErrNotPrepared) {
		t.Errorf("CommitPrepared with nothing prepared: %v", err)
	}
}

// TestPrepareRetryIsAnswered: the same idempotency key again returns the
// entry recorded before, and prepares nothing.
func TestPrepareRetryIsAnswered(t *testing.T) {
	s, _ := MustCreate(t)
	if _, _, err := s.Prepare(intent("i1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitPrepared(); err != nil {
		t.Fatal(err)
	}
	e, added, err := s.Prepare(intent("i1"))
	if err != nil || added || e.Seq != 2 {
		t.Fatalf("Prepare again = %+v, %v, %v; want entry 2, not added", e, added, err)
	}
	if _, err := s.CommitPrepared(); !errors.Is(err, ledger.ErrNotPrepared) {
		t.Errorf("a retry prepared something: %v", err)
	}
	mustAppend(t, s, cashIn("c", "1.00")) // appends are not held
}

// TestPreparedBrokenDraft: a draft that breaks a rule records nothing and
// leaves the entry prepared, to be recorded alone.
func TestPreparedBrokenDraft(t *testing.T) {
	s, _ := MustCreate(t)
	if _, _, err := s.Prepare(intent("i1")); err != nil {
		t.Fatal(err)
	}
	bad := withdrawal("w", "100.00")
	bad.Postings = bad.Postings[:1] // unbalanced
	if _, err := s.CommitPrepared(bad); err == nil {
		t.Fatal("an unbalanced entry was recorded")
	}
	if s.Last().Seq != 1 {
		t.Fatalf("a refused draft recorded something: last %d", s.Last().Seq)
	}
	if out, err := s.CommitPrepared(); err != nil || len(out) != 0 {
		t.Fatalf("the intent alone: %v, %v", out, err)
	}
	mustVerify(t, s, 2)
}

// TestPreparedSurvivesACrash: an entry prepared and never committed (the
// program died while the host was asked) is recorded when the ledger is
// opened again, before anything else; a read-only open leaves it be.
func TestPreparedSurvivesACrash(t *testing.T) {
	s, _ := MustCreate(t)
	mustAppend(t, s, cashIn("c", "500.00"))
	in, _, err := s.Prepare(intent("i1"))
	if err != nil {
		t.Fatal(err)
	}
	ro := reopen(t, s, &ledger.Options{ReadOnly: true}) // Close: what the kernel does for a killed program
	if ro.Last().Seq != 2 {
		t.Errorf("a read-only open recorded the prepared entry")
	}
	s = reopen(t, ro, nil)
	if last := s.Last(); last.Seq != 3 || last.Hash != in.Hash {
		t.Fatalf("after the crash the ledger ends at %v; want the prepared entry %d", last, in.Seq)
	}
	if e, err := s.ByIdemKey("i1"); err != nil || e.Seq != 3 {
		t.Errorf("the recorded intent: %+v, %v", e, err)
	}
	mustVerify(t, s, 3)
	// Opening again changes nothing.
	s = reopen(t, s, nil)
	mustVerify(t, s, 3)
	mustAppend(t, s, withdrawal("w", "100.00"))
	mustVerify(t, s, 4)
}

// TestPreparedFileCases: a record cut short (the crash came before its
// sync, so the host was never asked) is dropped; one recorded already is
// forgotten; one that does not follow the ledger makes it refuse to open.
func TestPreparedFileCases(t *testing.T) {
	t.Run("CutShort", func(t *testing.T) {
		s, _ := MustCreate(t)
		if _, _, err := s.Prepare(intent("i1")); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(s.Path() + ".prepared")
		s.Close()
		os.WriteFile(s.Path()+".prepared", data[:len(data)-10], 0o600)
		s = reopen(t, s, nil)
		if s.Last().Seq != 1 {
			t.Errorf("a record cut short was recorded: last %d", s.Last().Seq)
		}
		mustVerify(t, s, 1)
	})
	t.Run("RecordedAlready", func(t *testing.T) {
		s, _ := MustCreate(t)
		if _, _, err := s.Prepare(intent("i1")); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(s.Path() + ".prepared")
		if _, err := s.CommitPrepared(withdrawal("w", "1.00")); err != nil {
			t.Fatal(err)
		}
		s.Close()
		os.WriteFile(s.Path()+".prepared", data, 0o600) // the emptying did not reach the disk
		s = reopen(t, s, nil)
		mustVerify(t, s, 3)
	})
	t.Run("DoesNotFollow", func(t *testing.T) {
		s, _ := MustCreate(t)
		if _, _, err := s.Prepare(intent("i1")); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(s.Path() + ".prepared")
		if _, err := s.CommitPrepared(); err != nil {
			t.Fatal(err)
		}
		mustAppend(t, s, cashIn("c", "1.00")) // entry 3
		path := s.Path()
		s.Close()
		// Entry 2's record again, edited: another entry under number 2.
		data[len(data)-1] ^= 1
		os.WriteFile(path+".prepared", data, 0o600)
		_, err := ledger.Open(path, nil)
		var ce *ledger.CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("open with a prepared entry that contradicts the ledger: %v", err)
		}
	})
}
