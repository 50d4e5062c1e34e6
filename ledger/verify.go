package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
)

// Kinds of VerifyError.
const (
	BadDecode     = "decode"     // the record cannot be read
	BadGap        = "gap"        // a sequence number is missing, repeated or out of order
	BadHash       = "hash"       // the entry's bytes or the chain link changed
	BadSignature  = "signature"  // the station key did not sign this hash
	BadUnbalanced = "unbalanced" // debits differ from credits
	BadGenesis    = "genesis"    // entry 1 is not a genesis for the expected key
	BadBalances   = "balances"   // the stored balances differ from the entries
	BadTruncated  = "truncated"  // entries the station once verified are gone
)

// VerifyError names the first entry that fails verification and why.
type VerifyError struct {
	Seq    uint64
	Kind   string
	Detail string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("ledger: entry %d: %s: %s", e.Seq, e.Kind, e.Detail)
}

// Checkpoint is a verified point in the chain: the last sequence number and
// its hash. The zero Checkpoint is the start of a ledger.
type Checkpoint struct {
	Seq  uint64
	Hash [HashSize]byte
}

func (c Checkpoint) String() string {
	return fmt.Sprintf("%d/%s", c.Seq, hex.EncodeToString(c.Hash[:]))
}

// Verifier checks a run of records in order: numbering, chain, balance and
// genesis on the caller's goroutine, signatures on all cores. It is pure: it
// reads only the bytes and key it is given, so the station, the post office
// and tests run the same checks.
type Verifier struct {
	key   ed25519.PublicKey
	at    Checkpoint
	tally Balances // nil unless Tally was called

	err     *VerifyError // first sequential failure
	batch   []sigJob
	jobs    chan []sigJob
	wg      sync.WaitGroup
	mu      sync.Mutex
	sigErr  *VerifyError
	started bool
	workers int
}

type sigJob struct {
	seq  uint64
	hash [HashSize]byte
	sig  [SigSize]byte
}

const sigBatch = 256

// NewVerifier returns a Verifier for the records that follow from. When from
// is the zero Checkpoint the first record must be a genesis entry naming key.
func NewVerifier(key ed25519.PublicKey, from Checkpoint) *Verifier {
	return &Verifier{key: key, at: from, workers: runtime.GOMAXPROCS(0)}
}

// Tally makes the Verifier add up every posting, so that the caller can
// compare the result with balances kept elsewhere. Call it before Add.
func (v *Verifier) Tally() { v.tally = Balances{} }

// Add checks the next record, stored under sequence number seq. It returns
// the first sequential failure (gap, hash, decode, balance, genesis);
// signature failures are reported by Finish.
func (v *Verifier) Add(seq uint64, rec []byte) error {
	if v.err != nil {
		return v.err
	}
	want := v.at.Seq + 1
	fail := func(kind, format string, args ...any) error {
		v.err = &VerifyError{Seq: want, Kind: kind, Detail: fmt.Sprintf(format, args...)}
		return v.err
	}
	if seq != want {
		return fail(BadGap, "next entry stored is %d", seq)
	}
	if len(rec) < HashSize+SigSize+1 {
		return fail(BadDecode, "record of %d bytes is too short", len(rec))
	}
	body := rec[:len(rec)-HashSize-SigSize]
	var j sigJob
	j.seq = want
	copy(j.hash[:], rec[len(body):])
	copy(j.sig[:], rec[len(body)+HashSize:])
	if got := ChainHash(v.at.Hash, body); got != j.hash {
		return fail(BadHash, "stored hash %x…, entry and chain give %x…", j.hash[:6], got[:6])
	}
	e, err := Decode(body)
	if err != nil {
		if _, ok := err.(*UnbalancedError); ok {
			return fail(BadUnbalanced, "%v", err)
		}
		return fail(BadDecode, "%v", err)
	}
	if e.Seq != want {
		return fail(BadGap, "entry stored as %d says it is %d", want, e.Seq)
	}
	if want == 1 {
		if err := v.genesis(&e); err != nil {
			return fail(BadGenesis, "%v", err)
		}
	} else if e.Kind == KindGenesis {
		return fail(BadGenesis, "a second genesis entry")
	}
	if v.tally != nil {
		v.tally.add(&e)
	}
	v.queue(j)
	v.at = Checkpoint{Seq: want, Hash: j.hash}
	return nil
}

func (v *Verifier) genesis(e *Entry) error {
	if e.Kind != KindGenesis {
		return fmt.Errorf("entry 1 is %q, want %q", e.Kind, KindGenesis)
	}
	var g Genesis
	if err := json.Unmarshal(e.Payload, &g); err != nil {
		return fmt.Errorf("payload: %v", err)
	}
	if len(g.PublicKey) != ed25519.PublicKeySize {
		return fmt.Errorf("public key of %d bytes", len(g.PublicKey))
	}
	if v.key == nil {
		v.key = g.PublicKey
	} else if !bytes.Equal(v.key, g.PublicKey) {
		return fmt.Errorf("genesis key %x… is not the expected key %x…", g.PublicKey[:6], v.key[:6])
	}
	if g.Terminal != e.Terminal {
		return fmt.Errorf("genesis names terminal %q but is made by %q", g.Terminal, e.Terminal)
	}
	return nil
}

func (v *Verifier) queue(j sigJob) {
	v.batch = append(v.batch, j)
	if len(v.batch) >= sigBatch {
		v.flush()
	}
}

func (v *Verifier) flush() {
	if len(v.batch) == 0 {
		return
	}
	if !v.started {
		v.started = true
		v.jobs = make(chan []sigJob, v.workers*2)
		for range v.workers {
			v.wg.Add(1)
			go v.work()
		}
	}
	v.jobs <- v.batch
	v.batch = make([]sigJob, 0, sigBatch)
}

func (v *Verifier) work() {
	defer v.wg.Done()
	for batch := range v.jobs {
		for _, j := range batch {
			if ed25519.Verify(v.key, j.hash[:], j.sig[:]) {
				continue
			}
			v.mu.Lock()
			if v.sigErr == nil || j.seq < v.sigErr.Seq {
				v.sigErr = &VerifyError{Seq: j.seq, Kind: BadSignature, Detail: "the station key did not sign this entry"}
			}
			v.mu.Unlock()
			break
		}
	}
}

// Finish waits for the signature checks and returns the last verified
// checkpoint, or the failure with the lowest sequence number.
func (v *Verifier) Finish() (Checkpoint, error) {
	if v.key == nil && v.at.Seq > 0 {
		v.err = &VerifyError{Seq: v.at.Seq, Kind: BadGenesis, Detail: "no key to check signatures with"}
	}
	v.flush()
	if v.started {
		close(v.jobs)
		v.wg.Wait()
		v.started = false
	}
	err := v.err
	if v.sigErr != nil && (err == nil || v.sigErr.Seq < err.Seq) {
		err = v.sigErr
	}
	if err != nil {
		return Checkpoint{}, err
	}
	return v.at, nil
}

// Balances returns what Tally added up.
func (v *Verifier) Balances() Balances { return v.tally }
