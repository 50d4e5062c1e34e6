package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/terminal"
)

// TestScreenLeftRunningPastTheTariff: a screen started while its tariff
// applied refuses a withdrawal once the business day is past the tariff's
// last day, in the shop's words (which tariff, until when, what to do),
// and records nothing.
func TestScreenLeftRunningPastTheTariff(t *testing.T) {
	now := time.Date(2027, 12, 31, 9, 30, 0, 0, time.UTC) // the demo tariff's last day
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" },
		Now: func() time.Time { return now }, KeyParams: keyfile.FastParams()}
	dir := filepath.Join(t.TempDir(), "demo")
	if err := m.ensureDemo(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	_, d, stop := servedDemo(t, m, dir)
	defer stop()
	now = now.Add(48 * time.Hour)
	last := d.Counter.Ledger.Last().Seq
	_, err := d.Services().Cards.Withdraw(context.Background(), terminal.Withdrawal{
		Operator: "OP2", Card: "6228480402564890018", PIN: "147258", Amount: decimal.RequireFromString("100"), IdemKey: "web:stale"})
	var te *terminal.TariffExpiredError
	if !errors.As(err, &te) {
		t.Fatalf("a withdrawal past the tariff: %v", err)
	}
	if msg := d.Explain(err, "zh"); !strings.Contains(msg, "价目表 DEMO-2026-11 的有效期是 2026-01-01 至 2027-12-31") || !strings.Contains(msg, "什么都没有办理") {
		t.Errorf("the screen says %q", msg)
	}
	if d.Counter.Ledger.Last().Seq != last {
		t.Error("the refused withdrawal recorded something")
	}
}
