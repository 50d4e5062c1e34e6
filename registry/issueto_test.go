package registry_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// TestIssueTo: the post office gives an enrolled station a tariff it has
// issued; a version never issued, an unknown station and a retired one
// are refused and change nothing.
func TestIssueTo(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) { testIssueTo(t, b) })
}

func testIssueTo(t *testing.T, b backend) {
	ctx := context.Background()
	o := newOffice(t, b)
	o.enrol("T0001", stationKey)
	next, err := tariff.Parse(bytes.Replace(tariff.DemoJSON, []byte(`"version": "DEMO-2026-11"`), []byte(`"version": "DEMO-2026-12"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	refused := func(what, station, version, kind string) {
		t.Helper()
		_, err := o.reg.IssueTo(ctx, station, version)
		var re *registry.Error
		if !errors.As(err, &re) || re.Kind != kind {
			t.Errorf("%s: %v, want a %s refusal", what, err, kind)
		}
	}
	refused("a version not issued", "T0001", "DEMO-2026-12", registry.ErrInput)
	if err := o.reg.Issue(ctx, next); err != nil {
		t.Fatal(err)
	}
	refused("an unknown station", "T0404", "DEMO-2026-12", registry.ErrUnknownStation)
	s, err := o.reg.IssueTo(ctx, "T0001", "DEMO-2026-12")
	if err != nil || s.Tariff != "DEMO-2026-12" {
		t.Fatalf("issued: %+v, %v", s, err)
	}
	if s, _ := o.reg.Station(ctx, "T0001"); s.Tariff != "DEMO-2026-12" {
		t.Errorf("the station's tariff is %s after the issue", s.Tariff)
	}
	skey, _, _ := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	signer, _ := note.NewSigner(skey)
	if _, err := o.reg.Retire(ctx, "T0001", signer); err != nil {
		t.Fatal(err)
	}
	refused("a retired station", "T0001", "DEMO-2026-11", registry.ErrRetired)
	if s, _ := o.reg.Station(ctx, "T0001"); s.Tariff != "DEMO-2026-12" {
		t.Errorf("the retired station's tariff changed to %s", s.Tariff)
	}
}
