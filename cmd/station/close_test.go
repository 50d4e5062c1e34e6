package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// TestThreeBusinessDays runs three days through the command line: a day
// closed with a count and acknowledged by the post office; a day with a
// payment queued through an outage that the shop forgets to close; a day
// that starts by closing the forgotten one late, carrying the payment
// over, sends it, and closes. The three files then verify in sequence
// with the reader alone, and no one-byte edit of any of them does.
func TestThreeBusinessDays(t *testing.T) {
	h := startHostsim(t)
	c := newCLI(t)
	poSigner, poVerifier := postOffice(t)
	dir := filepath.Join(t.TempDir(), "T0001")
	c.env["STATION_PASSPHRASE"] = passphrase
	c.must("init", "--dir", dir, "--id", "T0001", "--name", "山前村便民服务站", "--phone", "0376-6201234", "--postoffice-key", poVerifier)
	c.must("operator", "add", "--dir", dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
	signer, _ := note.NewSigner(poSigner)
	signed, err := tariff.Sign(testTariff(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c.env["STATION_PIN"], c.env["STATION_HOST"], c.env["STATION_CARD_PIN"] = ownerPIN, h.url, "147258"
	op := func(args ...string) []string { return append(args, "--dir", dir, "--operator", "OP1") }
	c.must("tariff", "load", "--dir", dir, "--operator", "OP1", writeSigned(t, signed))

	// Day 1.
	c.must(op("cash", "in", "--amount", "3000", "--reason", "float")...)
	c.must(op("withdraw", "--card", "6228480402564890018", "--amount", "500")...)
	c.must(op("stock", "in", "--sku", "DAILY-SOAP", "--qty", "10")...)
	c.must(op("sell", "--item", "DAILY-SOAP:4")...)
	x := c.must("report", "--dir", dir)
	for _, want := range []string{"2026-11-20", "助农取款", "¥500.00", "商品销售", "¥14.00", "应有 ¥2,514.00"} {
		if !strings.Contains(x, want) {
			t.Errorf("X report lacks %q:\n%s", want, x)
		}
	}
	c.refused(exitUsage, "--counted", op("close-day")...)
	c.refused(exitFailed, "清点金额", op("close-day", "--counted", "两千")...)
	c.refused(exitFailed, "重新清点", op("close-day", "--counted", "25140")...)
	out := c.must(op("close-day", "--counted", "2514.00")...)
	for _, want := range []string{"营业日 2026-11-20 已日结", "账实相符", "T0001-20261120.bms", "T0001-20261120.csv", "T0001-20261120.pdf"} {
		if !strings.Contains(out, want+"") && !strings.Contains(out, want) {
			t.Errorf("close-day lacks %q:\n%s", want, out)
		}
	}
	c.refused(exitFailed, "已经日结过了", op("close-day", "--counted", "2514.00")...)
	file1 := filepath.Join(dir, "settlements", "T0001-20261120.bms")
	f1 := readFile(t, file1)

	// The post office accepts day 1 and acknowledges it.
	ackPath := filepath.Join(t.TempDir(), "day1.ack")
	ack, err := settlement.SignAck(settlement.Ack{Station: "T0001", Last: f1.Last, Day: f1.Day}, signer)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(ackPath, ack, 0o644)
	forged := filepath.Join(t.TempDir(), "forged.ack")
	otherKey, _, _ := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	other, _ := note.NewSigner(otherKey)
	fake, _ := settlement.SignAck(settlement.Ack{Station: "T0001", Last: f1.Last, Day: f1.Day}, other)
	os.WriteFile(forged, fake, 0o644)
	c.refused(exitFailed, "不是本站所属邮政支局签发的", "ack", "--dir", dir, "--operator", "OP1", forged)
	if out := c.must("ack", "--dir", dir, "--operator", "OP1", ackPath); !strings.Contains(out, "截至营业日 2026-11-20") {
		t.Errorf("ack: %s", out)
	}

	// Day 2: the network goes down; a payment is queued; the shop forgets
	// to close.
	c.now = time.Date(2026, 11, 21, 1, 0, 0, 0, time.UTC) // 09:00 in the station's zone
	h.faults("*=down")
	c.must(op("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "120")...)
	c.refused(exitFailed, "连不上银行", op("withdraw", "--card", "6228480402564890018", "--amount", "100")...)
	before := len(entries(t, c, dir))
	c.refused(exitFailed, "--carry", op("close-day", "--counted", "3000")...)
	if len(entries(t, c, dir)) != before {
		t.Error("a refused close recorded something")
	}

	// A second close while one runs: the ledger is held by the first.
	held, err := ledger.Open(filepath.Join(dir, "ledger.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	second := c.run(op("close-day", "--counted", "3000", "--carry")...)
	held.Close()
	if second.code == 0 || !strings.Contains(second.stderr, "正被另一个 station 程序使用") {
		t.Errorf("a close while the ledger is in use: %d %s", second.code, second.stderr)
	}

	// Day 3: the first command closes day 2 late, carrying the payment.
	c.now = time.Date(2026, 11, 22, 0, 30, 0, 0, time.UTC)
	out = c.must(op("cash", "in", "--amount", "100", "--reason", "owner")...)
	if !strings.Contains(out, "上一个营业日 2026-11-21 没有日结，现已补做日结") || !strings.Contains(out, "1 笔待处理业务结转到今天") {
		t.Errorf("the forgotten day:\n%s", out)
	}
	h.faults()
	if out := c.must(op("queue")...); !strings.Contains(out, "先处理完了 1 笔") {
		t.Errorf("queue on day 3:\n%s", out)
	}
	c.must(op("withdraw", "--card", "6217001234567890122", "--amount", "200")...)
	var cash map[string]any
	jsonUnmarshal(t, c.must("cash", "--dir", dir, "--json"), &cash)
	c.must(op("close-day", "--counted", cash["cash"].(string))...)

	usb := filepath.Join(t.TempDir(), "usb")
	out = c.must("export", "--dir", dir, "--to", usb)
	if !strings.Contains(out, "已复制 2 天") {
		t.Errorf("export:\n%s", out)
	}
	copied, _ := filepath.Glob(filepath.Join(usb, "*"))
	if len(copied) != 6 || strings.Contains(strings.Join(copied, " "), "20261120") {
		t.Errorf("exported %v: want days 2 and 3 (day 1 is acknowledged), each with its CSV and PDF", copied)
	}

	// The post office's reader, with the station's key and each day's
	// predecessor, and nothing else.
	pub := stationKey(t, c, dir)
	var prev ledger.Checkpoint
	var files []*settlement.File
	var raw [][]byte
	for _, day := range []string{"20261120", "20261121", "20261122"} {
		data, err := os.ReadFile(filepath.Join(dir, "settlements", "T0001-"+day+".bms"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := settlement.Verify(data, pub, prev)
		if err != nil {
			t.Fatalf("day %s: %v", day, err)
		}
		if len(files) > 0 {
			if err := settlement.Follows(files[len(files)-1], f); err != nil {
				t.Errorf("day %s: %v", day, err)
			}
		}
		prev = f.Last
		files = append(files, f)
		raw = append(raw, data)
	}
	if d2 := files[1]; !d2.Close.Late || len(d2.Close.Carried) != 1 || d2.Close.Cash.Counted != nil {
		t.Errorf("day 2: late %v, carried %+v", d2.Close.Late, d2.Close.Carried)
	}
	if files[2].Ack == "" || files[0].Ack != "" {
		t.Error("day 3's file does not hold the acknowledgement of day 1")
	}
	var sum []settlement.Total
	for _, f := range files {
		sum = settlement.AddTotals(sum, f.Close.Totals)
	}
	if !settlement.EqualTotals(sum, files[2].Close.Grand) {
		t.Errorf("the grand totals are not the days added up")
	}
	prev = ledger.Checkpoint{}
	for i, data := range raw {
		for pos := range data {
			edited := bytes.Clone(data)
			edited[pos] ^= 0x20
			if _, err := settlement.Verify(edited, pub, prev); err == nil {
				t.Fatalf("day %d: a one-byte edit at %d verifies", i+1, pos)
			}
		}
		prev = files[i].Last
	}
	c.must("ledger", "verify", "--dir", dir)

	// A ledger that no longer matches what the post office acknowledged.
	bad, _ := settlement.SignAck(settlement.Ack{Station: "T0001", Last: ledger.Checkpoint{Seq: f1.Last.Seq, Hash: [32]byte{9}}, Day: f1.Day}, signer)
	os.WriteFile(filepath.Join(dir, "acks", "000001.ack"), bad, 0o600)
	c.refused(exitTampered, "账本", "ledger", "verify", "--dir", dir)
}

// postOffice makes a post office key pair in note form.
func postOffice(t *testing.T) (signer, verifier string) {
	t.Helper()
	s, v, err := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func readFile(t *testing.T, path string) *settlement.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := settlement.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func stationKey(t *testing.T, c *cli, dir string) ed25519.PublicKey {
	t.Helper()
	k, err := base64.StdEncoding.DecodeString(entries(t, c, dir)[0]["payload"].(map[string]any)["public_key"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func jsonUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
}
