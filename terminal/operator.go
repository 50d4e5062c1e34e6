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

// InputError names a field a person filled in wrongly and the rule.
type InputError struct {
	Field, Rule string
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
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketOperators)
		return err
	}); err != nil {
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
		return &InputError{Field: "id", Rule: "1 to 16 letters or digits, like OP1"}
	}
	if role != RoleOwner && role != RoleClerk {
		return &InputError{Field: "role", Rule: "owner or clerk"}
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
func (o *Operators) Authenticate(id, pinCode string) (Operator, error) {
	var out Operator
	var authErr error
	err := o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOperators)
		op, err := getOperator(b, id)
		if err != nil {
			return err
		}
		now := o.now()
		if now.Before(op.Locked) {
			authErr = &LockedError{ID: id, Until: op.Locked}
			return nil
		}
		ok, err := pin.Verify(op.PINHash, pin.Normalize(pinCode))
		if err != nil {
			return fmt.Errorf("terminal: operator %s: %w", id, err)
		}
		if ok {
			op.Failures, op.Locked = 0, time.Time{}
			out = *op
		} else {
			op.Failures++
			authErr = ErrWrongPIN
			if op.Failures >= MaxPINFailures {
				op.Failures, op.Locked = 0, now.Add(LockoutFor)
				authErr = &LockedError{ID: id, Until: op.Locked}
			}
		}
		return putOperator(b, op)
	})
	if err != nil {
		return Operator{}, err
	}
	return out, authErr
}

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
