package ledger_test

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"

	"github.com/villagepost/bianmin/ledger"
	bolt "go.etcd.io/bbolt"
)

// tamperedLedger makes a ledger of a genesis and five entries, closes it,
// lets edit change the file, and returns the error a full verify reports.
func tamperedLedger(t *testing.T, edit func(entries *bolt.Bucket) error) error {
	t.Helper()
	s, _ := MustCreate(t)
	mustAppend(t, s, cashIn("k1", "2000.00"))
	for i := 2; i <= 5; i++ {
		mustAppend(t, s, withdrawal(fmt.Sprintf("k%d", i), fmt.Sprintf("%d00.00", i)))
	}
	path := s.Path()
	s.Close()
	rawUpdate(t, path, edit)
	s, err := ledger.Open(path, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = s.VerifyAll()
	return err
}

func wantVerifyError(t *testing.T, err error, seq uint64, kinds ...string) {
	t.Helper()
	var ve *ledger.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("verify: %v, want a VerifyError at entry %d", err, seq)
	}
	if ve.Seq != seq {
		t.Errorf("verify names entry %d (%v), want %d", ve.Seq, ve, seq)
	}
	for _, k := range kinds {
		if ve.Kind == k {
			return
		}
	}
	t.Errorf("verify says %q (%v), want one of %v", ve.Kind, ve, kinds)
}

func TestVerifyIntact(t *testing.T) {
	err := tamperedLedger(t, func(*bolt.Bucket) error { return nil })
	if err != nil {
		t.Fatalf("untouched ledger: %v", err)
	}
}

// TestVerifyFindsEveryFlippedByte flips each byte of entry 4 in turn.
func TestVerifyFindsEveryFlippedByte(t *testing.T) {
	s, _ := MustCreate(t)
	mustAppend(t, s, cashIn("k1", "2000.00"))
	mustAppend(t, s, withdrawal("k2", "200.00"))
	mustAppend(t, s, withdrawal("k3", "300.00"))
	mustAppend(t, s, withdrawal("k4", "400.00"))
	path := s.Path()
	s.Close()
	var orig []byte
	rawUpdate(t, path, func(b *bolt.Bucket) error { orig = append([]byte(nil), b.Get(key(4))...); return nil })
	for i := range orig {
		rawUpdate(t, path, func(b *bolt.Bucket) error {
			rec := append([]byte(nil), orig...)
			rec[i] ^= 0x01
			return b.Put(key(4), rec)
		})
		s, err := ledger.Open(path, nil)
		if err != nil {
			t.Fatalf("byte %d: open: %v", i, err)
		}
		_, err = s.VerifyAll()
		s.Close()
		var ve *ledger.VerifyError
		if !errors.As(err, &ve) || ve.Seq != 4 {
			t.Fatalf("flipping byte %d of %d in entry 4: verify says %v", i, len(orig), err)
		}
	}
	rawUpdate(t, path, func(b *bolt.Bucket) error { return b.Put(key(4), orig) })
}

func TestVerifyFindsTampering(t *testing.T) {
	t.Run("DeletedEntry", func(t *testing.T) {
		err := tamperedLedger(t, func(b *bolt.Bucket) error { return b.Delete(key(3)) })
		wantVerifyError(t, err, 3, ledger.BadGap)
	})
	t.Run("ReorderedEntries", func(t *testing.T) {
		err := tamperedLedger(t, func(b *bolt.Bucket) error {
			e3 := append([]byte(nil), b.Get(key(3))...)
			e4 := append([]byte(nil), b.Get(key(4))...)
			b.Put(key(3), e4)
			return b.Put(key(4), e3)
		})
		wantVerifyError(t, err, 3, ledger.BadHash, ledger.BadGap)
	})
	t.Run("ChangedPosting", func(t *testing.T) {
		// The clerk pays out 300.00 but books 30.00 and recomputes the hash,
		// but cannot sign without the station key.
		err := tamperedLedger(t, func(b *bolt.Bucket) error {
			e, err := ledger.DecodeRecord(b.Get(key(3)))
			if err != nil {
				return err
			}
			prev, _ := ledger.DecodeRecord(b.Get(key(2)))
			e.Postings[0].Amount = amt("30.00")
			e.Postings[1].Amount = amt("30.00")
			e.Hash = ledger.ChainHash(prev.Hash, ledger.Encode(&e))
			return b.Put(key(3), ledger.EncodeRecord(&e))
		})
		wantVerifyError(t, err, 3, ledger.BadSignature, ledger.BadHash)
	})
	t.Run("ChangedPostingWithoutRehash", func(t *testing.T) {
		err := tamperedLedger(t, func(b *bolt.Bucket) error {
			e, _ := ledger.DecodeRecord(b.Get(key(5)))
			e.Postings[1].Account = "expense:cash-variance"
			return b.Put(key(5), ledger.EncodeRecord(&e))
		})
		wantVerifyError(t, err, 5, ledger.BadHash)
	})
	t.Run("ResignedWithAnotherKey", func(t *testing.T) {
		thief := ed25519.NewKeyFromSeed(append(make([]byte, 31), 7))
		err := tamperedLedger(t, func(b *bolt.Bucket) error {
			e, _ := ledger.DecodeRecord(b.Get(key(4)))
			copy(e.Sig[:], ed25519.Sign(thief, e.Hash[:]))
			return b.Put(key(4), ledger.EncodeRecord(&e))
		})
		wantVerifyError(t, err, 4, ledger.BadSignature)
	})
	t.Run("EditedBalances", func(t *testing.T) {
		err := tamperedLedger(t, func(b *bolt.Bucket) error {
			bal := b.Tx().Bucket([]byte("balances"))
			return bal.Put([]byte("assets:cash\x00CNY"), []byte("99999"))
		})
		wantVerifyError(t, err, 6, ledger.BadBalances)
	})
}

func TestVerifyNewOnlyChecksNewEntries(t *testing.T) {
	s, _ := MustCreate(t)
	// More entries than VerifyNew checks before it moves its mark (256).
	for i := range 300 {
		mustAppend(t, s, cashIn(fmt.Sprintf("a%d", i), "1.00"))
	}
	r, err := s.VerifyNew()
	if err != nil || r.Entries != 301 || r.To.Seq != 301 {
		t.Fatalf("first VerifyNew = %+v, %v; want 301 entries", r, err)
	}
	for i := range 3 {
		mustAppend(t, s, cashIn(fmt.Sprintf("b%d", i), "1.00"))
	}
	r, err = s.VerifyNew()
	if err != nil || r.Entries != 3 || r.From.Seq != 301 || r.To.Seq != 304 {
		t.Fatalf("second VerifyNew = %+v, %v; want entries 302..304", r, err)
	}
	// A few new entries do not move the mark (a start writes nothing):
	// the next check looks at them again, with the later ones.
	mustAppend(t, s, cashIn("c", "1.00"))
	r, err = s.VerifyNew()
	if err != nil || r.Entries != 4 || r.From.Seq != 301 || r.To.Seq != 305 {
		t.Fatalf("third VerifyNew = %+v, %v; want entries 302..305", r, err)
	}
	if v, err := s.Verified(); err != nil || v.Seq != 301 {
		t.Fatalf("Verified = %v, %v; want the mark still at 301", v, err)
	}
	path := s.Path()
	s.Close()

	// Dropping the tail of history that was verified is noticed.
	rawUpdate(t, path, func(b *bolt.Bucket) error {
		for seq := uint64(305); seq >= 300; seq-- {
			if err := b.Delete(key(seq)); err != nil {
				return err
			}
		}
		return nil
	})
	s, err = ledger.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.VerifyNew()
	wantVerifyError(t, err, 300, ledger.BadTruncated)
}

func TestVerifierIsPure(t *testing.T) {
	// The post office checks records with nothing but the enrolled key.
	s, _ := MustCreate(t)
	mustAppend(t, s, withdrawal("w", "100.00"))
	var recs [][]byte
	s.Range(1, 0, func(e ledger.Entry) error { recs = append(recs, ledger.EncodeRecord(&e)); return nil })

	v := ledger.NewVerifier(testKey.Public().(ed25519.PublicKey), ledger.Checkpoint{})
	for i, r := range recs {
		if err := v.Add(uint64(i+1), r); err != nil {
			t.Fatal(err)
		}
	}
	if to, err := v.Finish(); err != nil || to != s.Last() {
		t.Fatalf("Finish = %v, %v; want %v", to, err, s.Last())
	}

	other := ed25519.NewKeyFromSeed(append(make([]byte, 31), 9)).Public().(ed25519.PublicKey)
	v = ledger.NewVerifier(other, ledger.Checkpoint{})
	err := v.Add(1, recs[0])
	wantVerifyError(t, err, 1, ledger.BadGenesis)
}
