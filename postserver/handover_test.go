package postserver_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/handover"
	"github.com/villagepost/bianmin/internal/pgtest"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/registry/pgstore"
)

// onEachStore runs fn as a subtest on a post office on its bbolt file and
// on one on a PostgreSQL database of its own (skipped without
// POSTOFFICE_TEST_DB; internal/pgtest).
func onEachStore(t *testing.T, fn func(t *testing.T, p *post)) {
	t.Run("bbolt", func(t *testing.T) { fn(t, serve(t)) })
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.DB(t)
		pool, err := pgstore.Connect(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		_, err = pgstore.Migrate(t.Context(), pool)
		pool.Close()
		if err != nil {
			t.Fatal(err)
		}
		fn(t, serveOn(t, db))
	})
}

// enrolStation enrols a station with a key of its own and returns its
// client.
func (p *post) enrolStation(t *testing.T, id string, seed byte) *postapi.Client {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
	vkey, err := keyfile.VerifierKey(id, key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.office.Enrol(t.Context(), registry.Enrolment{Station: id, Key: vkey, Franchisee: "接手人",
		Deposit: decimal.RequireFromString("20000.00"), Tariff: "DEMO-2026-11"}, nil); err != nil {
		t.Fatal(err)
	}
	return p.clientOf(id, key)
}

func (p *post) clientOf(id string, key ed25519.PrivateKey) *postapi.Client {
	c := *p.client
	c.Station, c.Key = id, key
	return &c
}

// succeed enrols id to take over from the retired station old, as
// postoffice enrol --succeeds does, and returns its client and the
// hand-over document written for the USB stick.
func (p *post) succeed(t *testing.T, id string, seed byte, old string) (*postapi.Client, []byte) {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
	vkey, err := keyfile.VerifierKey(id, key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.office.EnrolSuccessor(t.Context(), registry.Enrolment{Station: id, Key: vkey, Franchisee: "接手人",
		Deposit: decimal.RequireFromString("20000.00"), Tariff: "DEMO-2026-11"}, nil, old); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(p.office.HandoverPath(old, id))
	if err != nil {
		t.Fatal(err)
	}
	return p.clientOf(id, key), file
}

// handovers asks for a station's results and returns the hand-over
// documents that came with them.
func handovers(t *testing.T, c *postapi.Client) []string {
	t.Helper()
	res, err := c.Results(context.Background(), "2026-11")
	if err != nil {
		t.Fatalf("results of %s: %v", c.Station, err)
	}
	if res.Handovers == nil {
		t.Fatalf("results of %s: no handovers list (want [] when there are none)", c.Station)
	}
	return res.Handovers
}

// TestHandoverOverTheAPI: a successor station gets, with its results,
// the hand-over document the post office signed for it, byte for byte
// the file written for the USB stick; it checks with the post office key
// the station trusts. A station that took over from nobody, and the
// successor of a successor, get no other station's document.
func TestHandoverOverTheAPI(t *testing.T) {
	onEachStore(t, func(t *testing.T, p *post) {
		ctx := context.Background()
		for _, name := range []string{"intact-day1.bms", "intact-day2.bms", "intact-day3.bms"} {
			if out, err := p.client.Upload(ctx, scenario(t, name)); err != nil || out.Result != postapi.Accepted {
				t.Fatalf("%s: %+v, %v", name, out, err)
			}
		}
		bystander := p.enrolStation(t, "T0003", 3)
		if got := handovers(t, bystander); len(got) != 0 {
			t.Fatalf("a station that took over from nobody got %d documents", len(got))
		}

		// T0001 leaves with what it owes villagers; T0002 takes over.
		if _, err := p.office.Retire(ctx, "T0001"); err != nil {
			t.Fatal(err)
		}
		successor, file := p.succeed(t, "T0002", 2, "T0001")
		got := handovers(t, successor)
		if len(got) != 1 || got[0] != string(file) {
			t.Fatalf("T0002 got %d documents; want the USB file's bytes:\n%q\ngot %q", len(got), file, got)
		}
		doc, err := handover.Open([]byte(got[0]), p.v)
		if err != nil || doc.From != "T0001" || doc.To != "T0002" {
			t.Fatalf("the document does not check with the post office key: %+v, %v", doc, err)
		}
		if got := handovers(t, bystander); len(got) != 0 {
			t.Errorf("a station that took over from nobody got %d documents", len(got))
		}

		// T0002 leaves in turn and T0004 takes over from it: T0004 gets
		// T0002's document only, not T0001's to T0002.
		if _, err := p.office.Retire(ctx, "T0002"); err != nil {
			t.Fatal(err)
		}
		next, file2 := p.succeed(t, "T0004", 4, "T0002")
		got = handovers(t, next)
		if len(got) != 1 || got[0] != string(file2) {
			t.Fatalf("T0004 got %q; want only T0002's document %q", got, file2)
		}
		// (T0002 retired before sending any file: its document's
		// "through 0 000…" line does not read back with handover.Open,
		// which wants an entry above zero; the bytes are what the USB
		// stick gets too.)
		if !strings.Contains(got[0], "\nfrom T0002\nto T0004\n") {
			t.Errorf("T0004's document: %q", got[0])
		}
	})
}
