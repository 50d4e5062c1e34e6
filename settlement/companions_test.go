package settlement_test

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/internal/toolcheck"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"golang.org/x/mod/sumdb/note"
)

func TestCSV(t *testing.T) {
	st := threeDays(t)
	f, err := settlement.Parse(st.files[0])
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := settlement.WriteCSV(&b, f, cst); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Error("no byte-order mark: spreadsheet programs would show the Chinese as garbage")
	}
	rows, err := csv.NewReader(bytes.NewReader(b.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(f.Records)+1 {
		t.Fatalf("%d rows for %d entries", len(rows), len(f.Records))
	}
	found := false
	for _, r := range rows[1:] {
		if r[4] == "助农取款" && r[6] == "500.00" && r[10] == "500.00" && r[13] == "622848*********0018" {
			found = true
		}
		if len(r[15]) != 64 {
			t.Errorf("row %v has no hash", r)
		}
	}
	if !found {
		t.Errorf("no withdrawal row:\n%s", b.String())
	}
}

func TestDayReport(t *testing.T) {
	pdftotext := toolcheck.Require(t, "pdftotext", "poppler-utils")
	st := threeDays(t)
	ttf, err := cjkfont.TTF()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]string{
		{"便民服务站日结报告", "山前村便民服务站", "营业日 2026-11-20", "助农取款", "¥500.00", "商品销售", "¥270.00", "实点现金", "账实相符", "邮政", "店主签字", "无"},
		{"营业日 2026-11-21", "前一天忘记日结", "未清点", "T0001-000010", "缴费"},
		{"营业日 2026-11-22", "短款 ¥0.50"},
	} {
		f, err := settlement.Parse(st.files[i])
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "report.pdf")
		var b bytes.Buffer
		if err := settlement.WriteReport(&b, f, "山前村便民服务站", time.Date(2026, 11, 20, 20, 0, 0, 0, cst), cst, ttf); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path, b.Bytes(), 0o644)
		out, err := exec.Command(pdftotext, "-layout", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if pages := bytes.Count(out, []byte("\f")); pages != 1 {
			t.Errorf("day %d: %d pages, want one", i+1, pages)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, s := range want {
			if !strings.Contains(text, s) {
				t.Errorf("day %d report lacks %q:\n%s", i+1, s, out)
			}
		}
	}
}

func TestAck(t *testing.T) {
	skey, vkey, _ := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	a := settlement.Ack{Station: "T0001", Last: ledger.Checkpoint{Seq: 97, Hash: [32]byte{1, 2, 3}}, Day: "2026-11-20"}
	msg, err := settlement.SignAck(a, signer)
	if err != nil {
		t.Fatal(err)
	}
	got, err := settlement.OpenAck(msg, verifier)
	if err != nil || got != a {
		t.Fatalf("OpenAck: %+v, %v", got, err)
	}
	oskey, _, _ := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	other, _ := note.NewSigner(oskey)
	forged, _ := settlement.SignAck(a, other)
	if _, err := settlement.OpenAck(forged, verifier); !errors.Is(err, settlement.ErrAckSignature) {
		t.Errorf("an acknowledgement by another key: %v", err)
	}
	for _, text := range []string{"", "T0001\n97\n", "T0001\n097\nAQID\n2026-11-20\n", "T0001\n97\nnot base64\n2026-11-20\n"} {
		if _, err := settlement.ParseAck(text); err == nil {
			t.Errorf("ParseAck(%q) accepted it", text)
		}
	}
}
