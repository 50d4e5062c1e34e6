package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// books is the test's own model of what every account must hold, kept
// from the tariff's rules and the amounts the commands report.
type books map[string]decimal.Decimal

func (b books) move(amount string, dr, cr string) {
	d := decimal.RequireFromString(amount)
	b[dr] = b[dr].Add(d)
	b[cr] = b[cr].Sub(d)
}

// pct is the percent rule of the demo tariff: p% of amount, rounded to the
// fen, held between min and max.
func pct(amount, p, min, max string) string {
	d := decimal.RequireFromString(amount).Mul(decimal.RequireFromString(p)).Div(decimal.NewFromInt(100)).Round(2)
	if min != "" && d.LessThan(decimal.RequireFromString(min)) {
		d = decimal.RequireFromString(min)
	}
	if max != "" && d.GreaterThan(decimal.RequireFromString(max)) {
		d = decimal.RequireFromString(max)
	}
	return d.StringFixed(2)
}

// jsonOut runs a command that must succeed with --json and decodes it.
func (c *cli) jsonOut(args ...string) map[string]any {
	c.t.Helper()
	var out map[string]any
	s := c.must(append(args, "--json")...)
	if i := strings.Index(s, "{"); i > 0 {
		s = s[i:] // recovery may have said something first
	}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		c.t.Fatalf("station %s: %v\n%s", strings.Join(args, " "), err, s)
	}
	return out
}

// TestBusinessDay drives a whole business day of a station through the
// command line against cmd/hostsim over HTTP: every service, declines, a
// network outage with payments queued and drained, a timed-out withdrawal
// that is reversed, a void. At the end the ledger verifies and every
// account holds, to the fen, what the test's own books say.
func TestBusinessDay(t *testing.T) {
	h := startHostsim(t)
	c := newCLI(t)
	tmp := t.TempDir()

	// The post office makes its key and signs the tariff; the station
	// trusts that key from init on.
	po := filepath.Join(tmp, "postoffice")
	poEnv := append(os.Environ(), "POSTOFFICE_PASSPHRASE=the regional office")
	run(t, poEnv, binary(t, "postoffice"), "init", "--dir", po, "--name", "xinyang-postoffice")
	poKey := strings.TrimSpace(run(t, poEnv, binary(t, "postoffice"), "key", "--dir", po))
	tariffJSON := filepath.Join(tmp, "tariff.json")
	os.WriteFile(tariffJSON, testTariff(), 0o644)
	run(t, poEnv, binary(t, "postoffice"), "tariff", "sign", "--dir", po, tariffJSON)

	dir := filepath.Join(tmp, "T0001")
	c.env["STATION_PASSPHRASE"] = passphrase
	c.must("init", "--dir", dir, "--id", "T0001", "--name", "山前村便民服务站", "--postoffice-key", poKey)
	c.must("operator", "add", "--dir", dir, "--id", "OP1", "--role", "owner", "--pin-file", writeSecret(t, "pin", ownerPIN))
	c.must("operator", "add", "--dir", dir, "--id", "OP2", "--role", "clerk", "--pin-file", writeSecret(t, "clerk", clerkPIN),
		"--by", "OP1", "--by-pin-file", writeSecret(t, "owner", ownerPIN))
	c.refused(exitFailed, "不是本站所属邮政支局签发的", "tariff", "load", "--dir", dir, "--operator", "OP1", "--pin-file", writeSecret(t, "p", ownerPIN),
		writeSigned(t, tariffDemoSigned(t)))
	c.must("tariff", "load", "--dir", dir, "--operator", "OP1", "--pin-file", writeSecret(t, "p", ownerPIN), strings.TrimSuffix(tariffJSON, ".json")+".signed")

	c.env["STATION_HOST"] = h.url
	c.env["STATION_PIN"] = ownerPIN
	c.env["STATION_CARD_PIN"] = "147258"
	at := []string{"--dir", dir, "--operator", "OP1"}
	cmd := func(args ...string) []string { return append(args, at...) }
	b := books{}

	c.must(cmd("cash", "in", "--amount", "5000", "--reason", "float")...)
	b.move("5000.00", "assets:cash", "equity:owner")

	const cardA, cardB = "6228480402564890018", "6217001234567890122"
	t.Run("Withdrawals", func(t *testing.T) {
		w := c.jsonOut(cmd("withdraw", "--card", cardA, "--amount", "500")...)
		if w["card"] != "622848*********0018" || w["auth_code"] == "" {
			t.Errorf("withdrawal %v", w)
		}
		b.move("500.00", "postoffice:settlement", "assets:cash")
		b.move("1.00", "postoffice:settlement", "income:commission:withdrawal") // 200-500 band
		c.env["STATION_CARD_PIN"] = "000000"
		c.refused(exitFailed, "密码不对", cmd("withdraw", "--card", cardB, "--amount", "100")...)
		c.env["STATION_CARD_PIN"] = "147258"
		c.refused(exitFailed, "每笔取款最多 ¥1,000.00", cmd("withdraw", "--card", cardB, "--amount", "1200")...)
		c.refused(exitFailed, "校验位不对", cmd("withdraw", "--card", "6228480402564890017", "--amount", "100")...)
		if out := c.must(cmd("balance-inquiry", "--card", cardA)...); !strings.Contains(out, "¥4,500.00") {
			t.Errorf("balance inquiry: %s", out)
		}
	})

	t.Run("Bills", func(t *testing.T) {
		bill := c.jsonOut(cmd("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--lookup")...)
		p := c.jsonOut(cmd("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--paid", "500")...)
		due := bill["due"].(string)
		if p["amount"] != due || p["customer"] != bill["customer"] || p["reference"] == "" {
			t.Errorf("bill %v, payment %v", bill, p)
		}
		b.move(due, "assets:cash", "postoffice:settlement")
		b.move(pct(due, "0.3", "0.20", "2.00"), "postoffice:settlement", "income:commission:bill_payment")
		c.refused(exitFailed, "户号", cmd("pay-bill", "--biller", "town-gas", "--account", "700123456", "--amount", "20")...)
		c.refused(exitFailed, "户号不存在", cmd("pay-bill", "--biller", "county-water", "--account", "30010000", "--amount", "20")...)
		c.jsonOut(cmd("topup", "--biller", "china-mobile", "--phone", "13800138000", "--amount", "50")...)
		b.move("50.00", "assets:cash", "postoffice:settlement")
		b.move("0.50", "postoffice:settlement", "income:commission:topup")
		c.refused(exitFailed, "充值金额只能是", cmd("topup", "--biller", "china-mobile", "--phone", "13800138000", "--amount", "60")...)
	})

	t.Run("Tickets", func(t *testing.T) {
		date := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
		o := c.jsonOut(cmd("ticket", "order", "--carrier", "rail", "--passenger", "王秀英", "--id", "411523198001011234",
			"--from", "信阳", "--to", "郑州东", "--date", date, "--class", "二等座", "--fare", "153.50")...)
		if o["status"] != "issued" || o["total"] != "158.50" {
			t.Fatalf("order %v", o)
		}
		b.move("158.50", "assets:cash", "postoffice:settlement")
		b.move("5.00", "postoffice:settlement", "income:fees")
		b.move("3.00", "postoffice:settlement", "income:commission:ticket_order")
		c.refused(exitFailed, "身份证号码校验位不对", cmd("ticket", "order", "--passenger", "王秀英", "--id", "411523198001011235",
			"--from", "信阳", "--to", "郑州东", "--date", date, "--class", "二等座", "--fare", "153.50")...)
		order := jsonNumber(o["seq"])
		if out := c.must("ticket", "list", "--dir", dir); !strings.Contains(out, o["ticket"].(string)) || !strings.Contains(out, "王秀英") {
			t.Errorf("ticket list:\n%s", out)
		}
		x := c.jsonOut(cmd("ticket", "cancel", "--order", order)...)
		refund := x["refund"].(string)
		if decimal.RequireFromString(refund).Add(decimal.RequireFromString(x["kept"].(string))).StringFixed(2) != "153.50" {
			t.Errorf("cancel %v", x)
		}
		b.move(refund, "postoffice:settlement", "assets:cash")
		if out := c.must("ticket", "list", "--dir", dir); !strings.Contains(out, "没有未出行") {
			t.Errorf("after the cancel:\n%s", out)
		}
	})

	t.Run("Goods", func(t *testing.T) {
		c.must(cmd("stock", "in", "--sku", "FERT-UREA-50KG", "--qty", "40")...)
		c.must(cmd("stock", "in", "--sku", "DAILY-SOAP", "--qty", "10")...)
		c.env["STATION_PIN"] = clerkPIN
		clerk := []string{"--dir", dir, "--operator", "OP2"}
		s := c.jsonOut(append([]string{"sell", "--item", "FERT-UREA-50KG:2", "--paid", "300",
			"--deliver-to", "村东头李家麦地", "--promised", "2026-11-22"}, clerk...)...)
		if s["change"] != "30.00" {
			t.Errorf("sale %v", s)
		}
		b.move("270.00", "assets:cash", "postoffice:settlement")
		b.move("13.50", "postoffice:settlement", "income:commission:sale")
		c.must(append([]string{"deliver", "--sale", jsonNumber(s["seq"]), "--received-by", "李大伯"}, clerk...)...)
		soap := c.jsonOut(append([]string{"sell", "--item", "DAILY-SOAP:3"}, clerk...)...)
		c.refused(exitFailed, "只剩 7", append([]string{"sell", "--item", "DAILY-SOAP:8"}, clerk...)...)
		c.refused(exitUsage, "店主批准", append([]string{"void", "--entry", jsonNumber(soap["seq"]), "--reason", "拿错了"}, clerk...)...)
		v := c.jsonOut(append([]string{"void", "--entry", jsonNumber(soap["seq"]), "--reason", "拿错了", "--by", "OP1",
			"--by-pin-file", writeSecret(t, "owner", ownerPIN)}, clerk...)...)
		if v["refund"] != "10.50" || v["approved_by"] != "OP1" {
			t.Errorf("void %v", v)
		}
		c.env["STATION_PIN"] = ownerPIN
	})

	t.Run("Outage", func(t *testing.T) {
		h.faults("*=down")
		q := c.jsonOut(cmd("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "100")...)
		if q["queued"] != true || q["confirm_by"] == nil {
			t.Fatalf("payment during the outage: %v", q)
		}
		b.move("100.00", "assets:cash", "liabilities:queued-payments")
		water := c.jsonOut(cmd("pay-bill", "--biller", "county-water", "--account", "30012345", "--amount", "45")...)
		if out := c.must(cmd("queue")...); strings.Count(out, "断网受理，待发送") != 2 {
			t.Errorf("queue during the outage:\n%s", out)
		}
		// The water payment is voided while still queued: it is never sent.
		c.must(cmd("void", "--entry", jsonNumber(water["seq"]), "--reason", "顾客不缴了")...)
		c.refused(exitFailed, "连不上缴费单位", cmd("pay-bill", "--biller", "town-gas", "--account", "800123456", "--amount", "60")...)
		c.refused(exitFailed, "连不上银行", cmd("withdraw", "--card", cardB, "--amount", "100")...)

		h.faults()
		out := c.must(cmd("queue")...)
		if !strings.Contains(out, "先处理完了 1 笔") || !strings.Contains(out, "没有等待") {
			t.Errorf("queue when the network is back:\n%s", out)
		}
		if st := h.statuses("T0001-" + pad6(jsonNumber(water["intent"]))); len(st) != 0 {
			t.Errorf("the voided payment reached the biller: %v", st)
		}
		b.move("100.00", "liabilities:queued-payments", "postoffice:settlement")
		b.move(pct("100.00", "0.3", "0.20", "2.00"), "postoffice:settlement", "income:commission:bill_payment")
	})

	t.Run("TimedOutWithdrawalReversed", func(t *testing.T) {
		h.faults("withdrawal=hang#1")
		before := len(entries(t, c, dir))
		c.refused(exitFailed, "已冲正", cmd("withdraw", "--card", cardB, "--amount", "300")...)
		list := entries(t, c, dir)[before:]
		var kinds []string
		for _, e := range list {
			kinds = append(kinds, e["kind"].(string))
		}
		if strings.Join(kinds, " ") != "intent reversal_due reversal" {
			t.Fatalf("entries %v", kinds)
		}
		if st := h.statuses("T0001-" + pad6(jsonNumber(list[0]["seq"]))); strings.Join(st, " ") != "approved reversed" {
			t.Errorf("the bank's journal: %v", st)
		}
		// The bank is fine again: the next withdrawal goes through.
		c.jsonOut(cmd("withdraw", "--card", cardB, "--amount", "200")...)
		b.move("200.00", "postoffice:settlement", "assets:cash")
		b.move("0.50", "postoffice:settlement", "income:commission:withdrawal")
	})

	t.Run("TimedOutBillSaysWhatWasRecorded", func(t *testing.T) {
		h.faults("bill_payment=hang#1")
		before := len(entries(t, c, dir))
		r := c.run(cmd("pay-bill", "--biller", "state-grid", "--account", "5100123456", "--amount", "80")...)
		h.faults()
		after := len(entries(t, c, dir))
		if r.code != exitFailed || !strings.Contains(r.stderr, "已冲正") {
			t.Fatalf("a timed-out bill payment: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if after == before {
			t.Fatal("a reversed bill payment recorded nothing")
		}
		if strings.Contains(r.stderr, "没有记账") || !strings.Contains(r.stderr, "账本已记下") || !strings.Contains(r.stderr, "退还顾客") {
			t.Errorf("the message does not say what was recorded (%d entries) and what to do with the cash: %s", after-before, r.stderr)
		}
	})

	t.Run("NoCardPINOrIDOnDisk", func(t *testing.T) {
		files := []string{h.journal}
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, path)
			}
			return err
		})
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{cardA, cardB, "147258", "411523198001011234", ownerPIN, clerkPIN, passphrase} {
				if bytes.Contains(data, []byte(secret)) {
					t.Errorf("%s holds %q", filepath.Base(f), secret)
				}
			}
		}
	})

	t.Run("Books", func(t *testing.T) {
		c.must("ledger", "verify", "--dir", dir)
		checkBooks(t, c, dir, b)
	})
}

// checkBooks checks that every CNY account of the station holds, to the
// fen, what the test's books say.
func checkBooks(t *testing.T, c *cli, dir string, b books) {
	t.Helper()
	{
		var bal struct {
			Balances []struct{ Account, Commodity, Amount string }
		}
		if err := json.Unmarshal([]byte(c.must("balance", "--dir", dir, "--json")), &bal); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, x := range bal.Balances {
			if x.Commodity == "" || x.Commodity == "CNY" {
				got[x.Account] = x.Amount
			}
		}
		for acct, want := range b {
			if want.IsZero() {
				continue
			}
			if got[acct] != want.StringFixed(2) {
				t.Errorf("%s = %s, the books say %s", acct, got[acct], want.StringFixed(2))
			}
			delete(got, acct)
		}
		for acct, amount := range got {
			t.Errorf("%s = %s, the books say nothing", acct, amount)
		}
	}
}

func jsonNumber(v any) string {
	switch n := v.(type) {
	case float64:
		return decimal.NewFromFloat(n).String()
	case json.Number:
		return n.String()
	}
	return ""
}

func pad6(n string) string { return strings.Repeat("0", max(0, 6-len(n))) + n }

// run runs a program that must succeed and returns its output.
func run(t *testing.T, env []string, prog string, args ...string) string {
	t.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(prog), strings.Join(args, " "), err, out, stderr)
	}
	return string(out)
}

// tariffDemoSigned is the demo tariff signed by the demo post office: a
// key this station does not trust.
func tariffDemoSigned(t *testing.T) []byte {
	t.Helper()
	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	file, err := tariff.Sign(tariff.DemoJSON, signer)
	if err != nil {
		t.Fatal(err)
	}
	return file
}

func writeSigned(t *testing.T, data []byte) string {
	path := filepath.Join(t.TempDir(), "other.signed")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
