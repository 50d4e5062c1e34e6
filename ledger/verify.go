package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
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
	BadIndex      = "index"      // a record kept beside the entries disagrees with them
	BadFile       = "file"       // the file's pages are inconsistent (bbolt's own check)
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

// Verifier checks a run of records in order. Numbering and the hash chain
// are checked on the caller's goroutine, since each link needs the one
// before; decoding, balance, signatures and the tally run on all cores. It
// is pure: it reads only the bytes and key it is given, so the station,
// the post office and tests run the same checks.
type Verifier struct {
	key     ed25519.PublicKey
	at      Checkpoint
	tally   bool
	sums    []Balances // one per worker, added up by Balances
	err     *VerifyError
	batch   []job
	jobs    chan []job
	wg      sync.WaitGroup
	mu      sync.Mutex
	workErr *VerifyError // the lowest-numbered failure found by a worker
	started bool
	workers int
	keep    bool
	kept    []*Entry
}

type job struct {
	seq  uint64
	body []byte
	hash [HashSize]byte
	sig  [SigSize]byte
	out  *Entry // Keep: where the decoded entry goes
}

const batchSize = 256

// NewVerifier returns a Verifier for the records that follow from. When from
// is the zero Checkpoint the first record must be a genesis entry naming key.
func NewVerifier(key ed25519.PublicKey, from Checkpoint) *Verifier {
	return &Verifier{key: key, at: from, workers: runtime.GOMAXPROCS(0)}
}

// Keep makes the Verifier keep every entry it decodes, so that a caller
// who needs them (the post office's import) does not decode them again;
// Entries returns them after Finish. Call it before Add.
func (v *Verifier) Keep() { v.keep = true }

// Entries returns the entries Keep kept, in order, after a Finish that
// found nothing wrong.
func (v *Verifier) Entries() []Entry {
	out := make([]Entry, len(v.kept))
	for i, e := range v.kept {
		out[i] = *e
	}
	return out
}

// Tally makes the Verifier add up every posting, so that the caller can
// compare the result with balances kept elsewhere. Call it before Add.
func (v *Verifier) Tally() { v.tally = true }

// Add checks the next record, stored under sequence number seq. It returns
// the first failure of numbering, chain or genesis; the failures found on
// other cores (decode, balance, signature) are reported by Finish.
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
	if len(rec) < 1+8+HashSize+SigSize {
		return fail(BadDecode, "record of %d bytes is too short", len(rec))
	}
	body := rec[:len(rec)-HashSize-SigSize]
	j := job{seq: want, body: bytes.Clone(body)}
	copy(j.hash[:], rec[len(body):])
	copy(j.sig[:], rec[len(body)+HashSize:])
	if got := ChainHash(v.at.Hash, body); got != j.hash {
		return fail(BadHash, "stored hash %x…, entry and chain give %x…", j.hash[:6], got[:6])
	}
	if inBody := binary.BigEndian.Uint64(body[1:9]); inBody != want {
		return fail(BadGap, "entry stored as %d says it is %d", want, inBody)
	}
	if want == 1 {
		e, err := Decode(body)
		if err != nil {
			return fail(BadDecode, "%v", err)
		}
		if err := v.genesis(&e); err != nil {
			return fail(BadGenesis, "%v", err)
		}
	}
	if v.key == nil {
		return fail(BadGenesis, "no key to check signatures with")
	}
	if v.keep {
		j.out = new(Entry)
		v.kept = append(v.kept, j.out)
	}
	v.batch = append(v.batch, j)
	if len(v.batch) >= batchSize {
		v.flush()
	}
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

func (v *Verifier) flush() {
	if len(v.batch) == 0 {
		return
	}
	if !v.started {
		v.started = true
		v.jobs = make(chan []job, v.workers*2)
		v.sums = make([]Balances, v.workers)
		for w := range v.workers {
			v.sums[w] = Balances{}
			v.wg.Add(1)
			go v.work(v.sums[w])
		}
	}
	v.jobs <- v.batch
	v.batch = make([]job, 0, batchSize)
}

func (v *Verifier) work(sum Balances) {
	defer v.wg.Done()
	for batch := range v.jobs {
		for _, j := range batch {
			if err := v.check(j, sum); err != nil {
				v.mu.Lock()
				if v.workErr == nil || err.Seq < v.workErr.Seq {
					v.workErr = err
				}
				v.mu.Unlock()
				break
			}
		}
	}
}

// check does the part of an entry's verification that needs no other entry.
func (v *Verifier) check(j job, sum Balances) *VerifyError {
	e, err := Decode(j.body)
	if err != nil {
		if _, ok := err.(*UnbalancedError); ok {
			return &VerifyError{Seq: j.seq, Kind: BadUnbalanced, Detail: err.Error()}
		}
		return &VerifyError{Seq: j.seq, Kind: BadDecode, Detail: err.Error()}
	}
	if j.seq > 1 && e.Kind == KindGenesis {
		return &VerifyError{Seq: j.seq, Kind: BadGenesis, Detail: "a second genesis entry"}
	}
	if !ed25519.Verify(v.key, j.hash[:], j.sig[:]) {
		return &VerifyError{Seq: j.seq, Kind: BadSignature, Detail: "the station key did not sign this entry"}
	}
	if v.tally {
		sum.add(&e)
	}
	if j.out != nil {
		e.Hash, e.Sig = j.hash, j.sig
		*j.out = e
	}
	return nil
}

// Finish waits for the signature checks and returns the last verified
// checkpoint, or the failure with the lowest sequence number.
func (v *Verifier) Finish() (Checkpoint, error) {
	v.flush()
	if v.started {
		close(v.jobs)
		v.wg.Wait()
		v.started = false
	}
	err := v.err
	if v.workErr != nil && (err == nil || v.workErr.Seq < err.Seq) {
		err = v.workErr
	}
	if err != nil {
		return Checkpoint{}, err
	}
	return v.at, nil
}

// Balances returns what Tally added up, after Finish.
func (v *Verifier) Balances() Balances {
	total := Balances{}
	for _, sum := range v.sums {
		for k, d := range sum {
			total[k] = total[k].Add(d)
		}
	}
	return total
}
