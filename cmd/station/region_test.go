package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/internal/pgtest"
)

// poAttention is the post office's exit status for "done, but something
// needs a person".
const poAttention = 3

// postofficeProc runs the post office program as the region uses it.
type postofficeProc struct {
	t   *testing.T
	bin string
	dir string

	key    string // its verifier key, for station init --postoffice-key
	tariff string // the test tariff, signed by it

	db     string          // the registry's PostgreSQL database; "" for the bbolt file in dir
	mirror *postofficeProc // when set, every command runs on it too and must say the same
}

// startPostOffice is a post office set up by its program: its key made,
// the test tariff signed.
func startPostOffice(t *testing.T) *postofficeProc {
	t.Helper()
	po := &postofficeProc{t: t, bin: binary(t, "postoffice"), dir: filepath.Join(t.TempDir(), "po")}
	po.expect(0, "init", "--name", "xinyang-postoffice")
	po.key = strings.TrimSpace(po.expect(0, "key"))
	tariffJSON := filepath.Join(t.TempDir(), "tariff.json")
	if err := os.WriteFile(tariffJSON, testTariff(), 0o644); err != nil {
		t.Fatal(err)
	}
	po.expect(0, "tariff", "sign", tariffJSON)
	po.tariff = strings.TrimSuffix(tariffJSON, ".json") + ".signed"
	return po
}

func (p *postofficeProc) run(args ...string) (code int, stdout, stderr string) {
	p.t.Helper()
	cmd := exec.Command(p.bin, args...)
	cmd.Env = append(os.Environ(), "POSTOFFICE_PASSPHRASE="+passphrase, "POSTOFFICE_DB="+p.db)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errOut.String()
	} else if err != nil {
		p.t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

// expect runs a command that must exit with code.
func (p *postofficeProc) expect(code int, args ...string) string {
	p.t.Helper()
	at := 1 // flags go before the files: after the command
	if args[0] == "tariff" || args[0] == "dispute" {
		at = 2
	}
	full := append(append(append([]string{}, args[:at]...), "--dir", p.dir), args[at:]...)
	got, out, errOut := p.run(full...)
	if got != code {
		p.t.Fatalf("postoffice %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, out, errOut)
	}
	if p.mirror != nil {
		if mirrored := p.mirror.expect(code, args...); strings.ReplaceAll(mirrored, p.mirror.dir, "PO") != strings.ReplaceAll(out+errOut, p.dir, "PO") {
			p.t.Errorf("postoffice %s says on %s\n%s\nand on bbolt\n%s", strings.Join(args, " "), p.mirror.store(), mirrored, out+errOut)
		}
	}
	return out + errOut
}

func (p *postofficeProc) store() string {
	if p.db == "" {
		return "bbolt"
	}
	return "PostgreSQL"
}

// mirrorOnPostgres makes p's every command run also on a post office
// with the same key whose registry is in a PostgreSQL database of the
// test's own; without a test database (POSTOFFICE_TEST_DB) it does
// nothing, except under CI=true, where the test fails.
func (p *postofficeProc) mirrorOnPostgres(t *testing.T) {
	t.Helper()
	if os.Getenv("POSTOFFICE_TEST_DB") == "" && os.Getenv("CI") != "true" {
		t.Log("no PostgreSQL (POSTOFFICE_TEST_DB): the post office runs on bbolt only")
		return
	}
	m := &postofficeProc{t: t, bin: p.bin, dir: filepath.Join(t.TempDir(), "po-pg"), key: p.key, tariff: p.tariff, db: pgtest.DB(t)}
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(p.dir, "postoffice.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(m.dir, "postoffice.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	m.expect(0, "init")
	m.expect(0, "tariff", "sign", strings.TrimSuffix(p.tariff, ".signed")+".json")
	p.mirror = m
}

// sameFiles checks that the post office on PostgreSQL wrote what the one
// on bbolt wrote: the acknowledgements, the reconciliations' exceptions
// and the statements' CSV, byte for byte.
func (p *postofficeProc) sameFiles(t *testing.T) {
	t.Helper()
	if p.mirror == nil {
		return
	}
	for _, pattern := range []string{"acks/*.ack", "reconcile/*.csv", "statements/*/*.csv", "archive/*/*.bms"} {
		files, err := filepath.Glob(filepath.Join(p.dir, pattern))
		if err != nil || len(files) == 0 {
			t.Errorf("no %s in the post office's folder (%v)", pattern, err)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(p.dir, f)
			a, _ := os.ReadFile(f)
			b, err := os.ReadFile(filepath.Join(p.mirror.dir, rel))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("%s differs on PostgreSQL (%v):\n%s\nbbolt:\n%s", rel, err, b, a)
			}
		}
	}
}

// setClock sets the hosts' clock, so that the journal dates decisions on
// the stations' business day.
func (h *hostsimProc) setClock(at time.Time) {
	h.t.Helper()
	h.put("/admin/clock", map[string]time.Time{"time": at})
}

// regionStation is one station of the region, run in-process.
type regionStation struct {
	id  string
	c   *cli
	dir string
	key string // its verifier key, as init printed it
}

func (s *regionStation) op(args ...string) []string {
	return append(args, "--dir", s.dir, "--operator", "OP1")
}

// closeDay counts the drawer as the ledger says and closes the day.
func (s *regionStation) closeDay(t *testing.T) {
	var cash map[string]any
	jsonUnmarshal(t, s.c.must("cash", "--dir", s.dir, "--json"), &cash)
	s.c.must(s.op("close-day", "--counted", cash["cash"].(string))...)
}

// traces lists the trace numbers of the station's requests to a host on
// a business day, by service.
func (s *regionStation) traces(t *testing.T, day string) map[string]string {
	out := map[string]string{}
	for _, e := range entries(t, s.c, s.dir) {
		if e["kind"] == "intent" && e["day"] == day {
			out[fmt.Sprintf("%s-%06d", s.id, int(e["seq"].(float64)))] = e["payload"].(map[string]any)["service"].(string)
		}
	}
	return out
}

func (s *regionStation) file(day string) string {
	return filepath.Join(s.dir, "settlements", s.id+"-"+strings.ReplaceAll(day, "-", "")+".bms")
}

// TestRegion runs a region: three stations work two business days
// against cmd/hostsim, and the post office imports their files and
// reconciles them against the hosts' journal. Known discrepancies are put
// in on the way (a host row dropped, an amount altered, a file sent
// twice, a day forked by a station that restored an old copy, a day that
// never came), and the post office must report exactly those. Then the
// missing day comes, and the monthly statements must equal the stations'
// own books to the fen.
//
// The post office runs on both stores at once (mirrorOnPostgres): every
// command is run on a bbolt post office and on one whose registry is in
// PostgreSQL, and both must say and write the same, exception for
// exception and fen for fen.
func TestRegion(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	po.mirrorOnPostgres(t)

	var stations []*regionStation
	for i, name := range []string{"山前村便民服务站", "河湾村便民服务站", "柳林村便民服务站"} {
		stations = append(stations, newRegionStation(t, po, h.url, fmt.Sprintf("T%04d", i+1), name))
	}
	if out := po.expect(0, "stations"); strings.Count(out, "在营") != 3 {
		t.Errorf("stations:\n%s", out)
	}
	t1, t2, t3 := stations[0], stations[1], stations[2]

	// Day 1.
	h.setClock(stations[0].c.now)
	for _, s := range stations {
		s.c.must(s.op("cash", "in", "--amount", "3000", "--reason", "float")...)
		s.c.must(s.op("withdraw", "--card", "6228480402564890018", "--amount", "500")...)
		s.c.must(s.op("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "120")...)
		s.closeDay(t)
	}
	// T0003's file of day 1 never reaches the post office (yet).
	out := po.expect(0, "import", t1.file("2026-11-20"), t2.file("2026-11-20"))
	if !strings.Contains(out, "接受 2 个营业日") {
		t.Errorf("import of day 1:\n%s", out)
	}
	for _, s := range stations[:2] {
		s.c.must("ack", "--dir", s.dir, "--operator", "OP1", filepath.Join(po.dir, "acks", s.id+"-20261120.ack"))
	}

	// Day 2. T0002's folder is copied first: later the shop restores the
	// copy and does a different day 2 on it.
	for _, s := range stations {
		s.c.now = time.Date(2026, 11, 21, 1, 30, 0, 0, time.UTC)
	}
	h.setClock(t1.c.now)
	restored := filepath.Join(t.TempDir(), "T0002-restored")
	copyDir(t, t2.dir, restored)
	for _, s := range stations {
		s.c.must(s.op("withdraw", "--card", "6217001234567890122", "--amount", "200")...)
		s.c.must(s.op("topup", "--biller", "china-mobile", "--phone", "13800138000", "--amount", "50")...)
		s.closeDay(t)
	}
	fork := &regionStation{id: "T0002", c: t2.c, dir: restored}
	fork.c.must(fork.op("cash", "in", "--amount", "50", "--reason", "owner")...)
	fork.closeDay(t)

	// The post office gets day 1 of T0001 again, day 2 of every station,
	// and then the restored copy's day 2.
	out = po.expect(poAttention, "import", t1.file("2026-11-20"), t1.file("2026-11-21"), t2.file("2026-11-21"), t3.file("2026-11-21"))
	for _, want := range []string{"接受 2 个营业日", "重复 1 个", "缺日", "T0003 营业日 2026-11-21 已核验并暂存"} {
		if !strings.Contains(out, want) {
			t.Errorf("second import does not say %q:\n%s", want, out)
		}
	}
	out = po.expect(poAttention, "import", fork.file("2026-11-21"))
	if !strings.Contains(out, "分叉") || !strings.Contains(out, "T0002 营业日 2026-11-21") {
		t.Errorf("import of the forked day:\n%s", out)
	}
	if out := po.expect(0, "stations"); !strings.Contains(out, "分叉 1 个") || !strings.Contains(out, "缺日，1 个文件暂存") {
		t.Errorf("stations after the fork and the gap:\n%s", out)
	}

	// The post office's copy of the host journal: one row dropped (T0001's
	// withdrawal of day 1), one amount altered (T0002's top-up of day 2).
	dropped := only(t, t1.traces(t, "2026-11-20"), "withdrawal")
	altered := only(t, t2.traces(t, "2026-11-21"), "topup")
	journal := editJournal(t, h.journal, dropped, altered)

	reconcile := func(day string) map[string]string {
		t.Helper()
		out := po.expect(poAttention, "reconcile", "--date", day, "--host-journal", journal)
		if !strings.Contains(out, "异常") {
			t.Errorf("reconcile %s:\n%s", day, out)
		}
		return exceptions(t, filepath.Join(po.dir, "reconcile", "reconcile-"+strings.ReplaceAll(day, "-", "")+".csv"))
	}
	noFile := func(day string) map[string]string {
		m := map[string]string{}
		for trace := range t3.traces(t, day) {
			m[trace] = "no_file"
		}
		return m
	}
	with := func(m map[string]string, trace, kind string) map[string]string { m[trace] = kind; return m }
	check := func(day string, want map[string]string) {
		t.Helper()
		if got := reconcile(day); !sameMap(got, want) {
			t.Errorf("reconcile %s: exceptions\n%v\nwant\n%v", day, got, want)
		}
	}
	check("2026-11-20", with(noFile("2026-11-20"), dropped, "missing_at_host"))
	check("2026-11-21", with(noFile("2026-11-21"), altered, "amount_mismatch"))

	// The missing day comes: it is taken, and the day held after it too.
	out = po.expect(0, "import", t3.file("2026-11-20"))
	if !strings.Contains(out, "接受 2 个营业日") {
		t.Errorf("import of the missing day:\n%s", out)
	}
	check("2026-11-20", map[string]string{dropped: "missing_at_host"})
	check("2026-11-21", map[string]string{altered: "amount_mismatch"})

	// The statements are the stations' books.
	po.expect(0, "statement", "--all", "--month", "2026-11")
	rows := readCSV(t, filepath.Join(po.dir, "statements", "2026-11", "region-2026-11.csv"))
	for _, s := range stations {
		var fees, commission, owed decimal.Decimal
		var bal struct {
			Balances []struct{ Account, Amount string }
		}
		jsonUnmarshal(t, s.c.must("balance", "--dir", s.dir, "--json"), &bal)
		for _, b := range bal.Balances {
			a := decimal.RequireFromString(b.Amount)
			switch {
			case b.Account == "income:fees":
				fees = fees.Sub(a)
			case strings.HasPrefix(b.Account, "income:commission:"):
				commission = commission.Sub(a)
			case b.Account == "postoffice:settlement":
				owed = a
			}
		}
		row := rows[s.id]
		if row == nil {
			t.Fatalf("the region statement has no row for %s", s.id)
		}
		for _, c := range []struct {
			col  string
			want decimal.Decimal
		}{{"fees", fees}, {"commission", commission}, {"owed_after", owed}, {"deposit_balance", owed.Add(decimal.NewFromInt(20000))}} {
			if got := decimal.RequireFromString(row[c.col]); !got.Equal(c.want) {
				t.Errorf("%s statement %s %s, the station's ledger says %s", s.id, c.col, got, c.want)
			}
		}
		if _, err := os.Stat(filepath.Join(po.dir, "statements", "2026-11", s.id+"-2026-11.pdf")); err != nil {
			t.Errorf("%s: no PDF statement: %v", s.id, err)
		}
	}
	for _, s := range stations {
		s.c.must("ledger", "verify", "--dir", s.dir)
	}
	po.sameFiles(t)
}

// only returns the one trace of service among traces.
func only(t *testing.T, traces map[string]string, service string) string {
	t.Helper()
	var found []string
	for trace, svc := range traces {
		if svc == service {
			found = append(found, trace)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s requests, want one: %v", len(found), service, traces)
	}
	return found[0]
}

// editJournal copies the host journal without the send line of drop and
// with the amount of alter's send line changed (alter "": none).
func editJournal(t *testing.T, path, drop, alter string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	dropped, altered := false, false
	for _, l := range strings.SplitAfter(string(data), "\n") {
		switch {
		case strings.Contains(l, `"trace":"`+drop+`"`):
			dropped = true
			continue
		case alter != "" && strings.Contains(l, `"trace":"`+alter+`"`) && strings.Contains(l, `"amount":"50.00"`):
			l = strings.Replace(l, `"amount":"50.00"`, `"amount":"500.00"`, 1)
			altered = true
		}
		out = append(out, l)
	}
	if !dropped || (alter != "" && !altered) {
		t.Fatalf("the journal has no line for %s or %s", drop, alter)
	}
	edited := filepath.Join(t.TempDir(), "host-journal.jsonl")
	if err := os.WriteFile(edited, []byte(strings.Join(out, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return edited
}

// exceptions reads a reconciliation's CSV: trace → kind.
func exceptions(t *testing.T, path string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, r := range readRows(t, path)[1:] {
		m[r[3]] = r[1]
	}
	return m
}

// readCSV reads the region statement: station → column → value.
func readCSV(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	rows := readRows(t, path)
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, col := range rows[0] {
			m[col] = r[i]
		}
		out[m["station"]] = m
	}
	return out
}

func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// copyDir copies a station folder (no process holds it).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, info.Mode().Perm())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}
