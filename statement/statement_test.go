package statement_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/internal/toolcheck"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/registry"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/statement"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

var stationKey = ed25519.NewKeyFromSeed([]byte("settlement tests station seed 32"))

// month is a registry holding the three days of settlement's test
// station, and those days' files.
func month(t *testing.T) (*registry.Registry, []*settlement.File) {
	t.Helper()
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	reg, err := registry.Open(filepath.Join(t.TempDir(), "registry.db"), &registry.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	key, _ := keyfile.VerifierKey("T0001", stationKey.Public().(ed25519.PublicKey))
	demo, err := tariff.Parse(tariff.DemoJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Issue(t.Context(), demo); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Enrol(t.Context(), registry.Enrolment{Station: "T0001", Key: key, Franchisee: "王秀英", Deposit: decimal.RequireFromString("20000"), Tariff: "DEMO-2026-11"}); err != nil {
		t.Fatal(err)
	}
	skey, _, _ := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	signer, _ := note.NewSigner(skey)
	im := &registry.Importer{Registry: reg, Signer: signer}
	var files []*settlement.File
	for _, name := range []string{"intact-day1.bms", "intact-day2.bms", "intact-day3.bms"} {
		data, err := os.ReadFile(filepath.Join("..", "settlement", "testdata", "scenarios", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := im.Import(t.Context(), reg.Check(t.Context(), data)); err != nil {
			t.Fatal(err)
		}
		f, _ := settlement.Parse(data)
		files = append(files, f)
	}
	return reg, files
}

func TestStatementAddsUpTheDays(t *testing.T) {
	reg, files := month(t)
	s, err := statement.Build(t.Context(), reg, "T0001", "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	var commission, fees, net decimal.Decimal
	for _, f := range files {
		for _, tot := range f.Close.Totals {
			commission, fees = commission.Add(tot.Commission), fees.Add(tot.Fees)
		}
		net = net.Add(f.Close.Owed.Net)
	}
	last := files[len(files)-1].Close.Owed.Close
	if len(s.Days) != 3 || !s.Commission.Equal(commission) || !s.Fees.Equal(fees) || !s.Net.Equal(net) || !s.OwedClose.Equal(last) {
		t.Errorf("statement: %d days, commission %s fees %s net %s owed %s; the files say commission %s fees %s net %s owed %s",
			len(s.Days), s.Commission, s.Fees, s.Net, s.OwedClose, commission, fees, net, last)
	}
	if want := decimal.RequireFromString("20000").Add(last); !s.DepositBalance().Equal(want) {
		t.Errorf("deposit balance %s, want %s", s.DepositBalance(), want)
	}
	// A month with no day keeps what was owed.
	dec, err := statement.Build(t.Context(), reg, "T0001", "2026-12")
	if err != nil || len(dec.Days) != 0 || !dec.OwedOpen.Equal(last) || !dec.OwedClose.Equal(last) {
		t.Errorf("December: %+v %v", dec, err)
	}
	if _, err := statement.Build(t.Context(), reg, "T0001", "2026-13"); err == nil {
		t.Error("month 2026-13 accepted")
	}

	var buf bytes.Buffer
	if err := s.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	total := rows[len(rows)-1]
	if total[3] != "month_total" || total[8] != s.Commission.StringFixed(2) || total[10] != last.StringFixed(2) {
		t.Errorf("CSV month total %v", total)
	}
}

func TestStatementPDFReads(t *testing.T) {
	pdftotext := toolcheck.Require(t, "pdftotext", "poppler-utils")
	reg, _ := month(t)
	s, err := statement.Build(t.Context(), reg, "T0001", "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	r, err := statement.BuildRegion(t.Context(), reg, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	ttf, err := cjkfont.TTF()
	if err != nil {
		t.Fatal(err)
	}
	made := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer) error
		want  []string
	}{
		{"station", func(b *bytes.Buffer) error { return s.WritePDF(b, made, ttf) },
			[]string{"便民服务站月结单", "站号 T0001", "王秀英", "2026-11", "助农取款", "2026-11-21*", "押金余额", yuan(s.DepositBalance()), yuan(s.Commission)}},
		{"region", func(b *bytes.Buffer) error { return r.WritePDF(b, made, ttf) },
			[]string{"便民服务站月结汇总", "T0001", "合计", yuan(r.Commission)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.write(&b); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			c.write(&again)
			if !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Error("the same statement made twice differs")
			}
			path := filepath.Join(t.TempDir(), "s.pdf")
			os.WriteFile(path, b.Bytes(), 0o644)
			out, err := exec.Command(pdftotext, "-layout", path, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the PDF does not say %q:\n%s", w, out)
				}
			}
		})
	}
}

func yuan(d decimal.Decimal) string { return money.FormatReceipt(d) }
