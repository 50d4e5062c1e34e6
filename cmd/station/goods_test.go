package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestGoodsDay(t *testing.T) {
	c := newCLI(t)
	c.now = c.now.AddDate(0, 0, 2) // 2026-11-22
	dir := t.TempDir() + "/demo"
	c.must("demo", "--dir", dir)
	c.env["STATION_PIN"] = "135790" // the demo owner
	c.env["STATION_PASSPHRASE"] = "demo-passphrase-not-secret"
	op := []string{"--dir", dir, "--operator", "OP1"}
	run := func(args ...string) string { t.Helper(); return c.must(append(args, op...)...) }

	c.refused(exitFailed, "只剩 20", append([]string{"sell", "--item", "FERT-UREA-50KG:21"}, op...)...) // the demo shelf holds 20
	out := run("stock", "in", "--sku", "FERT-UREA-50KG", "--qty", "40", "--note", "配送单 0042")
	if !strings.Contains(out, "已入库") || !strings.Contains(out, "40") {
		t.Errorf("stock in:\n%s", out)
	}
	var sale map[string]any
	json.Unmarshal([]byte(run("sell", "--item", "fert-urea-50kg:2", "--paid", "300", "--deliver-to", "村东头李家麦地", "--promised", "2026-11-24", "--json")), &sale)
	if sale["total"] != "270.00" || sale["change"] != "30.00" || sale["commission"] != "13.50" {
		t.Fatalf("sale: %v", sale)
	}
	seq := fmt.Sprint(sale["seq"])
	out = run("deliver", "--sale", seq, "--received-by", "李大伯")
	if !strings.Contains(out, "李大伯") {
		t.Errorf("deliver:\n%s", out)
	}
	c.refused(exitFailed, "不是要送货的销售记录", append([]string{"deliver", "--sale", "2", "--received-by", "李大伯"}, op...)...)

	// A delivery sale voided: its goods are back in stock, so they may not
	// be signed for as delivered.
	var voided map[string]any
	json.Unmarshal([]byte(run("sell", "--item", "FERT-UREA-50KG:1", "--deliver-to", "村西王家", "--promised", "2026-11-24", "--json")), &voided)
	run("void", "--entry", fmt.Sprint(voided["seq"]), "--reason", "顾客不要了")
	c.refused(exitFailed, "已经撤销", append([]string{"deliver", "--sale", fmt.Sprint(voided["seq"]), "--received-by", "王大娘"}, op...)...)
	// Nor is its receipt reprinted as if it still stood.
	c.refused(exitFailed, "不能重打", append([]string{"receipt", "--seq", fmt.Sprint(voided["seq"]), "--text"}, op...)...)
	c.refused(exitFailed, "商品编号", append([]string{"sell", "--item", "GOLD:1"}, op...)...)
	c.refused(exitFailed, "价目表 DEMO-2026-11 里没有商品", append([]string{"sell", "--item", "GOLD:1"}, op...)...)
	c.refused(exitFailed, "数量", append([]string{"sell", "--item", "FERT-UREA-50KG:1.5"}, op...)...)
	run("stock", "in", "--sku", "DAILY-SOAP", "--qty", "10")
	c.refused(exitFailed, "送货地点", append([]string{"sell", "--item", "DAILY-SOAP:1", "--deliver-to", "家", "--promised", "2026-11-23"}, op...)...)

	out = run("stock", "count", "--sku", "FERT-UREA-50KG", "--counted", "57")
	if !strings.Contains(out, "差异 -1") {
		t.Errorf("stock count:\n%s", out)
	}
	out = run("stock", "return", "--sku", "FERT-UREA-50KG", "--qty", "7", "--note", "受潮退回")
	if !strings.Contains(out, "已退回邮政") {
		t.Errorf("stock return:\n%s", out)
	}
	c.refused(exitFailed, "只剩 50", append([]string{"stock", "return", "--sku", "FERT-UREA-50KG", "--qty", "51"}, op...)...)
	var stock map[string]any
	json.Unmarshal([]byte(run("stock", "in", "--sku", "LIQ-BAIJIU-500ML", "--qty", "6", "--json")), &stock)
	if stock["seq"] == nil || stock["stock"].(map[string]any)["LIQ-BAIJIU-500ML"] != float64(26) {
		t.Errorf("stock in --json: %v", stock)
	}
	out = c.must("stock", "--dir", dir)
	if !strings.Contains(out, "FERT-UREA-50KG") || !strings.Contains(out, "50") {
		t.Errorf("stock list:\n%s", out)
	}
	var cash map[string]any
	json.Unmarshal([]byte(c.must("cash", "--dir", dir, "--json")), &cash)
	if cash["cash"] != "2270.00" {
		t.Errorf("drawer after a 270.00 sale on a 2000.00 float: %v", cash)
	}
	c.must("ledger", "verify", "--dir", dir)
}
