package receipts_test

import (
	"bytes"
	"crypto/ed25519"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/internal/cjkfont"
	"github.com/villagepost/bianmin/internal/toolcheck"
	"github.com/villagepost/bianmin/receipts"
)

var update = flag.Bool("update", false, "rewrite testdata/*.pdf and the pictures in docs/receipts/")

func font(t *testing.T) []byte {
	t.Helper()
	ttf, err := cjkfont.TTF()
	if err != nil {
		t.Fatal(err)
	}
	return ttf
}

// TestEveryServiceAsPDF renders one receipt of each service at 80 mm and
// reads it back as a person would: the text through pdftotext, the QR code
// through a picture (pdftoppm) and a barcode reader (zbarimg); the code it
// holds verifies against the station's key.
func TestEveryServiceAsPDF(t *testing.T) {
	pdftotext := toolcheck.Require(t, "pdftotext", "poppler-utils")
	pdftoppm := toolcheck.Require(t, "pdftoppm", "poppler-utils")
	zbarimg := toolcheck.Require(t, "zbarimg", "zbar-tools")
	d := newDay(t)
	ttf := font(t)
	dir := t.TempDir()
	for _, name := range d.order {
		t.Run(name, func(t *testing.T) {
			r := d.receipt(t, name)
			path := filepath.Join(dir, name+".pdf")
			var buf bytes.Buffer
			if err := r.WritePDF(&buf, "zh", 80, ttf); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(pdftotext, "-layout", path, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			text := strings.Join(strings.Fields(string(out)), " ")
			for _, s := range append(want[name], "山前村便民服务站", "账本序号") {
				if !strings.Contains(text, strings.Join(strings.Fields(s), " ")) {
					t.Errorf("the PDF lacks %q:\n%s", s, out)
				}
			}
			png := filepath.Join(dir, name)
			if out, err := exec.Command(pdftoppm, "-png", "-r", "300", "-f", "1", "-l", "1", "-singlefile", path, png).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, out)
			}
			scan, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sbinary", png+".png").Output()
			if err != nil {
				t.Fatalf("zbarimg found no QR code: %v", err)
			}
			code, err := receipts.ParseCode(strings.TrimRight(string(scan), "\r\n"))
			if err != nil {
				t.Fatalf("the scanned code %q: %v", scan, err)
			}
			if err := code.Verify(stationKey.Public().(ed25519.PublicKey)); err != nil {
				t.Errorf("the scanned code does not verify: %v", err)
			}
			if code.Seq != r.Seq || code.Kind != r.Kind {
				t.Errorf("the scanned code is of entry %d %s", code.Seq, code.Kind)
			}
			if *update && name != "cash_in" {
				dst := filepath.Join("..", "docs", "receipts", name+".png")
				if out, err := exec.Command(pdftoppm, "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", path, strings.TrimSuffix(dst, ".png")).CombinedOutput(); err != nil {
					t.Fatalf("pdftoppm: %v\n%s", err, out)
				}
			}
		})
	}
}

// TestPDFIsTheSameEveryTime: the same receipt gives the same bytes, so the
// golden file stands for what is printed.
func TestPDFIsTheSameEveryTime(t *testing.T) {
	d := newDay(t)
	ttf := font(t)
	for _, width := range []int{58, 80} {
		r := d.receipt(t, "withdrawal")
		var a, b bytes.Buffer
		if err := r.WritePDF(&a, "zh", width, ttf); err != nil {
			t.Fatal(err)
		}
		if err := r.WritePDF(&b, "zh", width, ttf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("%d mm: two renders differ", width)
		}
		if n := a.Len(); n > 120<<10 {
			t.Errorf("%d mm: a receipt of %d KB; the font should be cut to the glyphs used", width, n>>10)
		}
		golden := filepath.Join("testdata", "withdrawal-"+map[int]string{58: "58", 80: "80"}[width]+".pdf")
		if *update {
			os.MkdirAll("testdata", 0o755)
			if err := os.WriteFile(golden, a.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./receipts -update to write it)", err)
		}
		if !bytes.Equal(a.Bytes(), want) {
			t.Errorf("%d mm: the PDF differs from %s (run with -update if the change is meant)", width, golden)
		}
	}
}

func TestPDFWidth(t *testing.T) {
	d := newDay(t)
	r := d.receipt(t, "topup")
	if err := r.WritePDF(&bytes.Buffer{}, "zh", 76, font(t)); err == nil {
		t.Error("76 mm paper was accepted")
	}
}
