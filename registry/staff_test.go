package registry_test

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/registry"
)

func TestStaff(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		for _, c := range []struct {
			name                   string
			id, who, role, pw, bad string
		}{
			{"ErrID", "Alice Smith", "李丽", registry.Clerk, "long enough pw", "id"},
			{"ErrName", "alice", " ", registry.Clerk, "long enough pw", "name"},
			{"ErrRole", "alice", "李丽", "admin", "long enough pw", "role"},
			{"ErrPassword", "alice", "李丽", registry.Clerk, "short", "password"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := registry.NewStaff(c.id, c.who, c.role, c.pw, rand.Reader)
				var re *registry.Error
				if !errors.As(err, &re) || re.Kind != registry.ErrInput || !strings.HasPrefix(re.Detail, c.bad+":") {
					t.Errorf("got %v, want an input error on %s", err, c.bad)
				}
			})
		}
		s, err := registry.NewStaff("alice", "李丽", registry.Clerk, "long enough pw", rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.reg.AddStaff(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		var re *registry.Error
		if err := o.reg.AddStaff(t.Context(), s); !errors.As(err, &re) || re.Kind != registry.ErrExists {
			t.Errorf("the same id again: %v", err)
		}
		got, err := o.reg.StaffMember(t.Context(), "alice")
		if err != nil || got.Manager() || !got.CheckPassword("long enough pw") || got.CheckPassword("long enough pW") || strings.Contains(got.Hash, "long enough") {
			t.Errorf("alice as stored: %+v, %v", got, err)
		}
		if _, err := o.reg.StaffMember(t.Context(), "bob"); !errors.As(err, &re) || re.Kind != registry.ErrNoStaff {
			t.Errorf("an unknown account: %v", err)
		}
		damaged := got
		damaged.Hash = strings.Replace(got.Hash, "m=19456", "m=4194304", 1)
		if damaged.CheckPassword("long enough pw") {
			t.Error("a hash with other parameters was accepted")
		}
	})
}

// BenchmarkCheckPassword is what one sign-in costs the server.
func BenchmarkCheckPassword(b *testing.B) {
	s, err := registry.NewStaff("alice", "李丽", registry.Clerk, "long enough pw", rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s.CheckPassword("long enough pw")
	}
}
