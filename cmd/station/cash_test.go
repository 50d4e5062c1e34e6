package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCashDrawer(t *testing.T) {
	c, dir := newStation(t)
	c.env["STATION_PIN"] = ownerPIN
	cash := func(args ...string) map[string]any {
		t.Helper()
		var out map[string]any
		if err := json.Unmarshal([]byte(c.must(append([]string{"cash"}, append(args, "--dir", dir, "--operator", "OP1", "--json")...)...)), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := cash("in", "--amount", "2,000.00", "--reason", "float"); got["cash"] != "2000.00" {
		t.Errorf("after the float: %v", got)
	}
	if got := cash("out", "--amount", "1600", "--reason", "courier", "--note", "押运员王师傅"); got["cash"] != "400.00" || got["low"] != true {
		t.Errorf("after the courier: %v", got)
	}
	c.refused(exitFailed, "钱箱里只有 ¥400.00", "cash", "out", "--dir", dir, "--operator", "OP1", "--amount", "400.01", "--reason", "owner")
	c.refused(exitFailed, "原因", "cash", "in", "--dir", dir, "--operator", "OP1", "--amount", "5", "--reason", "gift")
	c.refused(exitFailed, "正负号", "cash", "in", "--dir", dir, "--operator", "OP1", "--amount", "-5", "--reason", "owner")
	if got := cash("count", "--counted", "３９５．５"); got["variance"] != "-4.50" || got["cash"] != "395.50" {
		t.Errorf("count: %v", got)
	}
	out := c.must("cash", "--dir", dir)
	if !strings.Contains(out, "¥395.50") || !strings.Contains(out, "现金不足") {
		t.Errorf("drawer:\n%s", out)
	}
	var bal struct {
		Balances []struct{ Account, Amount string }
	}
	json.Unmarshal([]byte(c.must("balance", "--dir", dir, "--json")), &bal)
	want := map[string]string{"assets:cash": "395.50", "equity:owner": "-2000.00", "postoffice:settlement": "1600.00", "expense:cash-variance": "4.50"}
	for _, b := range bal.Balances {
		if want[b.Account] != b.Amount {
			t.Errorf("%s = %s, want %s", b.Account, b.Amount, want[b.Account])
		}
		delete(want, b.Account)
	}
	if len(want) > 0 {
		t.Errorf("missing balances: %v", want)
	}
	c.must("ledger", "verify", "--dir", dir)
}
