package registry_test

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
	"golang.org/x/mod/sumdb/note"
)

var newKey = ed25519.NewKeyFromSeed([]byte("T0001's second key, 32 bytes ..."))

// resigned is a day file with every entry and the file signed by key
// instead: what the station writes after it rotated to key.
func resigned(t *testing.T, data []byte, key ed25519.PrivateKey) []byte {
	t.Helper()
	f, err := settlement.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range f.Records {
		e, err := ledger.DecodeRecord(r.Raw)
		if err != nil {
			t.Fatal(err)
		}
		copy(e.Sig[:], ed25519.Sign(key, e.Hash[:]))
		f.Records[i].Raw = ledger.EncodeRecord(&e)
	}
	pub := key.Public().(ed25519.PublicKey)
	f.Key, f.Fingerprint = verifierKey(t, "T0001", key), keyfile.Fingerprint(pub)
	b, err := f.Sign(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func vouch(t *testing.T, r registry.Rotation, by ed25519.PrivateKey) []byte {
	t.Helper()
	skey, err := keyfile.SignerKey("T0001", by)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	b, err := note.Sign(&note.Note{Text: r.RotationText()}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRotateKey(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.enrol("T0001", stationKey)
		o.mustImport(scenario(t, "intact-day1.bms"), registry.Accepted)
		rot := registry.Rotation{Station: "T0001", New: verifierKey(t, "T0001", newKey), From: 8}
		var re *registry.Error
		for _, c := range []struct {
			name  string
			vouch []byte
			want  string
		}{
			{"vouched for by the new key itself", vouch(t, rot, newKey), registry.ErrWrongKey},
			{"from an entry already acknowledged", vouch(t, registry.Rotation{Station: "T0001", New: rot.New, From: 5}, stationKey), registry.ErrInput},
			{"another station's key", vouch(t, registry.Rotation{Station: "T0001", New: verifierKey(t, "T0002", newKey), From: 8}, stationKey), registry.ErrInput},
			{"not a rotation", []byte("hello\n"), registry.ErrWrongKey},
		} {
			before := o.state()
			if _, err := o.reg.RotateKey(t.Context(), "T0001", c.vouch); !errors.As(err, &re) || re.Kind != c.want {
				t.Errorf("%s: %v, want %s", c.name, err, c.want)
			}
			if !equalState(before, o.state()) {
				t.Errorf("%s: a refused rotation changed the registry", c.name)
			}
		}
		s, err := o.reg.RotateKey(t.Context(), "T0001", vouch(t, rot, stationKey))
		if err != nil {
			t.Fatal(err)
		}
		if s.Key != rot.New || len(s.Keys) != 2 {
			t.Fatalf("keys after rotation: %+v", s.Keys)
		}
		// Day 2 signed with the old key is refused and changes nothing; with
		// the new one it is taken.
		before := o.state()
		if _, err := o.importFile(scenario(t, "intact-day2.bms")); !errors.As(err, &re) || re.Kind != registry.ErrWrongKey {
			t.Fatalf("day 2 with the retired key: %v, want refused", err)
		}
		if !equalState(before, o.state()) {
			t.Error("a file signed with the retired key changed the registry")
		}
		o.mustImport(resigned(t, scenario(t, "intact-day2.bms"), newKey), registry.Accepted)
		// Day 1 again, with its own (old) key: still the same day.
		o.mustImport(scenario(t, "intact-day1.bms"), registry.Replay)
	})
}
