package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/internal/boltcheck"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Buckets of the ledger file.
var (
	bucketEntries   = []byte("entries")   // u64be seq -> record (EncodeRecord)
	bucketIdem      = []byte("idem")      // idempotency key -> u64be seq
	bucketDays      = []byte("days")      // "YYYY-MM-DD" -> u64be first seq of the day
	bucketBalances  = []byte("balances")  // account "\x00" commodity -> decimal text
	bucketSnapshots = []byte("snapshots") // u64be seq -> JSON balances after seq
	bucketMeta      = []byte("meta")
)

// Keys of the meta bucket.
var (
	metaGenesis  = []byte("genesis")  // the genesis payload, JSON
	metaVerified = []byte("verified") // u64be seq || hash: the last verified checkpoint
	metaClosed   = []byte("closed")   // the last business day closed
)

// SnapshotEvery is how often (in entries) the store keeps a copy of all
// balances, so that balances at any sequence need at most this many entries
// read.
const SnapshotEvery = 4096

// Errors a caller can test for with errors.Is.
var (
	ErrNotFound = errors.New("ledger: not found")
	ErrExists   = errors.New("ledger: a ledger already exists here")
	ErrNoLedger = errors.New("ledger: no ledger here")
	ErrInUse    = errors.New("ledger: the ledger is open in another program")
	ErrNoSigner = errors.New("ledger: the station key is not unlocked")
	ErrReadOnly = errors.New("ledger: opened read-only")
)

// CorruptError reports a ledger file that cannot be read as a ledger.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("ledger: %s is damaged or not a station ledger: %v", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// ConflictError reports an idempotency key already used for an entry with
// different content.
type ConflictError struct {
	IdemKey string
	Seq     uint64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("ledger: idempotency key %q was already used by entry %d for something else", e.IdemKey, e.Seq)
}

// Options tune Open and Create; nil means defaults.
type Options struct {
	Now      func() time.Time // the clock; time.Now if nil
	Timeout  time.Duration    // how long to wait for another program's lock; 1s if zero
	ReadOnly bool

	// NoSync skips fsync on commit. It is for building large test and
	// benchmark ledgers only: a station must never set it, since a power
	// cut could then lose entries it reported as recorded.
	NoSync bool
}

func (o *Options) now() time.Time {
	if o == nil || o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o *Options) bolt() *bolt.Options {
	b := &bolt.Options{Timeout: time.Second}
	if o != nil {
		if o.Timeout > 0 {
			b.Timeout = o.Timeout
		}
		b.ReadOnly = o.ReadOnly
		b.NoSync = o.NoSync
	}
	return b
}

// Store is a ledger in a bbolt file. Its methods are safe for concurrent use;
// appends are serialised.
type Store struct {
	path    string
	db      *bolt.DB
	opts    *Options
	genesis Genesis
	zone    *time.Location
	cutoff  time.Duration

	// appending serialises appends, and is held from Prepare to
	// CommitPrepared.
	appending sync.Mutex
	prepared  *Entry // prepared, durable in the prepared file, not yet committed

	mu     sync.Mutex // guards what follows
	signer ed25519.PrivateKey
	last   Checkpoint
	day    string // business day of the last entry
	closed string // last business day closed
	broken error  // why the last entry cannot be read, if it cannot
}

// Create makes a new ledger file at path whose genesis entry, made by
// operator at the current time, describes g and is signed by priv.
func Create(path string, g Genesis, operator string, priv ed25519.PrivateKey, opts *Options) (*Store, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, path)
	}
	g.Format = Format
	g.PublicKey = priv.Public().(ed25519.PublicKey)
	if g.Cutoff == "" {
		g.Cutoff = DefaultCutoff
	}
	zone, err := time.LoadLocation(g.Zone)
	if err != nil || g.Zone == "" {
		return nil, &FieldError{Field: "zone", Rule: fmt.Sprintf("%q is not a time zone like Asia/Shanghai", g.Zone)}
	}
	cutoff, err := ParseCutoff(g.Cutoff)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("ledger: genesis: %w", err)
	}
	now := opts.now().UTC().Truncate(time.Millisecond)
	e := Entry{
		Seq: 1, Time: now, Day: BusinessDay(now, zone, cutoff),
		Terminal: g.Terminal, Operator: operator, Kind: KindGenesis,
		IdemKey: "genesis:" + g.Terminal, Payload: payload,
	}
	if !idShape.match(g.Terminal) {
		return nil, &FieldError{Field: "terminal", Rule: fmt.Sprintf("%q: must be %s", g.Terminal, idShape.rule)}
	}
	if err := e.Check(); err != nil {
		return nil, err
	}
	seal(&e, priv)
	db, err := bolt.Open(path, 0o600, opts.bolt())
	if err != nil {
		return nil, openError(path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketEntries, bucketIdem, bucketDays, bucketBalances, bucketSnapshots, bucketMeta} {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Put(metaGenesis, payload); err != nil {
			return err
		}
		return put(tx, &e)
	})
	if err != nil {
		db.Close()
		os.Remove(path)
		return nil, fmt.Errorf("ledger: create %s: %w", path, err)
	}
	s := &Store{path: path, db: db, opts: opts, genesis: g, zone: zone, cutoff: cutoff, signer: priv,
		last: Checkpoint{1, e.Hash}, day: e.Day}
	return s, nil
}

// Open opens the ledger at path.
func Open(path string, opts *Options) (s *Store, err error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoLedger, path)
	}
	var db *bolt.DB
	defer func() {
		if err != nil && db != nil {
			db.Close()
		}
	}()
	defer guard(path, &err)()
	if err := boltcheck.Freelist(path); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	db, err = bolt.Open(path, 0o600, opts.bolt())
	if err != nil {
		return nil, openError(path, err)
	}
	// Now that the file is locked, and before anything reads its pages.
	if err := boltcheck.Tree(path, db.Info().PageSize); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	s = &Store{path: path, db: db, opts: opts}
	if err := s.load(); err != nil {
		return nil, err
	}
	if opts == nil || !opts.ReadOnly {
		// An entry a crash left prepared is recorded before anything
		// else (it writes only then).
		if err := s.recoverPrepared(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func openError(path string, err error) error {
	if errors.Is(err, bolterrors.ErrTimeout) {
		return fmt.Errorf("%w: %s", ErrInUse, path)
	}
	return &CorruptError{Path: path, Err: err}
}

// guard turns a panic inside bbolt (which it raises on some damaged pages)
// and a memory fault on its mapping of a truncated file into a
// CorruptError. Use it as defer guard(path, &err)().
func guard(path string, err *error) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			*err = &CorruptError{Path: path, Err: fmt.Errorf("%v", r)}
		}
	}
}

func (s *Store) load() error {
	return s.db.View(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				return &CorruptError{Path: s.path, Err: fmt.Errorf("the ledger's %s bucket is missing", name)}
			}
		}
		entries := tx.Bucket(bucketEntries)
		g, err := signedGenesis(entries)
		if err != nil {
			return &CorruptError{Path: s.path, Err: fmt.Errorf("genesis: %w", err)}
		}
		s.genesis = g
		if s.zone, err = time.LoadLocation(s.genesis.Zone); err != nil {
			return &CorruptError{Path: s.path, Err: err}
		}
		if s.cutoff, err = ParseCutoff(s.genesis.Cutoff); err != nil {
			return &CorruptError{Path: s.path, Err: err}
		}
		k, v := entries.Cursor().Last()
		s.last.Seq = seqOf(k)
		if s.closed, err = lastClosed(entries); err != nil {
			s.broken = &CorruptError{Path: s.path, Err: err}
			return nil
		}
		e, err := DecodeRecord(v)
		if err != nil {
			// Open anyway so that Verify can name what is wrong; Append
			// refuses to extend a ledger whose end cannot be read.
			s.broken = &CorruptError{Path: s.path, Err: fmt.Errorf("last entry %d: %w", s.last.Seq, err)}
			return nil
		}
		s.last.Hash = e.Hash
		s.day = e.Day
		return nil
	})
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

// Genesis returns what entry 1 says about the station.
func (s *Store) Genesis() Genesis { return s.genesis }

// Zone returns the station's time zone.
func (s *Store) Zone() *time.Location { return s.zone }

// Last returns the sequence number and hash of the last entry.
func (s *Store) Last() Checkpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Today returns the business day the clock says it is, whatever the
// ledger holds (CurrentDay never goes back before the last entry's day).
func (s *Store) Today() string { return BusinessDay(s.opts.now(), s.zone, s.cutoff) }

// LastDay returns the business day of the last entry.
func (s *Store) LastDay() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.day
}

// Closed returns the last business day closed, or "".
func (s *Store) Closed() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// CurrentDay returns the business day a new entry made now would belong to.
func (s *Store) CurrentDay() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextDay(BusinessDay(s.opts.now(), s.zone, s.cutoff))
}

// nextDay moves day forward past the last entry's day and the last closed
// day, so that business days never go backwards and a closed day stays
// closed.
func (s *Store) nextDay(day string) string { return nextDay(day, s.day, s.closed) }

func nextDay(day, last, closed string) string {
	if day < last {
		day = last
	}
	if closed != "" && day <= closed {
		day = NextDay(closed)
	}
	return day
}

// SetSigner unlocks appending with the station's private key, which must
// match the key in the genesis entry.
func (s *Store) SetSigner(priv ed25519.PrivateKey) error {
	if len(priv) != ed25519.PrivateKeySize || !bytes.Equal(priv.Public().(ed25519.PublicKey), s.genesis.PublicKey) {
		return errors.New("ledger: this key is not the station's key")
	}
	s.mu.Lock()
	s.signer = priv
	s.mu.Unlock()
	return nil
}

func seal(e *Entry, priv ed25519.PrivateKey) {
	e.Hash = ChainHash(e.Prev, Encode(e))
	copy(e.Sig[:], ed25519.Sign(priv, e.Hash[:]))
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// put stores a sealed entry with its indexes and balances.
func put(tx *bolt.Tx, e *Entry) error {
	key := seqKey(e.Seq)
	if err := tx.Bucket(bucketEntries).Put(key, EncodeRecord(e)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketIdem).Put([]byte(e.IdemKey), key); err != nil {
		return err
	}
	days := tx.Bucket(bucketDays)
	if days.Get([]byte(e.Day)) == nil {
		if err := days.Put([]byte(e.Day), key); err != nil {
			return err
		}
	}
	bal := tx.Bucket(bucketBalances)
	for _, p := range e.Postings {
		k := balanceKey(Account{p.Account, p.Commodity})
		cur := decimal.Zero
		if v := bal.Get(k); v != nil {
			var err error
			if cur, err = decimal.NewFromString(string(v)); err != nil {
				return fmt.Errorf("stored balance of %s: %w", p.Account, err)
			}
		}
		if err := bal.Put(k, []byte(cur.Add(p.Signed()).String())); err != nil {
			return err
		}
	}
	if e.Kind == KindDayClose {
		if err := tx.Bucket(bucketMeta).Put(metaClosed, []byte(e.Day)); err != nil {
			return err
		}
	}
	if e.Seq%SnapshotEvery == 0 {
		b, err := readBalances(tx)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketSnapshots).Put(key, encodeBalances(b)); err != nil {
			return err
		}
	}
	return nil
}

func balanceKey(a Account) []byte { return []byte(a.Name + "\x00" + a.Commodity) }

func readBalances(tx *bolt.Tx) (Balances, error) {
	b := Balances{}
	err := tx.Bucket(bucketBalances).ForEach(func(k, v []byte) error {
		name, commodity, ok := bytes.Cut(k, []byte{0})
		if !ok {
			return fmt.Errorf("balance key %q", k)
		}
		d, err := decimal.NewFromString(string(v))
		if err != nil {
			return fmt.Errorf("balance of %s: %w", name, err)
		}
		b[Account{string(name), string(commodity)}] = d
		return nil
	})
	return b, err
}

func encodeBalances(b Balances) []byte {
	var list [][3]string
	for _, x := range b.Sorted() {
		list = append(list, [3]string{x.Name, x.Commodity, x.Amount.String()})
	}
	out, _ := json.Marshal(list)
	return out
}

func decodeBalances(data []byte) (Balances, error) {
	var list [][3]string
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	b := Balances{}
	for _, x := range list {
		d, err := decimal.NewFromString(x[2])
		if err != nil {
			return nil, err
		}
		b[Account{x[0], x[1]}] = d
	}
	return b, nil
}
