package terminal_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/villagepost/bianmin/pin"
	"github.com/villagepost/bianmin/terminal"
)

// Each Add and each Authenticate that checks a PIN costs one argon2id hash
// (19 MiB, tens of milliseconds), so these tests keep such calls few.

const (
	goodPIN  = "739154"
	otherPIN = "582063"
)

// clock is a settable clock for lockout tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openOperators(t *testing.T) (*terminal.Operators, *clock, string) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "operators.db")
	ops, err := terminal.OpenOperators(path, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ops.Close() })
	return ops, c, path
}

func TestCheckNew(t *testing.T) {
	tests := []struct {
		id, role string
		field    string // "" when the pair is allowed
	}{
		{"OP1", terminal.RoleOwner, ""},
		{"OP2", terminal.RoleClerk, ""},
		{"a", terminal.RoleClerk, ""},
		{"9", terminal.RoleClerk, ""},
		{"clerk_2-b", terminal.RoleClerk, ""},
		{"ABCDEFGHIJKLMNOP", terminal.RoleOwner, ""}, // 16 characters
		{"ABCDEFGHIJKLMNOPQ", terminal.RoleOwner, "id"},
		{"", terminal.RoleOwner, "id"},
		{"_OP1", terminal.RoleOwner, "id"},
		{"-OP1", terminal.RoleOwner, "id"},
		{"OP 1", terminal.RoleOwner, "id"},
		{"OP.1", terminal.RoleOwner, "id"},
		{"OP1\n", terminal.RoleOwner, "id"},
		{"张三", terminal.RoleOwner, "id"},
		{"OP1", "", "role"},
		{"OP1", "Owner", "role"},
		{"OP1", "admin", "role"},
		{"OP1", " clerk", "role"},
		{"", "admin", "id"}, // the id is checked first
	}
	for _, tt := range tests {
		err := terminal.CheckNew(tt.id, tt.role)
		if tt.field == "" {
			if err != nil {
				t.Errorf("CheckNew(%q, %q) = %v, want nil", tt.id, tt.role, err)
			}
			continue
		}
		var ie *terminal.InputError
		if !errors.As(err, &ie) {
			t.Errorf("CheckNew(%q, %q) = %v, want *InputError", tt.id, tt.role, err)
			continue
		}
		if ie.Field != tt.field {
			t.Errorf("CheckNew(%q, %q) names field %q, want %q", tt.id, tt.role, ie.Field, tt.field)
		}
	}
}

func TestAddAndAuthenticate(t *testing.T) {
	ops, _, _ := openOperators(t)
	if err := ops.Add("OP1", terminal.RoleOwner, goodPIN, 2); err != nil {
		t.Fatal(err)
	}
	op, err := ops.Authenticate("OP1", goodPIN)
	if err != nil {
		t.Fatalf("right PIN: %v", err)
	}
	if op.ID != "OP1" || op.Role != terminal.RoleOwner || op.AddedSeq != 2 || op.Failures != 0 {
		t.Errorf("Authenticate returned %+v", op)
	}
	if _, err := ops.Authenticate("OP1", otherPIN); !errors.Is(err, terminal.ErrWrongPIN) {
		t.Errorf("wrong PIN: err = %v, want ErrWrongPIN", err)
	}
	if _, err := ops.Authenticate("OP9", goodPIN); !errors.Is(err, terminal.ErrUnknownOperator) {
		t.Errorf("unknown operator: err = %v, want ErrUnknownOperator", err)
	}
	if err := ops.Add("OP1", terminal.RoleClerk, otherPIN, 3); !errors.Is(err, terminal.ErrOperatorExists) {
		t.Errorf("Add of an existing id: err = %v, want ErrOperatorExists", err)
	}
	// The failed Add changed nothing: OP1 is still the owner with the first PIN.
	list, err := ops.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Role != terminal.RoleOwner || list[0].AddedSeq != 2 {
		t.Errorf("after a refused Add, List = %+v", list)
	}
}

func TestAddRefusesWeakPIN(t *testing.T) {
	ops, _, _ := openOperators(t)
	for _, tt := range []struct{ pin, rule string }{
		{"123456", pin.RuleSequence},
		{"654321", pin.RuleSequence},
		{"000000", pin.RuleRepeated},
		{"12345", pin.RuleLength},
		{"1234567", pin.RuleLength},
		{"", pin.RuleLength},
		{"73915a", pin.RuleDigits},
	} {
		err := ops.Add("OP1", terminal.RoleOwner, tt.pin, 2)
		var re *pin.RuleError
		if !errors.As(err, &re) {
			t.Errorf("Add with PIN %q: err = %v, want *pin.RuleError", tt.pin, err)
			continue
		}
		if re.Rule != tt.rule {
			t.Errorf("Add with PIN %q: rule %q, want %q", tt.pin, re.Rule, tt.rule)
		}
	}
	list, err := ops.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("refused Adds stored %+v", list)
	}
	if _, err := ops.Authenticate("OP1", "123456"); !errors.Is(err, terminal.ErrUnknownOperator) {
		t.Errorf("Authenticate after a refused Add: err = %v, want ErrUnknownOperator", err)
	}
}

func TestLockout(t *testing.T) {
	ops, c, _ := openOperators(t)
	if err := ops.Add("OP1", terminal.RoleOwner, goodPIN, 2); err != nil {
		t.Fatal(err)
	}
	wrong := func(n int) {
		t.Helper()
		for i := range n {
			if _, err := ops.Authenticate("OP1", otherPIN); !errors.Is(err, terminal.ErrWrongPIN) {
				t.Fatalf("wrong PIN %d: err = %v, want ErrWrongPIN", i+1, err)
			}
		}
	}

	// A right PIN resets the count: MaxPINFailures-1 wrong, one right and
	// MaxPINFailures-1 wrong again do not lock.
	wrong(terminal.MaxPINFailures - 1)
	op, err := ops.Authenticate("OP1", goodPIN)
	if err != nil {
		t.Fatalf("right PIN after %d wrong ones: %v", terminal.MaxPINFailures-1, err)
	}
	if op.Failures != 0 {
		t.Errorf("right PIN left Failures = %d", op.Failures)
	}
	wrong(terminal.MaxPINFailures - 1)

	// The next wrong PIN makes MaxPINFailures in a row: locked.
	lockedAt := c.Now()
	_, err = ops.Authenticate("OP1", otherPIN)
	var le *terminal.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("wrong PIN %d: err = %v, want *LockedError", terminal.MaxPINFailures, err)
	}
	if le.ID != "OP1" || !le.Until.Equal(lockedAt.Add(terminal.LockoutFor)) {
		t.Errorf("LockedError = %+v, want OP1 until %v", le, lockedAt.Add(terminal.LockoutFor))
	}

	// Even the right PIN is refused while locked.
	if _, err := ops.Authenticate("OP1", goodPIN); !errors.As(err, &le) {
		t.Fatalf("right PIN while locked: err = %v, want *LockedError", err)
	}
	c.Advance(terminal.LockoutFor - time.Second)
	if _, err := ops.Authenticate("OP1", goodPIN); !errors.As(err, &le) {
		t.Fatalf("right PIN a second before the lockout ends: err = %v, want *LockedError", err)
	}

	// Once the lockout has passed the right PIN works again.
	c.Advance(2 * time.Second)
	op, err = ops.Authenticate("OP1", goodPIN)
	if err != nil {
		t.Fatalf("right PIN after the lockout: %v", err)
	}
	if op.Failures != 0 || !op.Locked.IsZero() {
		t.Errorf("after a right PIN: Failures %d, Locked %v", op.Failures, op.Locked)
	}
}

func TestListHasOwnerAndNoPlainPIN(t *testing.T) {
	ops, _, path := openOperators(t)
	if has, err := ops.HasOwner(); err != nil || has {
		t.Fatalf("HasOwner of an empty file = %v, %v", has, err)
	}
	pins := map[string]string{"OP3": "582063", "OP10": "264809", "OP2": "917350"}
	for _, id := range []string{"OP3", "OP10", "OP2"} {
		if err := ops.Add(id, terminal.RoleClerk, pins[id], 5); err != nil {
			t.Fatal(err)
		}
	}
	if has, err := ops.HasOwner(); err != nil || has {
		t.Fatalf("HasOwner with clerks only = %v, %v", has, err)
	}
	if err := ops.Add("OP1", terminal.RoleOwner, goodPIN, 2); err != nil {
		t.Fatal(err)
	}
	pins["OP1"] = goodPIN
	if has, err := ops.HasOwner(); err != nil || !has {
		t.Fatalf("HasOwner with an owner = %v, %v", has, err)
	}

	list, err := ops.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, op := range list {
		ids = append(ids, op.ID)
		if op.PINHash == "" || bytes.Contains([]byte(op.PINHash), []byte(pins[op.ID])) {
			t.Errorf("operator %s has PIN hash %q", op.ID, op.PINHash)
		}
	}
	want := []string{"OP1", "OP10", "OP2", "OP3"} // by id, byte order
	if len(ids) != len(want) {
		t.Fatalf("List ids = %v, want %v", ids, want)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("List ids = %v, want %v", ids, want)
		}
	}

	// Authentications rewrite the records; still no PIN in the file.
	if _, err := ops.Authenticate("OP1", goodPIN); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.Authenticate("OP2", pins["OP3"]); !errors.Is(err, terminal.ErrWrongPIN) {
		t.Fatalf("OP2 with OP3's PIN: err = %v, want ErrWrongPIN", err)
	}
	if err := ops.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("$argon2id$")) {
		t.Fatal("the operators file holds no argon2id hash; is this the right file?")
	}
	for id, p := range pins {
		if i := bytes.Index(data, []byte(p)); i >= 0 {
			t.Errorf("the operators file holds %s's PIN %s in plain text at byte %d", id, p, i)
		}
	}
}

// TestLockoutByPlace: wrong PINs lock an operator only at the place they
// were typed; across places MaxPINFailuresPerDay in a day lock the
// operator everywhere (a new day does not lift it), until Unlock; and the
// day's count starts again on a new day.
func TestLockoutByPlace(t *testing.T) {
	ops, c, _ := openOperators(t)
	if err := ops.Add("OP1", terminal.RoleOwner, goodPIN, 2); err != nil {
		t.Fatal(err)
	}
	var le *terminal.LockedError
	for i := 1; i <= terminal.MaxPINFailures; i++ {
		_, err := ops.AuthenticateFrom("OP1", otherPIN, "10.0.0.9")
		if i < terminal.MaxPINFailures && !errors.Is(err, terminal.ErrWrongPIN) || i == terminal.MaxPINFailures && !errors.As(err, &le) {
			t.Fatalf("wrong PIN %d from 10.0.0.9: %v", i, err)
		}
	}
	if _, err := ops.AuthenticateFrom("OP1", goodPIN, "10.0.0.9"); !errors.As(err, &le) || le.Barred {
		t.Errorf("the right PIN at the guessing place: %v, want locked there", err)
	}
	if _, err := ops.AuthenticateFrom("OP1", goodPIN, terminal.Console); err != nil {
		t.Errorf("the right PIN at the console while another place is locked: %v", err)
	}
	// Wrong PINs from many places add up to the day's limit.
	n := terminal.MaxPINFailures
	var err error
	for p := 0; n < terminal.MaxPINFailuresPerDay; p++ {
		_, err = ops.AuthenticateFrom("OP1", otherPIN, "10.0.1."+strconv.Itoa(p))
		n++
	}
	if !errors.As(err, &le) || !le.Barred {
		t.Fatalf("wrong PIN %d of the day: %v, want locked until unlocked", n, err)
	}
	c.Advance(48 * time.Hour)
	if _, err := ops.AuthenticateFrom("OP1", goodPIN, terminal.Console); !errors.As(err, &le) || !le.Barred {
		t.Errorf("two days later: %v, want still locked", err)
	}
	if err := ops.Unlock("OP1"); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.AuthenticateFrom("OP1", goodPIN, "10.0.0.9"); err != nil {
		t.Errorf("after Unlock: %v", err)
	}
	// A new day's count starts from zero.
	for i := 1; i < terminal.MaxPINFailuresPerDay; i++ {
		if _, err := ops.AuthenticateFrom("OP1", otherPIN, "10.0.2."+strconv.Itoa(i)); !errors.Is(err, terminal.ErrWrongPIN) {
			t.Fatalf("wrong PIN %d after the unlock: %v", i, err)
		}
	}
	c.Advance(24 * time.Hour)
	if _, err := ops.AuthenticateFrom("OP1", otherPIN, "10.0.3.1"); !errors.Is(err, terminal.ErrWrongPIN) {
		t.Errorf("the first wrong PIN of a new day: %v, want only wrong", err)
	}
}
