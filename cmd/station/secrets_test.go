package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/villagepost/bianmin/internal/toolcheck"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// The secrets of TestSecretsStayOut: distinctive, so that a hit is a leak.
const (
	secPassphrase = "Quokka lantern 7319 turnip"
	secOwnerPIN   = "862407"
	secClerkPIN   = "519736"
	secCardPIN    = "730164"
	secCardA      = "6228480402564890018"
	secCardB      = "6217007382059160423"
)

// outputs collects every byte the programs print, by who printed it.
type outputs struct {
	mu sync.Mutex
	m  map[string]*bytes.Buffer
}

func (o *outputs) writer(name string) io.Writer {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = map[string]*bytes.Buffer{}
	}
	if o.m[name] == nil {
		o.m[name] = &bytes.Buffer{}
	}
	return lockedWriter{&o.mu, o.m[name]}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// startProc starts a program whose stdout and stderr go to out under
// name, and returns the first stdout line that matches re, and a stop
// that ends the program as Ctrl+C does and waits for it (also run at
// cleanup).
func startProc(t *testing.T, out *outputs, name string, re *regexp.Regexp, env []string, prog string, args ...string) (string, func()) {
	t.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Env = env
	cmd.Stderr = out.writer(name + " stderr")
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		w := out.writer(name + " stdout")
		sc := bufio.NewScanner(pipe)
		sent := false
		for sc.Scan() {
			w.Write(append(sc.Bytes(), '\n'))
			if m := re.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		close(found)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Signal(os.Interrupt)
			<-copied
			cmd.Wait()
		})
	}
	t.Cleanup(stop)
	s, ok := <-found
	if !ok {
		stop()
		t.Fatalf("%s never said it was ready", name)
	}
	return s, stop
}

// formOf returns the hidden fields of the form posting to action on page,
// as a browser would send them.
func formOf(t *testing.T, page, action string) url.Values {
	t.Helper()
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form to %s on the page:\n%s", action, page)
	}
	form := page[i:]
	form = form[:strings.Index(form, "</form>")]
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(form, -1) {
		v.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// TestSecretsStayOut runs a business day of a station through the
// command line and then through its screen (station serve, driven over
// HTTP on loopback as a browser would), against cmd/hostsim, with
// distinctive operator PINs, card PIN and key passphrase. Then it looks
// for each secret, as it is and in hex, base64 and UTF-16, in every file
// of the data folder (decompressed where compressed, PDFs also through
// pdftotext), the receipts and exports written elsewhere, the host
// simulator's journal, every byte the programs printed and every page
// the screen served. Card numbers are looked for the same way, whole and
// by their hidden middle digits: only the masked form may appear.
func TestSecretsStayOut(t *testing.T) {
	pdftotext := toolcheck.Require(t, "pdftotext", "poppler-utils")
	tmp := t.TempDir()
	var out outputs

	// The hosts, as their own program.
	journal := filepath.Join(tmp, "host-journal.jsonl")
	hostURL, _ := startProc(t, &out, "hostsim", regexp.MustCompile(`listening on (http://\S+)`), os.Environ(),
		binary(t, "hostsim"), "--addr", "127.0.0.1:0", "--journal", journal)

	// The station, created with a cheap key derivation (in-process, its
	// output kept like the rest).
	dir := filepath.Join(tmp, "T0001")
	c := newCLI(t)
	c.env["STATION_PASSPHRASE"] = secPassphrase
	init := c.run("init", "--dir", dir, "--id", "T0001", "--name", "山前村便民服务站", "--postoffice-key", poKey)
	fmt.Fprint(out.writer("station init"), init.stdout, init.stderr)
	if init.code != 0 {
		t.Fatalf("init: %s%s", init.stdout, init.stderr)
	}

	pinFile := func(name, v string) string { return writeSecret(t, name, v) }
	env := append(os.Environ(), "STATION_PASSPHRASE="+secPassphrase, "STATION_HOST="+hostURL, "STATION_CARD_PIN="+secCardPIN, "STATION_LANG=zh")
	n := 0
	station := func(extraEnv []string, args ...string) string {
		t.Helper()
		n++
		cmd := exec.Command(binary(t, "station"), args...)
		cmd.Env = append(append([]string{}, env...), extraEnv...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		name := fmt.Sprintf("station %s #%d", args[0], n)
		out.writer(name + " stdout").Write(stdout.Bytes())
		out.writer(name + " stderr").Write(stderr.Bytes())
		if err != nil {
			t.Fatalf("station %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		return stdout.String()
	}
	asOwner := []string{"STATION_PIN=" + secOwnerPIN}
	asClerk := []string{"STATION_PIN=" + secClerkPIN}
	at := func(op string, args ...string) []string { return append(args, "--dir", dir, "--operator", op) }

	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := tariff.Sign(testTariff(), signer)
	if err != nil {
		t.Fatal(err)
	}

	// The day at the command line.
	station(nil, "operator", "add", "--dir", dir, "--id", "OP1", "--role", "owner", "--pin-file", pinFile("owner", secOwnerPIN))
	station(nil, "operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk", "--pin-file", pinFile("clerk", secClerkPIN),
		"--by", "OP1", "--by-pin-file", pinFile("owner", secOwnerPIN))
	station(asOwner, "tariff", "load", "--dir", dir, "--operator", "OP1", writeSigned(t, signed))
	station(asOwner, at("OP1", "cash", "in", "--amount", "5000", "--reason", "float")...)
	station(asOwner, at("OP1", "withdraw", "--card", secCardA, "--amount", "500")...)
	station(asOwner, at("OP1", "withdraw", "--card", secCardA, "--amount", "300", "--json")...)
	station(asClerk, at("OP2", "withdraw", "--card", secCardB, "--amount", "200", "--card-pin-file", pinFile("card", secCardPIN))...)
	station(asClerk, at("OP2", "balance-inquiry", "--card", secCardB)...)
	station(asClerk, at("OP2", "balance-inquiry", "--card", secCardA, "--json")...)
	station(asClerk, at("OP2", "pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "120.50")...)
	station(asClerk, at("OP2", "topup", "--biller", "china-mobile", "--phone", "13800138000", "--amount", "50")...)
	station(asOwner, at("OP1", "stock", "in", "--sku", "DAILY-SOAP", "--qty", "10")...)
	sale := station(asClerk, at("OP2", "sell", "--item", "DAILY-SOAP:2", "--json")...)
	saleSeq := regexp.MustCompile(`"seq":\s*(\d+)`).FindStringSubmatch(sale)
	if saleSeq == nil {
		t.Fatalf("sell printed no seq: %s", sale)
	}
	station(append(asClerk, "STATION_BY_PIN="+secOwnerPIN), at("OP2", "void", "--entry", saleSeq[1], "--reason", "拿错了", "--by", "OP1")...)
	station(asClerk, at("OP2", "sell", "--item", "DAILY-SOAP:1")...)
	station(asOwner, at("OP1", "queue")...)
	station(nil, "report", "--dir", dir)

	// The day on the screen.
	serveEnv := append(append([]string{}, env...), "STATION_LANG=zh")
	screenURL, stopServe := startProc(t, &out, "station serve", regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/`), serveEnv,
		binary(t, "station"), "serve", "--dir", dir, "--addr", "127.0.0.1:0")
	pages := map[string]string{} // what the screen served, by request
	hc := client(t)
	keep := func(what string, r *http.Response, body string) string {
		t.Helper()
		pages[fmt.Sprintf("%s (%d)", what, len(pages))] = body
		if r.StatusCode >= 400 && r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: %s\n%s", what, r.Status, body)
		}
		return body
	}
	fetch := func(path string) string {
		t.Helper()
		r, body := get(t, hc, screenURL+path)
		keep("GET "+path, r, body)
		if loc := r.Header.Get("Location"); r.StatusCode == http.StatusSeeOther && loc != "" {
			r, body = get(t, hc, screenURL+loc)
			keep("GET "+loc, r, body)
		}
		return body
	}
	send := func(path string, v url.Values) string {
		t.Helper()
		r, body := postPage(t, hc, screenURL+path, v)
		keep("POST "+path, r, body)
		if loc := r.Header.Get("Location"); r.StatusCode == http.StatusSeeOther && loc != "" {
			return fetch(loc)
		}
		return body
	}
	page := fetch("/signin")
	v := formOf(t, page, "/signin")
	v.Set("operator", "OP2")
	v.Set("pin", "111111") // a wrong try first
	send("/signin", v)
	v = formOf(t, fetch("/signin"), "/signin")
	v.Set("operator", "OP2")
	v.Set("pin", secClerkPIN)
	if page = send("/signin", v); !strings.Contains(page, "go-withdraw") {
		t.Fatalf("sign-in did not reach the start screen:\n%s", page)
	}
	// A withdrawal: the card typed, the customer checks, types the PIN.
	v = formOf(t, fetch("/withdraw"), "/withdraw/check")
	v.Set("card", secCardB)
	v.Set("amount", "400")
	page = send("/withdraw/check", v)
	v = formOf(t, page, "/withdraw")
	v.Set("pin", secCardPIN)
	if page = send("/withdraw", v); !strings.Contains(page, "取款成功") {
		t.Fatalf("web withdrawal:\n%s", page)
	}
	for _, m := range regexp.MustCompile(`(/(?:done/[^"/]+|receipt/\d+)/pdf)`).FindAllStringSubmatch(page, -1) {
		fetch(m[1])
	}
	// A wrong card PIN on the confirmation, then an inquiry.
	v = formOf(t, fetch("/withdraw"), "/withdraw/check")
	v.Set("card", secCardA)
	v.Set("amount", "100")
	v = formOf(t, send("/withdraw/check", v), "/withdraw")
	v.Set("pin", "000000")
	send("/withdraw", v)
	v = formOf(t, fetch("/inquiry"), "/inquiry")
	v.Set("card", secCardA)
	v.Set("pin", secCardPIN)
	if page = send("/inquiry", v); !strings.Contains(page, "可用余额") {
		t.Fatalf("web inquiry:\n%s", page)
	}
	// A sale voided with the owner's PIN (a wrong one first).
	v = formOf(t, fetch("/sell"), "/sell/check")
	v.Set("qty_DAILY-SOAP", "1")
	v = formOf(t, send("/sell/check", v), "/sell")
	page = send("/sell", v)
	m := regexp.MustCompile(`href="/receipt/(\d+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("web sale shows no receipt:\n%s", page)
	}
	fetch("/receipt/" + m[1])
	for _, ownerPIN := range []string{"111111", secOwnerPIN} {
		v = formOf(t, fetch("/void/"+m[1]), "/void/"+m[1])
		v.Set("reason", "不要了")
		v.Set("owner", "OP1")
		v.Set("owner_pin", ownerPIN)
		page = send("/void/"+m[1], v)
	}
	if !strings.Contains(page, "已撤销") {
		t.Fatalf("web void:\n%s", page)
	}
	fetch("/journal")
	fetch("/report")
	fetch("/queue")
	// The day closed with the owner's PIN, the drawer counted as expected.
	v = formOf(t, fetch("/close"), "/close/check")
	v.Set("counted", "0")
	page = send("/close/check", v)
	exp := regexp.MustCompile(`应有 ¥([0-9,]+\.\d\d)`).FindStringSubmatch(page)
	if exp == nil {
		t.Fatalf("the close check shows no expected cash:\n%s", page)
	}
	v = formOf(t, page, "/close")
	v.Set("counted", strings.ReplaceAll(exp[1], ",", ""))
	v = formOf(t, send("/close/check", v), "/close")
	v.Set("owner", "OP1")
	v.Set("owner_pin", secOwnerPIN)
	if page = send("/close", v); !strings.Contains(page, "店主 OP1 确认") {
		t.Fatalf("web close:\n%s", page)
	}
	for _, m := range regexp.MustCompile(`(/(?:done/[^"/]+|receipt/\d+)/pdf)`).FindAllStringSubmatch(page, -1) {
		fetch(m[1])
	}
	send("/signout", formOf(t, fetch("/"), "/signout"))

	// What the shop takes home: the ledger, receipts, exports.
	stopServe()
	usb := filepath.Join(tmp, "usb")
	os.MkdirAll(usb, 0o700)
	os.MkdirAll(filepath.Join(tmp, "exports"), 0o700)
	station(nil, "export", "--dir", dir, "--to", usb)
	station(nil, "ledger", "show", "--dir", dir, "--json")
	station(nil, "ledger", "show", "--dir", dir)
	station(nil, "ledger", "export", "--dir", dir, "--format", "hledger", "--out", filepath.Join(tmp, "exports", "station.journal"))
	station(nil, "ledger", "verify", "--dir", dir)
	station(nil, "balance", "--dir", dir, "--json")
	receipts := filepath.Join(tmp, "receipts")
	os.MkdirAll(receipts, 0o700)
	for _, seq := range withdrawalSeqs(t, station(nil, "ledger", "show", "--dir", dir, "--json")) {
		station(asOwner, at("OP1", "receipt", "--seq", seq, "--text")...)
		station(asOwner, at("OP1", "receipt", "--seq", seq, "--pdf", filepath.Join(receipts, "r"+seq+".pdf"))...)
	}

	// Look everywhere.
	secrets := map[string][]byte{
		"passphrase": []byte(secPassphrase), "owner PIN": []byte(secOwnerPIN), "clerk PIN": []byte(secClerkPIN), "card PIN": []byte(secCardPIN),
		"card A": []byte(secCardA), "card B": []byte(secCardB), "card A's middle digits": []byte(secCardA[6:15]), "card B's middle digits": []byte(secCardB[6:15]),
	}
	var leaks []leak
	files := 0
	for _, root := range []string{dir, usb, receipts, filepath.Join(tmp, "exports"), journal} {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Error(err)
				return nil
			}
			if d.IsDir() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Error(err)
				return nil
			}
			files++
			rel, _ := filepath.Rel(tmp, path)
			for name, b := range unpacked(t, pdftotext, rel, data) {
				leaks = append(leaks, findDigitSecrets(name, b, secrets)...)
			}
			return nil
		})
	}
	out.mu.Lock()
	for name, b := range out.m {
		leaks = append(leaks, findDigitSecrets("output of "+name, b.Bytes(), secrets)...)
	}
	out.mu.Unlock()
	for name, body := range pages {
		leaks = append(leaks, findDigitSecrets("page "+name, []byte(body), secrets)...)
	}
	for _, l := range leaks {
		t.Errorf("%s holds the %s (%s) at offset %d", l.where, l.secret, l.encoding, l.offset)
	}
	if files < 10 || len(pages) < 20 || len(out.m) < 20 {
		t.Errorf("looked at only %d files, %d pages, %d outputs", files, len(pages), len(out.m))
	}
	// The masked form is what a person sees.
	for name, b := range out.m {
		if strings.HasPrefix(name, "station withdraw") && strings.HasSuffix(name, "stdout") && !bytes.Contains(b.Bytes(), []byte("*********0")) {
			t.Errorf("%s does not show the masked card:\n%s", name, b)
		}
	}
}

// withdrawalSeqs lists the withdrawals of a ledger show --json.
func withdrawalSeqs(t *testing.T, show string) []string {
	var seqs []string
	for _, line := range strings.Split(strings.TrimSpace(show), "\n") {
		var e struct {
			Seq  uint64 `json:"seq"`
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("ledger show --json line %q: %v", line, err)
		}
		if e.Kind == "withdrawal" {
			seqs = append(seqs, fmt.Sprint(e.Seq))
		}
	}
	if len(seqs) < 4 {
		t.Fatalf("%d withdrawals in the ledger:\n%s", len(seqs), show)
	}
	return seqs
}

// unpacked returns data under name and, for compressed content, what it
// holds: gzip and zip decompressed, PDF streams inflated and the PDF's
// text as pdftotext reads it.
func unpacked(t *testing.T, pdftotext, name string, data []byte) map[string][]byte {
	out := map[string][]byte{name: data}
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		if r, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
			if b, err := io.ReadAll(r); err == nil {
				out[name+" (gunzipped)"] = b
			}
		}
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if z, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
			for _, f := range z.File {
				if r, err := f.Open(); err == nil {
					b, _ := io.ReadAll(r)
					r.Close()
					out[name+"!"+f.Name] = b
				}
			}
		}
	case bytes.HasPrefix(data, []byte("%PDF")):
		for i, s := range regexp.MustCompile(`(?s)stream\r?\n(.*?)endstream`).FindAllSubmatch(data, -1) {
			if r, err := zlib.NewReader(bytes.NewReader(s[1])); err == nil {
				b, _ := io.ReadAll(r)
				out[fmt.Sprintf("%s (stream %d)", name, i)] = b
			}
		}
		cmd := exec.Command(pdftotext, "-layout", "-", "-")
		cmd.Stdin = bytes.NewReader(data)
		text, err := cmd.Output()
		if err != nil {
			t.Errorf("pdftotext %s: %v", name, err)
		}
		out[name+" (pdftotext)"] = text
	}
	return out
}

// findDigitSecrets is findSecrets, except that a secret of digits found
// as it is counts only where it stands alone (not inside a longer run of
// digits, such as a time's nanoseconds), unless it is a card's middle
// digits, which are a leak wherever they stand.
func findDigitSecrets(where string, data []byte, secrets map[string][]byte) []leak {
	var found []leak
	for _, l := range findSecrets(where, data, secrets) {
		s := secrets[l.secret]
		if l.encoding == "plain" && !strings.Contains(l.secret, "middle") && allDigits(string(s)) {
			l.offset = standalone(data, s)
			if l.offset < 0 {
				continue
			}
		}
		found = append(found, l)
	}
	return found
}

func allDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// standalone returns the offset of s in data where no digit touches it,
// or -1.
func standalone(data, s []byte) int {
	isDigit := func(i int) bool { return i >= 0 && i < len(data) && data[i] >= '0' && data[i] <= '9' }
	for off := 0; ; {
		i := bytes.Index(data[off:], s)
		if i < 0 {
			return -1
		}
		i += off
		if !isDigit(i-1) && !isDigit(i+len(s)) {
			return i
		}
		off = i + 1
	}
}
