package registry

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Roles of staff. A clerk views and imports; a manager also enrols,
// rotates keys and retires stations.
const (
	Clerk   = "clerk"
	Manager = "manager"
)

// Staff is one account of the post office's staff pages.
type Staff struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Hash    string    `json:"hash"` // argon2id, PHC string; the password is never stored
	Created time.Time `json:"created"`
}

// Manager reports whether the account may do what only a manager may.
func (s *Staff) Manager() bool { return s.Role == Manager }

// MinPassword is the shortest password a staff account may have.
const MinPassword = 10

var staffID = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,31}$`)

// Password hashing: argon2id with the OWASP minimum parameters, as the
// station hashes its operators' PINs (package pin).
const (
	pwMemoryKiB = 19456
	pwTime      = 2
	pwThreads   = 1
	pwSalt      = 16
	pwKey       = 32
)

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of password with a salt read
// from rand.
func HashPassword(password string, rand io.Reader) (string, error) {
	salt := make([]byte, pwSalt)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("registry: password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, pwTime, pwMemoryKiB, pwThreads, pwKey)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, pwMemoryKiB, pwTime, pwThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password is the account's. Only hashes
// made by HashPassword (these parameters) are accepted, so a damaged
// record cannot make the check run without bound.
func (s *Staff) CheckPassword(password string) bool {
	parts := strings.Split(s.Hash, "$")
	want := fmt.Sprintf("m=%d,t=%d,p=%d", pwMemoryKiB, pwTime, pwThreads)
	if len(parts) != 6 || parts[1] != "argon2id" || parts[3] != want {
		return false
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) != pwKey {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, pwTime, pwMemoryKiB, pwThreads, pwKey)
	return subtle.ConstantTimeCompare(got, key) == 1
}

// NewStaff checks an account's fields and hashes its password. Nothing is
// written; AddStaff writes it.
func NewStaff(id, name, role, password string, rand io.Reader) (Staff, error) {
	bad := func(format string, args ...any) (Staff, error) {
		return Staff{}, refuse(ErrInput, "", format, args...)
	}
	switch {
	case !staffID.MatchString(id):
		return bad("id: 1 to 32 lower-case letters, digits, '.', '_' or '-', starting with a letter")
	case strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > 64 || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return bad("name: the person's name, 1 to 64 characters on one line")
	case role != Clerk && role != Manager:
		return bad("role: clerk or manager")
	case utf8.RuneCountInString(password) < MinPassword:
		return bad("password: at least %d characters", MinPassword)
	}
	h, err := HashPassword(password, rand)
	if err != nil {
		return Staff{}, err
	}
	return Staff{ID: id, Name: strings.TrimSpace(name), Role: role, Hash: h}, nil
}

// AddStaff records a new account (made by NewStaff); an id is taken once.
// Staff accounts are a small table shared by the whole region (a
// reference table in a distributed store), never read on a station's hot
// path.
func (r *Registry) AddStaff(ctx context.Context, s Staff) error {
	s.Created = r.stamp()
	return r.store.Update(ctx, func(tx Tx) error {
		added, err := tx.AddStaff(&s)
		if err == nil && !added {
			err = refuse(ErrExists, "", "staff %s exists already", s.ID)
		}
		return err
	})
}

// ErrNoStaff is the Kind of the error for an account that does not exist.
const ErrNoStaff = "no_staff"

// StaffMember returns the account id.
func (r *Registry) StaffMember(ctx context.Context, id string) (Staff, error) {
	s, found, err := r.store.StaffMember(ctx, id)
	if err == nil && !found {
		err = refuse(ErrNoStaff, "", "no staff account %q", id)
	}
	return s, err
}

// StaffList returns every account, in order of id.
func (r *Registry) StaffList(ctx context.Context) ([]Staff, error) {
	return r.store.StaffList(ctx)
}
