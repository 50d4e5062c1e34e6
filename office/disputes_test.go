package office_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/decision"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/internal/pgtest"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/registry/pgstore"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

var (
	stationKey = ed25519.NewKeyFromSeed([]byte("office tests station seed 32 by."))
	cst        = time.FixedZone("CST", 8*3600)
)

// disputeFile is station T0001's first day: a 500.00 withdrawal and a
// villager's dispute about it, closed into a signed day file.
func disputeFile(t *testing.T) (file []byte, dispute terminal.Dispute) {
	t.Helper()
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, cst)
	clock := func() time.Time { now = now.Add(41 * time.Second); return now }
	s, err := ledger.Create(filepath.Join(t.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "山前村便民服务站", Zone: "Asia/Shanghai"}, "init", stationKey, &ledger.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sim, err := hostsim.Open("", &hostsim.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	pending, err := terminal.OpenPending(filepath.Join(t.TempDir(), "pending.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pending.Close() })
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	link := &terminal.Link{Ledger: s, Host: sim, Pending: pending, Terminal: "T0001", Timeout: time.Second, Retries: 1, Now: clock}
	if _, err := (&terminal.Drawer{Ledger: s}).In(terminal.CashMove{Operator: "OP1", Amount: decimal.RequireFromString("3000.00"), Reason: terminal.ReasonFloat, IdemKey: "float"}); err != nil {
		t.Fatal(err)
	}
	cards := &terminal.Cards{Link: link, Tariff: tf, CardKey: []byte("0123456789abcdef0123456789abcdef")}
	w, err := cards.Withdraw(context.Background(), terminal.Withdrawal{Operator: "OP1", Card: "6228480402564890018", PIN: "147258", Amount: decimal.RequireFromString("500.00"), IdemKey: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	if dispute, _, err = (&terminal.Disputes{Ledger: s, Link: link}).Open(context.Background(), terminal.DisputeRequest{Operator: "OP1", Entry: w.Entry.Seq, Says: "卡上扣了钱，没拿到现金"}); err != nil {
		t.Fatal(err)
	}
	e, _, err := (&terminal.Days{Ledger: s, Pending: pending, Tariff: tf.Version}).Close(terminal.CloseRequest{Operator: "OP1"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := settlement.FromLedger(s, e.Seq, "")
	if err != nil {
		t.Fatal(err)
	}
	if file, err = f.Sign(stationKey); err != nil {
		t.Fatal(err)
	}
	return file, dispute
}

// twoServers are two post office servers, each with a folder of its own
// (the same key) on one registry: on PostgreSQL each holds a registry of
// its own on the shared database, as two postoffice serve processes do;
// on bbolt they share the one registry a process can have.
func twoServers(t *testing.T, store string) [2]*office.Office {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	now := func() time.Time { return time.Date(2026, 11, 21, 10, 0, 0, 0, cst) }
	open := func() *registry.Registry {
		var st registry.Store
		if store == "bbolt" {
			st, err = registry.OpenBolt(filepath.Join(t.TempDir(), "registry.db"), false)
		} else {
			st, err = pgstore.Open(t.Context(), pgURL(t))
		}
		if err != nil {
			t.Fatal(err)
		}
		r := registry.New(st, &registry.Options{Now: now})
		t.Cleanup(func() { r.Close() })
		return r
	}
	first := open()
	second := first
	if store != "bbolt" {
		second = open()
	}
	var out [2]*office.Office
	for i, r := range []*registry.Registry{first, second} {
		out[i] = &office.Office{Dir: t.TempDir(), Registry: r, Signer: signer, Verifier: verifier, Now: now}
	}
	tf, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	key, err := keyfile.VerifierKey("T0001", stationKey.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	_, err = out[0].Enrol(t.Context(), registry.Enrolment{Station: "T0001", Key: key, Franchisee: "王秀英", Deposit: decimal.RequireFromString("20000.00")}, tf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pgURL is the test's database, migrated, made once per test.
func pgURL(t *testing.T) string {
	t.Helper()
	if u, ok := dbs[t.Name()]; ok {
		return u
	}
	url := pgtest.DB(t)
	pool, err := pgstore.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pgstore.Migrate(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	dbs[t.Name()] = url
	return url
}

var dbs = map[string]string{}

// A dispute accepted by one server is listed, decided and handed to the
// station by the other too: the decision is made once, in the registry;
// a second, different one is refused on either server naming the first,
// and the same one again is the first.
func TestDecidedOnceOnTwoServers(t *testing.T) {
	for _, store := range []string{"bbolt", "postgres"} {
		t.Run(store, func(t *testing.T) {
			servers := twoServers(t, store)
			a, b := servers[0], servers[1]
			ctx := t.Context()
			file, dispute := disputeFile(t)
			outs, err := a.Import(ctx, file)
			if err != nil || len(outs) != 1 || outs[0].Status != registry.Accepted {
				t.Fatalf("import: %+v, %v", outs, err)
			}
			// The second server has no archive of it, and lists it all
			// the same.
			for i, o := range servers {
				list, err := o.Disputes(ctx, "T0001", "")
				if err != nil || len(list) != 1 {
					t.Fatalf("server %d lists %+v, %v; want the one dispute", i, list, err)
				}
				dp := list[0]
				if dp.Seq != dispute.Seq || dp.Says != "卡上扣了钱，没拿到现金" || dp.Amount != "500.00" || dp.State != office.DisputeOpen || dp.Day != "2026-11-20" {
					t.Errorf("server %d lists %+v", i, dp)
				}
			}
			if _, err := b.Decide(ctx, "T0001", dispute.Seq, decision.RefundOwed, decimal.RequireFromString("500.01"), "多退"); err == nil {
				t.Errorf("a refund above the disputed amount: no refusal")
			}
			dp, err := b.Decide(ctx, "T0001", dispute.Seq, decision.RefundOwed, decimal.RequireFromString("500.00"), "银行确认当时没有出钞")
			if err != nil || dp.State != office.DisputeDecided {
				t.Fatalf("decide on the second server: %+v, %v", dp, err)
			}
			if _, err := os.Stat(b.DecisionPath("T0001", dispute.Seq)); err != nil {
				t.Errorf("no export for a USB stick: %v", err)
			}
			// Both hand the station the same one decision.
			var got [2]string
			for i, o := range servers {
				notes, err := o.Decisions(ctx, "T0001")
				if err != nil || len(notes) != 1 {
					t.Fatalf("server %d hands %d decisions, %v; want 1", i, len(notes), err)
				}
				got[i] = string(notes[0])
			}
			if got[0] != got[1] || got[0] != string(dp.Note) {
				t.Errorf("the servers hand different decisions:\n%s\n%s", got[0], got[1])
			}
			for i, o := range servers {
				_, err := o.Decide(ctx, "T0001", dispute.Seq, decision.NoneOwed, decimal.Zero, "其实不用退")
				var de *office.DecideError
				if !errors.As(err, &de) || de.Field != "dispute" || !strings.Contains(de.Zh, "已经在 2026-11-21 答复过了") || !strings.Contains(de.Zh, "银行确认当时没有出钞") {
					t.Errorf("server %d, another decision: %v; want refused naming the first", i, err)
				}
				again, err := o.Decide(ctx, "T0001", dispute.Seq, decision.RefundOwed, decimal.RequireFromString("500.00"), "银行确认当时没有出钞")
				if err != nil || string(again.Note) != got[0] {
					t.Errorf("server %d, the same decision again: %v; want the first", i, err)
				}
				list, err := o.Disputes(ctx, "T0001", "")
				if err != nil || len(list) != 1 || list[0].State != office.DisputeDecided || list[0].Decision == nil || !list[0].Decision.Refund.Equal(decimal.RequireFromString("500.00")) {
					t.Errorf("server %d lists %+v, %v; want it decided", i, list, err)
				}
			}
		})
	}
}

// A post office from before: its registry kept the dispute entries
// without what they say, and its decisions were files in DIR/disputes.
// The disputes are read from its archive, and the decision file is taken
// into the registry, where it is then the one handed to the station and
// the one a second decision is refused against.
func TestDecisionFilesFromBeforeAreTakenIn(t *testing.T) {
	o := twoServers(t, "bbolt")[0]
	ctx := t.Context()
	file, dispute := disputeFile(t)
	if _, err := o.Import(ctx, file); err != nil {
		t.Fatal(err)
	}
	err := o.Registry.Store().Update(ctx, func(tx registry.Tx) error {
		d, err := tx.DisputeEntry("T0001", dispute.Seq)
		if err != nil || d == nil {
			t.Fatalf("dispute entry: %+v, %v", d, err)
		}
		d.Day, d.Payload = "", nil
		return tx.PutDisputeEntries("T0001", []*registry.DisputeEntry{d})
	})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := decision.Sign(decision.Decision{Station: "T0001", Dispute: dispute.Seq, Entry: dispute.Disputed, Trace: dispute.Trace,
		Outcome: decision.NoneOwed, Refund: decimal.Zero, Decided: "2026-11-21", Reason: "银行确认当时已出钞"}, o.Signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(o.DecisionsDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(o.DecisionPath("T0001", dispute.Seq), msg, 0o644); err != nil {
		t.Fatal(err)
	}
	list, err := o.Disputes(ctx, "T0001", "")
	if err != nil || len(list) != 1 || list[0].Says != "卡上扣了钱，没拿到现金" || list[0].State != office.DisputeDecided || string(list[0].Note) != string(msg) {
		t.Fatalf("disputes: %+v, %v; want the archive's, decided by the file", list, err)
	}
	var kept []string
	err = o.Registry.Decisions(ctx, "T0001", func(d registry.Decision) error { kept = append(kept, string(d.Note)); return nil })
	if err != nil || len(kept) != 1 || kept[0] != string(msg) {
		t.Errorf("the registry keeps %q, %v; want the file's decision", kept, err)
	}
	if _, err := o.Decide(ctx, "T0001", dispute.Seq, decision.RefundOwed, decimal.RequireFromString("500.00"), "改了"); err == nil {
		t.Errorf("another decision on a dispute decided by a file: no refusal")
	}
}
