package postapi_test

import (
	"crypto/ed25519"
	"net/http"
	"testing"
	"time"

	"github.com/villagepost/bianmin/postapi"
)

var key = ed25519.NewKeyFromSeed([]byte("postapi tests station seed 32 b."))

// FuzzParseAuth: any headers either read, and then write back as sent, or
// are refused with the headers rule; a signed request read back verifies.
func FuzzParseAuth(f *testing.F) {
	f.Add("T0001", "2026-12-05T13:00:00Z", "0123456789abcdef0123456789abcdef", "")
	f.Add("T0001", "2026-12-05 13:00:00", "0123456789ABCDEF0123456789ABCDEF", "AAAA")
	f.Add("", "", "", "")
	f.Add("T 1", "2026-02-30T13:00:00Z", "zz", "=")
	f.Fuzz(func(t *testing.T, station, when, nonce, sig string) {
		h := http.Header{}
		h.Set(postapi.HeaderStation, station)
		h.Set(postapi.HeaderTime, when)
		h.Set(postapi.HeaderNonce, nonce)
		h.Set(postapi.HeaderSignature, sig)
		a, err := postapi.ParseAuth(h)
		if err != nil {
			if e, ok := err.(*postapi.Error); !ok || e.Rule != postapi.RuleHeaders || e.Status != 401 {
				t.Fatalf("refusal %v is not a headers refusal", err)
			}
			return
		}
		if a.Station != h.Get(postapi.HeaderStation) || a.When != h.Get(postapi.HeaderTime) || a.Time.Format(postapi.TimeFormat) != a.When || a.Nonce != nonce || len(a.Signature) != ed25519.SignatureSize {
			t.Fatalf("read %+v from %q %q %q %q", a, station, when, nonce, sig)
		}
		// The same fields, signed, verify.
		signed := http.Header{}
		postapi.Sign(signed, key, a.Station, "POST", "/api/v1/days", a.Time, a.Nonce, []byte("body"))
		b, err := postapi.ParseAuth(signed)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Check("POST", "/api/v1/days", []byte("body"), postapi.Keys{InForce: key.Public().(ed25519.PublicKey)}, a.Time); err != nil {
			t.Fatalf("a signed request does not verify: %v", err)
		}
		if err := b.Check("POST", "/api/v1/days", []byte("bodY"), postapi.Keys{InForce: key.Public().(ed25519.PublicKey)}, a.Time); err == nil {
			t.Fatal("a changed body verifies")
		}
	})
}

func TestCheckTime(t *testing.T) {
	now := time.Date(2026, 12, 5, 13, 0, 0, 0, time.UTC)
	pub := key.Public().(ed25519.PublicKey)
	for _, c := range []struct {
		skew time.Duration
		ok   bool
	}{{0, true}, {postapi.MaxSkew, true}, {-postapi.MaxSkew, true}, {postapi.MaxSkew + time.Second, false}, {-postapi.MaxSkew - time.Second, false}, {-3 * time.Hour, false}} {
		h := http.Header{}
		postapi.Sign(h, key, "T0001", "GET", "/api/v1/acks", now.Add(c.skew), "0123456789abcdef0123456789abcdef", nil)
		a, err := postapi.ParseAuth(h)
		if err != nil {
			t.Fatal(err)
		}
		err = a.Check("GET", "/api/v1/acks", nil, postapi.Keys{InForce: pub}, now)
		if (err == nil) != c.ok {
			t.Errorf("a request %s off: %v", c.skew, err)
		}
		if err != nil && err.(*postapi.Error).Rule != postapi.RuleStale {
			t.Errorf("a request %s off: rule %v", c.skew, err)
		}
	}
}
