package terminal

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/villagepost/bianmin/pin"
	bolt "go.etcd.io/bbolt"
)

// Roles of operators (AB岗: the owner and a backup clerk).
const (
	RoleOwner = "owner" // may also void, close the day and add operators
	RoleClerk = "clerk"
)

// Lockout after repeated wrong PINs.
const (
	MaxPINFailures = 5
	LockoutFor     = 15 * time.Minute
)

// Operator is a person who may work the terminal. The PIN itself is never
// kept; only its argon2id hash.
type Operator struct {
	ID       string    `json:"id"`
	Role     string    `json:"role"`
	PINHash  string    `json:"pin_hash"`
	AddedSeq uint64    `json:"added_seq"` // the ledger entry that recorded the addition
	Failures int       `json:"failures"`  // wrong PINs in a row
	Locked   time.Time `json:"locked_until,omitzero"`
}

var operatorIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$`)

// Errors about operators.
var (
	ErrUnknownOperator = errors.New("terminal: no such operator")
	ErrOperatorExists  = errors.New("terminal: operator already exists")
	ErrWrongPIN        = errors.New("terminal: wrong PIN")
	ErrNotOwner        = errors.New("terminal: only the owner may do this")
)

// LockedError says an operator is locked out until a time.
type LockedError struct {
	ID    string
	Until time.Time
}

func (e *LockedError) Error() string {
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
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("terminal: open operators %s: %w", path, err)
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

// Authenticate checks an operator's PIN. After MaxPINFailures wrong PINs in
// a row the operator is locked for LockoutFor, even with the right PIN.
// The slow hash check runs outside the write transaction, and an unknown id
// costs the same hash check, so timing does not tell which ids exist.
func (o *Operators) Authenticate(id, pinCode string) (Operator, error) {
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
	if now := o.now(); now.Before(op.Locked) {
		return Operator{}, &LockedError{ID: id, Until: op.Locked}
	}
	ok, err := pin.Verify(op.PINHash, pin.Normalize(pinCode))
	if err != nil {
		return Operator{}, fmt.Errorf("terminal: operator %s: %w", id, err)
	}
	if ok && op.Failures == 0 && op.Locked.IsZero() {
		// Nothing to count or clear: a sign-in with the right PIN writes
		// nothing (the next one re-reads the record in any case).
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
		switch {
		case now.Before(cur.Locked):
			authErr = &LockedError{ID: id, Until: cur.Locked}
			return nil
		case ok:
			cur.Failures, cur.Locked = 0, time.Time{}
			op = cur
		default:
			cur.Failures++
			authErr = ErrWrongPIN
			if cur.Failures >= MaxPINFailures {
				cur.Failures, cur.Locked = 0, now.Add(LockoutFor)
				authErr = &LockedError{ID: id, Until: cur.Locked}
			}
		}
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
