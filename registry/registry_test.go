package registry_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// The station of settlement/testdata/scenarios: its key comes from the
// seed the settlement tests use.
var (
	stationKey = ed25519.NewKeyFromSeed([]byte("settlement tests station seed 32"))
	cst        = time.FixedZone("CST", 8*3600)
)

func scenario(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "settlement", "testdata", "scenarios", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verifierKey(t testing.TB, id string, key ed25519.PrivateKey) string {
	t.Helper()
	v, err := keyfile.VerifierKey(id, key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// office is a post office with a registry, a key and a clock.
type office struct {
	t     *testing.T
	b     backend
	where string
	reg   *registry.Registry
	im    *registry.Importer
	v     note.Verifier
	now   time.Time
}

func newOffice(t *testing.T, b backend) *office {
	t.Helper()
	return newOfficeIssuing(t, b, tariff.DemoJSON)
}

// newOfficeIssuing is a post office that issued the tariff body.
func newOfficeIssuing(t *testing.T, b backend, body []byte) *office {
	t.Helper()
	return newOfficeWith(t, b, b.fresh(t), body)
}

// newOfficeAt is a post office whose registry is (or will be) at where.
func newOfficeAt(t *testing.T, b backend, where string) *office {
	t.Helper()
	return newOfficeWith(t, b, where, tariff.DemoJSON)
}

func newOfficeWith(t *testing.T, b backend, where string, body []byte) *office {
	t.Helper()
	o := &office{t: t, b: b, where: where, now: time.Date(2026, 11, 23, 10, 0, 0, 0, cst)}
	reg := registry.New(b.open(t, where), &registry.Options{Now: func() time.Time { return o.now }})
	t.Cleanup(func() { reg.Close() })
	skey, vkey, err := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	o.v, _ = note.NewVerifier(vkey)
	o.reg = reg
	issued, err := tariff.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Issue(t.Context(), issued); err != nil {
		t.Fatal(err)
	}
	o.im = &registry.Importer{Registry: reg, Signer: signer, Verifier: o.v, Archive: filepath.Join(t.TempDir(), "archive")}
	return o
}

func (o *office) enrol(id string, key ed25519.PrivateKey) {
	o.t.Helper()
	_, err := o.reg.Enrol(o.t.Context(), registry.Enrolment{Station: id, Key: verifierKey(o.t, id, key), Franchisee: "王秀英",
		Deposit: decimal.RequireFromString("20000.00"), Tariff: "DEMO-2026-11"})
	if err != nil {
		o.t.Fatal(err)
	}
}

func (o *office) importFile(data []byte) ([]registry.Outcome, error) {
	ctx := o.t.Context()
	return o.im.Import(ctx, o.reg.Check(ctx, data))
}

func (o *office) mustImport(data []byte, want ...string) []registry.Outcome {
	o.t.Helper()
	outs, err := o.importFile(data)
	if err != nil {
		o.t.Fatal(err)
	}
	var got []string
	for _, x := range outs {
		got = append(got, x.Status)
	}
	if !reflect.DeepEqual(got, want) {
		o.t.Fatalf("import: %v, want %v (%+v)", got, want, outs)
	}
	return outs
}

// state is everything a refused import must leave as it was.
func (o *office) state() any {
	o.t.Helper()
	ctx := o.t.Context()
	list, err := o.reg.Stations(ctx)
	if err != nil {
		o.t.Fatal(err)
	}
	var days []registry.Day
	var traces []registry.Trace
	var evidence []registry.Evidence
	for _, s := range list {
		if err := o.reg.Days(ctx, s.ID, "", "", func(d registry.Day) error { days = append(days, d); return nil }); err != nil {
			o.t.Fatal(err)
		}
		if err := o.reg.Traces(ctx, s.ID, 0, 1<<62, func(t registry.Trace) error { traces = append(traces, t); return nil }); err != nil {
			o.t.Fatal(err)
		}
		ev, err := o.reg.Evidence(ctx, s.ID)
		if err != nil {
			o.t.Fatal(err)
		}
		evidence = append(evidence, ev...)
	}
	return []any{list, days, traces, evidence}
}

func equalState(a, b any) bool { return reflect.DeepEqual(a, b) }

func TestImportAcknowledgesEachDay(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.enrol("T0001", stationKey)
		for _, name := range []string{"intact-day1.bms", "intact-day2.bms", "intact-day3.bms"} {
			data := scenario(t, name)
			out := o.mustImport(data, registry.Accepted)[0]
			f, _ := settlement.Parse(data)
			ack, err := settlement.OpenAck(out.Ack, o.v)
			if err != nil {
				t.Fatalf("%s: the acknowledgement does not open: %v", name, err)
			}
			if ack != (settlement.Ack{Station: "T0001", Last: f.Last, Day: f.Day}) {
				t.Errorf("%s: acknowledgement %+v, want the day's last entry %s", name, ack, f.Last)
			}
		}
		s, _ := o.reg.Station(t.Context(), "T0001")
		if s.LastDay != "2026-11-22" || s.Last.Seq != 24 || s.Flagged() || s.Held != 0 {
			t.Errorf("station after three days: %+v", s)
		}
		// The bill payment queued on day 2 was confirmed on day 3: its trace
		// says so, though the entry that confirmed it is in another file.
		var states []string
		o.reg.Traces(t.Context(), "T0001", 1, 100, func(tr registry.Trace) error {
			states = append(states, tr.Service+":"+tr.State)
			return nil
		})
		want := []string{"withdrawal:approved", "bill_payment:approved", "bill_payment:confirmed", "withdrawal:approved", "sim_sale:approved", "contribution:approved", "contribution:approved"}
		if !reflect.DeepEqual(states, want) {
			t.Errorf("traces %v, want %v", states, want)
		}
		if day, ok, _ := o.reg.DayOf(t.Context(), "T0001", 9); !ok || day != "2026-11-21" {
			t.Errorf("entry 9 is of day %q (%v), want 2026-11-21", day, ok)
		}
	})
}

func TestReplayChangesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.enrol("T0001", stationKey)
		o.mustImport(scenario(t, "intact-day1.bms"), registry.Accepted)
		before := o.state()
		o.mustImport(scenario(t, "intact-day1.bms"), registry.Replay)
		if !reflect.DeepEqual(before, o.state()) {
			t.Error("a replay changed the registry")
		}
	})
}

func TestMissingDayIsHeldUntilItComes(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.enrol("T0001", stationKey)
		o.mustImport(scenario(t, "intact-day1.bms"), registry.Accepted)
		held := o.mustImport(scenario(t, "intact-day3.bms"), registry.Held)[0]
		if held.GapFrom != 8 || held.GapTo != 12 || held.GapAfter != "2026-11-20" {
			t.Errorf("gap %d–%d after %s, want entries 8–12 after 2026-11-20", held.GapFrom, held.GapTo, held.GapAfter)
		}
		if s, _ := o.reg.Station(t.Context(), "T0001"); s.Held != 1 || s.LastDay != "2026-11-20" {
			t.Errorf("station with a day missing: %+v", s)
		}
		outs := o.mustImport(scenario(t, "intact-day2.bms"), registry.Accepted, registry.Accepted)
		if outs[1].Day != "2026-11-22" {
			t.Errorf("released %s, want the held day 2026-11-22", outs[1].Day)
		}
		if s, _ := o.reg.Station(t.Context(), "T0001"); s.Held != 0 || s.LastDay != "2026-11-22" {
			t.Errorf("station after the missing day came: %+v", s)
		}
	})
}

// forkedDay1 is another first day of T0001, signed with its key: what a
// shop that restored an old copy of its ledger and kept going would send.
func forkedDay1(t *testing.T) []byte {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, cst)
	clock := func() time.Time { now = now.Add(time.Minute); return now }
	s, err := ledger.Create(filepath.Join(t.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "山前村便民服务站", Zone: "Asia/Shanghai"}, "init", stationKey, &ledger.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := (&terminal.Drawer{Ledger: s}).In(terminal.CashMove{Operator: "OP1", Amount: decimal.NewFromInt(100), Reason: terminal.ReasonFloat, IdemKey: "f"}); err != nil {
		t.Fatal(err)
	}
	p, err := terminal.OpenPending(filepath.Join(t.TempDir(), "pending.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	e, _, err := (&terminal.Days{Ledger: s, Pending: p}).Close(terminal.CloseRequest{Operator: "OP1"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := settlement.FromLedger(s, e.Seq, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Sign(stationKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestForkIsKeptAndFlagged(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.enrol("T0001", stationKey)
		o.mustImport(scenario(t, "intact-day1.bms"), registry.Accepted)
		fork := forkedDay1(t)
		o.mustImport(fork, registry.Fork)
		s, _ := o.reg.Station(t.Context(), "T0001")
		if !s.Flagged() || s.LastDay != "2026-11-20" || s.Last.Seq != 7 {
			t.Errorf("station after a fork: %+v", s)
		}
		ev, err := o.reg.Evidence(t.Context(), "T0001")
		if err != nil || len(ev) != 1 || string(ev[0].File) != string(fork) {
			t.Fatalf("evidence %v %v, want the forked file kept", len(ev), err)
		}
		// The same fork again changes nothing.
		o.mustImport(fork, registry.Replay)
		// A day 2 signed by the station but chained to another end of day 1.
		o.mustImport(scenario(t, "broken-chain.bms"), registry.Fork)
		if s, _ := o.reg.Station(t.Context(), "T0001"); s.Forks != 2 {
			t.Errorf("forks %d, want 2", s.Forks)
		}
		// The acknowledged chain goes on.
		o.mustImport(scenario(t, "intact-day2.bms"), registry.Accepted)
	})
}

func TestRefusedFilesChangeNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		other := ed25519.NewKeyFromSeed([]byte("another station seed, 32 bytes!!"))
		// The tariff the station's day says it used, as this post office
		// issued it: withdrawals earn 0.50, where the station booked 1.00.
		cheaper := bytes.Replace(tariff.DemoJSON, []byte(`{"up_to": "500.00", "amount": "1.00"}`), []byte(`{"up_to": "500.00", "amount": "0.50"}`), 1)
		if bytes.Equal(cheaper, tariff.DemoJSON) {
			t.Fatal("the demo tariff's withdrawal commission has moved: update this test")
		}
		for _, c := range []struct {
			name, file string
			clock      time.Time
			enrolKey   ed25519.PrivateKey
			want       string
			issued     []byte
		}{
			{"unknown station", "intact-day1.bms", time.Time{}, nil, registry.ErrUnknownStation, nil},
			{"enrolled with another key", "intact-day1.bms", time.Time{}, other, registry.ErrWrongKey, nil},
			{"signed with another key, its seal number line left at zero (it verifies with no key)", "wrong-key.bms", time.Time{}, stationKey, registry.ErrBadFile, nil},
			{"entry rewritten and re-signed", "rewritten.bms", time.Time{}, stationKey, registry.ErrBadFile, nil},
			{"entry deleted and re-signed", "deleted.bms", time.Time{}, stationKey, registry.ErrBadFile, nil},
			{"cut off half way", "truncated.bms", time.Time{}, stationKey, registry.ErrBadFile, nil},
			{"tail dropped", "truncated-tail.bms", time.Time{}, stationKey, registry.ErrBadFile, nil},
			{"figures that do not add up", "figures.bms", time.Time{}, stationKey, registry.ErrBadFile, nil},
			{"a day not yet come (the business day may be tomorrow's date after the cut-off, not later)", "intact-day1.bms", time.Date(2026, 11, 18, 23, 0, 0, 0, cst), stationKey, registry.ErrFuture, nil},
			{"a commission above the tariff issued", "intact-day1.bms", time.Time{}, stationKey, registry.ErrCharges, cheaper},
		} {
			t.Run(c.name, func(t *testing.T) {
				o := newOffice(t, b)
				if c.issued != nil {
					o = newOfficeIssuing(t, b, c.issued)
				}
				if c.enrolKey != nil {
					o.enrol("T0001", c.enrolKey)
				}
				if !c.clock.IsZero() {
					o.now = c.clock
				}
				before := o.state()
				_, err := o.importFile(scenario(t, c.file))
				var re *registry.Error
				if !errors.As(err, &re) || re.Kind != c.want {
					t.Fatalf("import %s: %v, want a refusal of kind %s", c.file, err, c.want)
				}
				if !reflect.DeepEqual(before, o.state()) {
					t.Error("a refused file changed the registry")
				}
			})
		}
	})
}

func TestEnrolRefusesBadInput(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		good := registry.Enrolment{Station: "T0001", Key: verifierKey(t, "T0001", stationKey), Franchisee: "王秀英",
			Deposit: decimal.RequireFromString("20000.00"), Tariff: "DEMO-2026-11"}
		for _, c := range []struct {
			name string
			edit func(e *registry.Enrolment)
			rule string
		}{
			{"malformed key", func(e *registry.Enrolment) { e.Key = "T0001+1234+notbase64" }, "pubkey"},
			{"another station's key", func(e *registry.Enrolment) { e.Key = verifierKey(t, "T0002", stationKey) }, "pubkey"},
			{"station id with a space", func(e *registry.Enrolment) { e.Station = "T 0001" }, "station"},
			{"no franchisee", func(e *registry.Enrolment) { e.Franchisee = " " }, "franchisee"},
			{"franchisee over two lines", func(e *registry.Enrolment) { e.Franchisee = "王\n秀英" }, "franchisee"},
			{"negative deposit", func(e *registry.Enrolment) { e.Deposit = decimal.RequireFromString("-1") }, "deposit"},
			{"deposit in fractions of a fen", func(e *registry.Enrolment) { e.Deposit = decimal.RequireFromString("1.005") }, "deposit"},
			{"no tariff", func(e *registry.Enrolment) { e.Tariff = "" }, "tariff"},
			{"a tariff never issued", func(e *registry.Enrolment) { e.Tariff = "HOME-MADE" }, "tariff"},
		} {
			t.Run(c.name, func(t *testing.T) {
				o := newOffice(t, b)
				e := good
				c.edit(&e)
				_, err := o.reg.Enrol(t.Context(), e)
				var re *registry.Error
				if !errors.As(err, &re) || re.Kind != registry.ErrInput || len(re.Detail) < len(c.rule) || re.Detail[:len(c.rule)] != c.rule {
					t.Fatalf("enrol: %v, want an input error naming %s", err, c.rule)
				}
				if list, _ := o.reg.Stations(t.Context()); len(list) != 0 {
					t.Error("a refused enrolment recorded a station")
				}
			})
		}
		o := newOffice(t, b)
		if _, err := o.reg.Enrol(t.Context(), good); err != nil {
			t.Fatal(err)
		}
		var re *registry.Error
		if _, err := o.reg.Enrol(t.Context(), good); !errors.As(err, &re) || re.Kind != registry.ErrExists {
			t.Errorf("enrolling twice: %v", err)
		}
	})
}

func TestRetire(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.enrol("T0001", stationKey)
		o.mustImport(scenario(t, "intact-day1.bms"), registry.Accepted)
		o.mustImport(scenario(t, "intact-day3.bms"), registry.Held)
		skey, vkey, _ := note.GenerateKey(rand.Reader, "xinyang-postoffice")
		signer, _ := note.NewSigner(skey)
		var re *registry.Error
		if _, err := o.reg.Retire(t.Context(), "T0001", signer); !errors.As(err, &re) || re.Kind != registry.ErrOpen {
			t.Fatalf("retire with a day missing: %v, want refused", err)
		}
		o.mustImport(scenario(t, "intact-day2.bms"), registry.Accepted, registry.Accepted)
		s, err := o.reg.Retire(t.Context(), "T0001", signer)
		if err != nil {
			t.Fatal(err)
		}
		r := s.Retirement
		f3, _ := settlement.Parse(scenario(t, "intact-day3.bms"))
		if !r.Owed.Equal(f3.Close.Owed.Close) || !r.Return.Equal(r.Deposit.Add(r.Owed)) || r.LastDay != "2026-11-22" {
			t.Errorf("retirement %+v: want the deposit plus the %s owed after the last day", r, f3.Close.Owed.Close)
		}
		v, _ := note.NewVerifier(vkey)
		n, err := note.Open(r.Statement, note.VerifierList(v))
		if err != nil || n.Text != r.CloseOutText(&s) {
			t.Errorf("close-out statement does not open with the post office key: %v", err)
		}
		before := o.state()
		if _, err := o.importFile(scenario(t, "intact-day3.bms")); !errors.As(err, &re) || re.Kind != registry.ErrRetired {
			t.Errorf("a file after retirement: %v, want refused", err)
		}
		if !equalState(before, o.state()) {
			t.Error("a file from a retired station changed the registry")
		}
	})
}

// TestKeyLineEditedAfterSigning: a day file whose key line was replaced
// after signing is refused as a changed file, not as a file signed with
// an unenrolled key (which would send the clerk to rotate-key).
func TestKeyLineEditedAfterSigning(t *testing.T) {
	eachStore(t, func(t *testing.T, b backend) {
		o := newOffice(t, b)
		o.enrol("T0001", stationKey)
		data := scenario(t, "intact-day1.bms")
		real := verifierKey(t, "T0001", stationKey)
		other := verifierKey(t, "T0001", ed25519.NewKeyFromSeed([]byte("another station seed, 32 bytes!!")))
		edited := bytes.Replace(data, []byte("key "+real), []byte("key "+other), 1)
		if bytes.Equal(edited, data) {
			t.Fatal("the scenario file has no key line to edit")
		}
		before := o.state()
		_, err := o.importFile(edited)
		var re *registry.Error
		if !errors.As(err, &re) || re.Kind != registry.ErrBadFile || !strings.Contains(re.Detail, "changed after it was signed") {
			t.Fatalf("import of a file with an edited key line: %v, want a changed file", err)
		}
		if !reflect.DeepEqual(before, o.state()) {
			t.Error("a refused file changed the registry")
		}
	})
}
