package ledger_test

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/internal/toolcheck"
	"github.com/villagepost/bianmin/ledger"
)

// TestHledgerRoundTrip exports a ledger with money and goods, has hledger
// read it, and compares hledger's balance report with the ledger's own.
func TestHledgerRoundTrip(t *testing.T) {
	hledger := toolcheck.Require(t, "hledger", "hledger")
	s, _ := MustCreate(t)
	mustAppend(t, s, cashIn("open", "2000.00"))
	mustAppend(t, s, withdrawal("w1", "500.00"))
	mustAppend(t, s, withdrawal("w2", "1234.56"))
	mustAppend(t, s, ledger.Draft{Operator: "OP1", Kind: "stock_in", IdemKey: "stock-1",
		Postings: []ledger.Posting{
			{Account: "assets:stock", Side: ledger.Debit, Commodity: "FERT-50KG", Amount: amt("40")},
			{Account: "postoffice:consignment", Side: ledger.Credit, Commodity: "FERT-50KG", Amount: amt("40")},
		}})
	mustAppend(t, s, ledger.Draft{Operator: "OP1", Kind: "operator_add", IdemKey: "op-add-OP2", Payload: []byte(`{"id":"OP2"}`)})

	journal := filepath.Join(t.TempDir(), "station.journal")
	f, err := os.Create(journal)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteHledger(f, 0, 0); err != nil {
		t.Fatal(err)
	}
	f.Close()

	out, err := exec.Command(hledger, "-f", journal, "balance", "--flat", "--no-total", "-O", "csv").CombinedOutput()
	if err != nil {
		data, _ := os.ReadFile(journal)
		t.Fatalf("hledger refused the journal: %v\n%s\njournal:\n%s", err, out, data)
	}
	rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil {
		t.Fatalf("hledger csv: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[r[0]] = r[1]
	}
	want, _ := s.Balances()
	for _, b := range want.Sorted() {
		text := ledger.AmountText(b.Commodity, b.Amount)
		if b.Commodity == ledger.Currency {
			text += " CNY"
		} else {
			text = text + ` "` + b.Commodity + `"`
		}
		if got[b.Name] != text {
			t.Errorf("%s: hledger says %q, ledger says %q", b.Name, got[b.Name], text)
		}
		delete(got, b.Name)
	}
	if len(got) != 0 {
		t.Errorf("hledger has accounts the ledger has not: %v", got)
	}
}
