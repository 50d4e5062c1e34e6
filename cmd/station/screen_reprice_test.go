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
	s.newerTariff(`"price": "3.50"`, `"price": "4.00"`)

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

// newerTariff loads the demo tariff as version DEMO-2026-12, with old
// replaced by new once, signed by the demo post office, as the post office
// link would while the screen is in use.
func (s *screen) newerTariff(old, new string) {
	s.t.Helper()
	body := bytes.Replace(tariff.DemoJSON, []byte(`"version": "DEMO-2026-11"`), []byte(`"version": "DEMO-2026-12"`), 1)
	if !bytes.Contains(body, []byte(old)) {
		s.t.Fatalf("the demo tariff has no %s", old)
	}
	body = bytes.Replace(body, []byte(old), []byte(new), 1)
	signer, err := note.NewSigner(tariff.DemoPostOfficeSignerKey)
	if err != nil {
		s.t.Fatal(err)
	}
	signed, err := tariff.Sign(body, signer)
	if err != nil {
		s.t.Fatal(err)
	}
	nt, err := tariff.Parse(body)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.d.Counter.Folder.LoadTariff(signed, nt, "OP1"); err != nil {
		s.t.Fatal(err)
	}
	if err := s.d.ReloadTariff(); err != nil {
		s.t.Fatal(err)
	}
}

// TestScreenContributionTariffChanges: a newer tariff (a fee on the
// medical contribution) is loaded while the household looks at the
// quote. Nothing is paid at the fee they were not shown: the quote comes
// back with the fee and a notice, and a second press pays at it.
func TestScreenContributionTariffChanges(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.signIn("OP2", demoClerkPIN)
	s.open("/contribute", "f-name1")
	s.fill("f-name1", "王建国")
	s.fill("f-id1", idHead)
	s.click("check", "c-amount")
	s.says("c-amount", "¥400.00")

	s.newerTariff(`"grades": ["400.00"],
       "subsidies": {"dibao": "300.00", "tekun": "400.00", "disabled": "400.00"},
       "fee": {"kind": "none"}`, `"grades": ["400.00"],
       "subsidies": {"dibao": "300.00", "tekun": "400.00", "disabled": "400.00"},
       "fee": {"kind": "fixed", "amount": "1.00"}`)

	s.click("confirm", "form-error")
	s.says("form-error", "价目表刚刚更新了")
	s.says("c-amount", "¥401.00")
	if n := s.count("contribution"); n != 0 {
		t.Fatalf("%d contributions after the repriced quote, want none", n)
	}
	s.click("confirm", "r-big")
	s.says("r-big", "收现金 ¥401.00")
	if n := s.count("contribution"); n != 1 {
		t.Errorf("%d contributions, want 1", n)
	}
}
