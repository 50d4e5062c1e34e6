package terminal

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/villagepost/bianmin/internal/boltcheck"
	"github.com/villagepost/bianmin/pin"
	bolt "go.etcd.io/bbolt"
)

// Roles of operators (AB岗: the owner and a backup clerk).
const (
	RoleOwner = "owner" // may also void, close the day and add operators
	RoleClerk = "clerk"
)

// Lockout after repeated wrong PINs. Wrong PINs are counted per operator
// and per place they are typed from (a client address of the screen, or
// Console), so that a guesser at one place cannot keep the operator out
// at another: MaxPINFailures in a row from one place lock the operator
// there for LockoutFor. Across all places an operator may have at most
// MaxPINFailuresPerDay wrong PINs in a calendar day; the next locks them
// everywhere until the owner unlocks them with the station key's
// passphrase (Unlock). docs/threat-model.md says why these numbers.
const (
	MaxPINFailures       = 5
	LockoutFor           = 15 * time.Minute
	MaxPINFailuresPerDay = 20
)

// Console is where a PIN typed at the station program's command line
// comes from.
const Console = "console"

// Operator is a person who may work the terminal. The PIN itself is never
// kept; only its argon2id hash.
type Operator struct {
	ID       string    `json:"id"`
	Role     string    `json:"role"`
	PINHash  string    `json:"pin_hash"`
	AddedSeq uint64    `json:"added_seq"` // the ledger entry that recorded the addition
	Failures int       `json:"failures"`  // wrong PINs in a row (before counting by place; kept for old files)
	Locked   time.Time `json:"locked_until,omitzero"`
	// From counts wrong PINs by the place they came from; a place is
	// forgotten a day after its last wrong PIN unless it is locked.
	From map[string]*Failures `json:"from,omitempty"`
	// Day and DayFailures count wrong PINs of the calendar day Day
	// (YYYY-MM-DD in the clock's zone) from every place.
	Day         string `json:"day,omitempty"`
	DayFailures int    `json:"day_failures,omitempty"`
	// Barred is set by the MaxPINFailuresPerDay-th wrong PIN of a day:
	// the operator is locked everywhere until Unlock.
	Barred bool `json:"barred,omitempty"`
}

// Failures are the wrong PINs typed for an operator at one place.
type Failures struct {
	InARow int       `json:"in_a_row"`
	Last   time.Time `json:"last"`
	Locked time.Time `json:"locked_until,omitzero"`
}

var operatorIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$`)

// Errors about operators.
var (
	ErrUnknownOperator = errors.New("terminal: no such operator")
	ErrOperatorExists  = errors.New("terminal: operator already exists")
	ErrWrongPIN        = errors.New("terminal: wrong PIN")
	ErrNotOwner        = errors.New("terminal: only the owner may do this")
)

// LockedError says an operator is locked out: at one place until a time,
// or (Barred) everywhere until the owner unlocks them.
type LockedError struct {
	ID     string
	Until  time.Time
	Barred bool
}

func (e *LockedError) Error() string {
	if e.Barred {
		return fmt.Sprintf("terminal: operator %s is locked after %d wrong PINs in a day until the owner unlocks them", e.ID, MaxPINFailuresPerDay)
	}
	return fmt.Sprintf("terminal: operator %s is locked after %d wrong PINs until %s", e.ID, MaxPINFailures, e.Until.Format("15:04"))
}

// InputError names a field a person filled in wrongly and the rule, in
// English (Rule) and in plain Chinese (RuleZh) for the shopkeeper.
type InputError struct {
	Field, Rule, RuleZh string
}

func (e *InputError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Rule) }

var bucketOperators = []byte("operators")

// Operators keeps the station's operators in their own bbolt file, next to
// the ledger. Who was added when is also in the ledger; PIN hashes and
// lockout counters are only here, since they must never travel in a
// settlement file.
type Operators struct {
	db  *bolt.DB
	now func() time.Time
}

// OpenOperators opens (or creates) the operators file at path.
func OpenOperators(path string, now func() time.Time) (*Operators, error) {
	if err := boltcheck.Freelist(path); err != nil {
		return nil, fmt.Errorf("terminal: open operators %s: damaged: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("terminal: open operators %s: %w", path, err)
	}
	if err := boltcheck.Tree(path, db.Info().PageSize); err != nil {
		db.Close()
		return nil, fmt.Errorf("terminal: open operators %s: damaged: %w", path, err)
	}
	if err := ensureBuckets(db, bucketOperators); err != nil {
		db.Close()
		return nil, fmt.Errorf("terminal: open operators %s: %w", path, err)
	}
	if now == nil {
		now = time.Now
	}
	return &Operators{db: db, now: now}, nil
}

// Close closes the file.
func (o *Operators) Close() error { return o.db.Close() }

// CheckNew reports whether id and role may be used for a new operator.
func CheckNew(id, role string) error {
	if !operatorIDRE.MatchString(id) {
		return &InputError{Field: "id", Rule: "1 to 16 letters, digits, '_' or '-', starting with a letter or digit, like OP1", RuleZh: "要写 1 到 16 个字母或数字，例如 OP1"}
	}
	if role != RoleOwner && role != RoleClerk {
		return &InputError{Field: "role", Rule: "owner or clerk", RuleZh: "只能是 owner（店主）或 clerk（店员）"}
	}
	return nil
}

// Add stores a new operator with the PIN's hash.
func (o *Operators) Add(id, role, pinCode string, addedSeq uint64) error {
	if err := CheckNew(id, role); err != nil {
		return err
	}
	hash, err := pin.Hash(pinCode, rand.Reader)
	if err != nil {
		return err
	}
	return o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOperators)
		if b.Get([]byte(id)) != nil {
			return fmt.Errorf("%w: %s", ErrOperatorExists, id)
		}
		return putOperator(b, &Operator{ID: id, Role: role, PINHash: hash, AddedSeq: addedSeq})
	})
}

func putOperator(b *bolt.Bucket, op *Operator) error {
	data, err := json.Marshal(op)
	if err != nil {
		return err
	}
	return b.Put([]byte(op.ID), data)
}

func getOperator(b *bolt.Bucket, id string) (*Operator, error) {
	data := b.Get([]byte(id))
	if data == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownOperator, id)
	}
	var op Operator
	if err := json.Unmarshal(data, &op); err != nil {
		return nil, fmt.Errorf("terminal: operator %s: %w", id, err)
	}
	return &op, nil
}

// List returns every operator, by id.
func (o *Operators) List() ([]Operator, error) {
	var ops []Operator
	err := o.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOperators).ForEach(func(k, _ []byte) error {
			op, err := getOperator(tx.Bucket(bucketOperators), string(k))
			if err == nil {
				ops = append(ops, *op)
			}
			return err
		})
	})
	sort.Slice(ops, func(i, j int) bool { return ops[i].ID < ops[j].ID })
	return ops, err
}

// Authenticate checks an operator's PIN typed at the Console.
func (o *Operators) Authenticate(id, pinCode string) (Operator, error) {
	return o.AuthenticateFrom(id, pinCode, Console)
}

// AuthenticateFrom checks an operator's PIN typed at the place from (a
// client address of the screen, or Console). After MaxPINFailures wrong
// PINs in a row from one place the operator is locked there for
// LockoutFor, even with the right PIN; other places are not. The
// MaxPINFailuresPerDay-th wrong PIN of a day, from whatever places,
// locks the operator everywhere until Unlock.
// The slow hash check runs outside the write transaction, and an unknown id
// costs the same hash check, so timing does not tell which ids exist.
func (o *Operators) AuthenticateFrom(id, pinCode, from string) (Operator, error) {
	var op *Operator
	err := o.db.View(func(tx *bolt.Tx) error {
		var err error
		op, err = getOperator(tx.Bucket(bucketOperators), id)
		return err
	})
	if errors.Is(err, ErrUnknownOperator) {
		pin.Verify(decoyHash, pinCode)
		return Operator{}, err
	}
	if err != nil {
		return Operator{}, err
	}
	if lerr := op.locked(from, o.now()); lerr != nil {
		return Operator{}, lerr
	}
	ok, err := pin.Verify(op.PINHash, pin.Normalize(pinCode))
	if err != nil {
		return Operator{}, fmt.Errorf("terminal: operator %s: %w", id, err)
	}
	if ok && op.Failures == 0 && op.Locked.IsZero() && op.From[from] == nil {
		// Nothing to count or clear at this place: a sign-in with the
		// right PIN writes nothing (the next one re-reads the record in
		// any case).
		return *op, nil
	}
	var authErr error
	err = o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOperators)
		cur, err := getOperator(b, id) // re-read: another sign-in may have counted meanwhile
		if err != nil {
			return err
		}
		now := o.now()
		if authErr = cur.locked(from, now); authErr != nil {
			return nil
		}
		cur.forget(now)
		if ok {
			delete(cur.From, from)
			cur.Failures, cur.Locked = 0, time.Time{}
			op = cur
			return putOperator(b, cur)
		}
		authErr = cur.fail(from, now)
		return putOperator(b, cur)
	})
	if err != nil {
		return Operator{}, err
	}
	if authErr != nil {
		return Operator{}, authErr
	}
	return *op, nil
}

// locked returns the LockedError that keeps op out at from, or nil.
func (op *Operator) locked(from string, now time.Time) error {
	switch {
	case op.Barred:
		return &LockedError{ID: op.ID, Barred: true}
	case now.Before(op.Locked):
		return &LockedError{ID: op.ID, Until: op.Locked}
	}
	if f := op.From[from]; f != nil && now.Before(f.Locked) {
		return &LockedError{ID: op.ID, Until: f.Locked}
	}
	return nil
}

// fail counts a wrong PIN from from and returns what to tell.
func (op *Operator) fail(from string, now time.Time) error {
	if day := now.Format("2006-01-02"); op.Day != day {
		op.Day, op.DayFailures = day, 0
	}
	op.DayFailures++
	if op.From == nil {
		op.From = map[string]*Failures{}
	}
	f := op.From[from]
	if f == nil {
		f = &Failures{}
		op.From[from] = f
	}
	f.InARow++
	f.Last = now
	if op.DayFailures >= MaxPINFailuresPerDay {
		op.Barred = true
		return &LockedError{ID: op.ID, Barred: true}
	}
	if f.InARow >= MaxPINFailures {
		f.InARow, f.Locked = 0, now.Add(LockoutFor)
		return &LockedError{ID: op.ID, Until: f.Locked}
	}
	return ErrWrongPIN
}

// forget drops the places whose last wrong PIN is a day old and that are
// not locked, so that the places kept stay few: at most
// MaxPINFailuresPerDay new ones a day.
func (op *Operator) forget(now time.Time) {
	for k, f := range op.From {
		if now.Sub(f.Last) > 24*time.Hour && !now.Before(f.Locked) {
			delete(op.From, k)
		}
	}
}

// Unlock lifts every lockout of operator id: at every place, and the
// day's lock. The caller has checked the station key's passphrase and
// records the unlock in the ledger.
func (o *Operators) Unlock(id string) error {
	return o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOperators)
		cur, err := getOperator(b, id)
		if err != nil {
			return err
		}
		cur.Failures, cur.Locked, cur.From, cur.DayFailures, cur.Barred = 0, time.Time{}, nil, 0, false
		return putOperator(b, cur)
	})
}

// IsLocked reports whether op is kept out at from at now, or everywhere.
func (op *Operator) IsLocked(from string, now time.Time) bool { return op.locked(from, now) != nil }

// LockedAt returns the *LockedError that keeps op out at from at now, or
// nil.
func (op *Operator) LockedAt(from string, now time.Time) error { return op.locked(from, now) }

// decoyHash is checked for unknown operator ids so that they take as long
// as known ones. Its PIN is not a valid PIN.
const decoyHash = "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lzYWx0ZGVjb3lzYQ$2hm3FJmC2PEWcGzN1jYQmS2IaLXC6EGH2F6EdEDTgW4"

// HasOwner reports whether any owner exists yet.
func (o *Operators) HasOwner() (bool, error) {
	ops, err := o.List()
	for _, op := range ops {
		if op.Role == RoleOwner {
			return true, err
		}
	}
	return false, err
}
