package main

import (
	"bytes"
	"testing"

	"github.com/villagepost/bianmin/tariff"
	"golang.org/x/mod/sumdb/note"
)

// TestScreenTariffChangesAtTheConfirmation: the post office link loads a
// newer tariff while the villager looks at the confirmation. The sale is
// not made at a price they were not shown: the confirmation comes back
// with the new price and a notice, and a second press sells at it.
func TestScreenTariffChangesAtTheConfirmation(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.signIn("OP1", demoOwnerPIN)
	s.open("/sell", "f-qty_DAILY-SOAP")
	s.fill("f-qty_DAILY-SOAP", "2")
	s.click("check", "c-amount")
	s.says("c-amount", "¥7.00")

	// The newer tariff arrives: soap at 4.00.
	body := bytes.Replace(tariff.DemoJSON, []byte(`"version": "DEMO-2026-11"`), []byte(`"version": "DEMO-2026-12"`), 1)
	body = bytes.Replace(body, []byte(`"price": "3.50"`), []byte(`"price": "4.00"`), 1)
	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := tariff.Sign(body, signer)
	if err != nil {
		t.Fatal(err)
	}
	nt, err := tariff.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.d.Counter.Folder.LoadTariff(signed, nt, "OP1"); err != nil {
		t.Fatal(err)
	}
	if err := s.d.ReloadTariff(); err != nil {
		t.Fatal(err)
	}

	s.click("confirm", "form-error")
	s.says("form-error", "价目表刚刚更新了")
	s.says("c-amount", "¥8.00")
	if n := s.count("sale"); n != 0 {
		t.Fatalf("%d sales after the repriced confirmation, want none", n)
	}
	s.click("confirm", "r-big")
	s.says("r-big", "收现金 ¥8.00")
	if n := s.count("sale"); n != 1 {
		t.Errorf("%d sales, want 1", n)
	}
}
