package receipts_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/receipts"
	"github.com/villagepost/bianmin/terminal"
)

// codeVectors is receipts/testdata/codes.json: the conformance vectors an
// outside reader of receipt codes runs against (docs/receipt-code.md).
type codeVectors struct {
	Station     string       `json:"station"`
	PublicKey   string       `json:"public_key"`   // standard base64, 32 bytes
	VerifierKey string       `json:"verifier_key"` // the same key as a note verifier key
	Vectors     []codeVector `json:"vectors"`
}

type codeVector struct {
	Name    string   `json:"name"`
	About   string   `json:"about"`
	Code    string   `json:"code,omitempty"`    // the code as the QR code holds it
	Printed []string `json:"printed,omitempty"` // or as the paper prints it, line by line
	Verdict string   `json:"verdict"`           // valid, format or signature
	Field   string   `json:"field,omitempty"`   // for format: the field at fault
	Record  string   `json:"record,omitempty"`  // for valid: the ledger record (standard base64) the receipt was printed from
}

const codesFile = "testdata/codes.json"

// TestCodeVectors gives every vector of testdata/codes.json to the reader
// and checks its verdict; a valid code must also name its ledger record's
// number, kind and hash, and its time cut to the second. With -update the
// vectors are first written anew from the test day.
func TestCodeVectors(t *testing.T) {
	if *update {
		writeCodeVectors(t)
	}
	data, err := os.ReadFile(codesFile)
	if err != nil {
		t.Fatalf("%v (go test ./receipts -run TestCodeVectors -update writes it)", err)
	}
	var v codeVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	pub, err := base64.StdEncoding.DecodeString(v.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("public key %q", v.PublicKey)
	}
	seen := map[string]int{}
	for _, x := range v.Vectors {
		t.Run(x.Name, func(t *testing.T) {
			var c receipts.Code
			var err error
			if x.Printed != nil {
				c, err = receipts.ParsePrinted(strings.Join(x.Printed, "\n") + "\n")
			} else {
				c, err = receipts.ParseCode(x.Code)
			}
			if err == nil {
				err = c.Verify(ed25519.PublicKey(pub))
			}
			got, field := "valid", ""
			var ce *receipts.CodeError
			switch {
			case errors.As(err, &ce):
				got, field = "format", ce.Field
			case errors.Is(err, receipts.ErrSignature):
				got = "signature"
			case err != nil:
				t.Fatalf("an error of no known kind: %v", err)
			}
			if got != x.Verdict || field != x.Field {
				t.Fatalf("%s: got %s %s (%v), want %s %s", x.About, got, field, err, x.Verdict, x.Field)
			}
			seen[got]++
			if x.Record == "" {
				return
			}
			raw, err := base64.StdEncoding.DecodeString(x.Record)
			if err != nil {
				t.Fatal(err)
			}
			e, err := ledger.DecodeRecord(raw)
			if err != nil {
				t.Fatal(err)
			}
			if c.Station != e.Terminal || c.Seq != e.Seq || c.Kind != e.Kind || c.Hash != e.Hash || !c.Time.Equal(e.Time.Truncate(time.Second)) {
				t.Errorf("the code says %s %d %s %x %s; its record %s %d %s %x %s", c.Station, c.Seq, c.Kind, c.Hash[:4], c.Time,
					e.Terminal, e.Seq, e.Kind, e.Hash[:4], e.Time)
			}
		})
	}
	if seen["valid"] < 10 || seen["format"] < 8 || seen["signature"] < 6 {
		t.Errorf("too few vectors of a verdict: %v", seen)
	}
}

// writeCodeVectors makes the vectors: a valid code for every receipt of
// the test day, the withdrawal's as printed at both widths, one from an
// entry recorded at a time with milliseconds, and the withdrawal's code
// changed field by field.
func writeCodeVectors(t *testing.T) {
	d := newDay(t)
	pub := stationKey.Public().(ed25519.PublicKey)
	vkey, err := keyfile.VerifierKey("T0001", pub)
	if err != nil {
		t.Fatal(err)
	}
	v := codeVectors{Station: "T0001", PublicKey: base64.StdEncoding.EncodeToString(pub), VerifierKey: vkey}
	add := func(x codeVector) { v.Vectors = append(v.Vectors, x) }
	record := func(seq uint64) string {
		e, err := d.ledger.Get(seq)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(ledger.EncodeRecord(&e))
	}
	for _, name := range d.order {
		r := d.receipt(t, name)
		add(codeVector{Name: name, About: "the " + strings.ReplaceAll(name, "_", " ") + " receipt of the test day, as printed",
			Code: r.Code.String(), Verdict: "valid", Record: record(r.Seq)})
	}
	w := d.receipt(t, "withdrawal")
	code := w.Code.String()
	for _, cols := range []int{receipts.Cols58, receipts.Cols80} {
		lines := printedCode(t, w.TextLines("en", cols), code)
		mm := map[int]string{receipts.Cols58: "58", receipts.Cols80: "80"}[cols]
		add(codeVector{Name: "printed-" + mm + "mm", About: "the withdrawal's code as the " + mm + " mm receipt prints it, cut every " +
			map[int]string{receipts.Cols58: "32", receipts.Cols80: "48"}[cols] + " characters; joined it is the withdrawal's code",
			Printed: lines, Verdict: "valid"})
	}
	add(timeVector(t))

	f := strings.Split(code, "|")
	change := func(i int, value string) string {
		g := append([]string(nil), f...)
		g[i] = value
		return strings.Join(g, "|")
	}
	for _, x := range []codeVector{
		{Name: "station-changed", About: "the withdrawal's code with the station changed to T0002", Code: change(1, "T0002"), Verdict: "signature"},
		{Name: "seq-changed", About: "entry number 4 changed to 5", Code: change(2, "5"), Verdict: "signature"},
		{Name: "time-one-second-later", About: "the time one second later (a reader that rounds the entry's milliseconds instead of cutting them)",
			Code: change(3, strings.Replace(f[3], "19Z", "20Z", 1)), Verdict: "signature"},
		{Name: "total-changed", About: "the total 856.50 changed to 956.50", Code: change(5, "956.50"), Verdict: "signature"},
		{Name: "ref-changed", About: "the bank's authorisation code changed", Code: change(6, strings.Replace(f[6], "auth=1", "auth=2", 1)), Verdict: "signature"},
		{Name: "hash-changed", About: "the entry hash's first digit changed", Code: change(7, "0"+f[7][1:]), Verdict: "signature"},
		{Name: "other-key", About: "the same fields signed by another station's key", Code: signedBy(t, code, ed25519.NewKeyFromSeed(make([]byte, 32))), Verdict: "signature"},
		{Name: "tenth-field", About: "a tenth field after the signature", Code: code + "|x", Verdict: "format", Field: "code"},
		{Name: "version", About: "version BMR2", Code: change(0, "BMR2"), Verdict: "format", Field: "version"},
		{Name: "seq-leading-zero", About: "entry number written 04", Code: change(2, "04"), Verdict: "format", Field: "seq"},
		{Name: "time-with-dashes", About: "the time written 2026-11-20T01:34:19Z", Code: change(3, "2026-11-20T01:34:19Z"), Verdict: "format", Field: "time"},
		{Name: "total-one-decimal", About: "the total written 856.5", Code: change(5, "856.5"), Verdict: "format", Field: "total"},
		{Name: "refs-out-of-order", About: "auth before trace", Code: change(6, swapFirstRefs(f[6])), Verdict: "format", Field: "refs"},
		{Name: "refs-unknown-key", About: "a reference key the format does not know", Code: change(6, f[6]+";x=1"), Verdict: "format", Field: "refs"},
		{Name: "hash-upper-case", About: "the hash in upper-case hex", Code: change(7, strings.ToUpper(f[7])), Verdict: "format", Field: "hash"},
		{Name: "signature-padded", About: "the signature with base64 padding", Code: change(8, f[8]+"=="), Verdict: "format", Field: "signature"},
		{Name: "signature-standard-base64", About: "the signature in standard base64 (+ and /) without padding",
			Code: change(8, strings.NewReplacer("-", "+", "_", "/").Replace(f[8])), Verdict: "format", Field: "signature"},
		{Name: "space-inside", About: "a space inside the code, after the kind", Code: strings.Replace(code, "|withdrawal|", "|withdrawal |", 1), Verdict: "format", Field: "kind"},
	} {
		add(x)
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	if err := os.MkdirAll(filepath.Dir(codesFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(codesFile, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// printedCode returns the lines of text that print code, from the first
// page of a receipt's text.
func printedCode(t *testing.T, lines []string, code string) []string {
	t.Helper()
	for i, l := range lines {
		if !strings.HasPrefix(l, "Verification code") {
			continue
		}
		var out []string
		joined := ""
		for _, l := range lines[i+1:] {
			if joined == code {
				break
			}
			out, joined = append(out, l), joined+l
		}
		if joined != code {
			t.Fatalf("the printed lines %q do not join to the code %q", out, code)
		}
		return out
	}
	t.Fatal("no code printed")
	return nil
}

// timeVector records a cash-in at 09:34:19.750 Shanghai time and returns
// its receipt's code: the code says 013419Z, the second the entry was
// recorded in, cut and not rounded.
func timeVector(t *testing.T) codeVector {
	t.Helper()
	at := time.Date(2026, 11, 20, 1, 34, 19, 750_000_000, time.UTC)
	s, err := ledger.Create(filepath.Join(t.TempDir(), "ledger.db"),
		ledger.Genesis{Terminal: "T0001", Name: "山前村便民服务站", Zone: "Asia/Shanghai"}, "init", stationKey,
		&ledger.Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := (&terminal.Drawer{Ledger: s}).In(terminal.CashMove{Operator: "OP1", Amount: decimal.RequireFromString("200.00"),
		Reason: terminal.ReasonOwner, IdemKey: "owner-1"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Time.UnixMilli()%1000 != 750 {
		t.Fatalf("the entry's time %s has no milliseconds", e.Time)
	}
	r, err := receipts.New(station(), e, s.Get)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Sign(stationKey); err != nil {
		t.Fatal(err)
	}
	return codeVector{Name: "time-cut-to-the-second", About: "a cash-in recorded at 2026-11-20T01:34:19.750Z: the code's time is 20261120T013419Z",
		Code: r.Code.String(), Verdict: "valid", Record: base64.StdEncoding.EncodeToString(ledger.EncodeRecord(&e))}
}

// signedBy returns code signed by key instead.
func signedBy(t *testing.T, code string, key ed25519.PrivateKey) string {
	t.Helper()
	c, err := receipts.ParseCode(code)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Sign(key); err != nil {
		t.Fatal(err)
	}
	return c.String()
}

func swapFirstRefs(refs string) string {
	r := strings.Split(refs, ";")
	r[0], r[1] = r[1], r[0]
	return strings.Join(r, ";")
}
