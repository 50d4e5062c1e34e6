package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// signIn signs in as operator id (OP1 the owner, OP2 the clerk) by the
// keyboard, as the sign-in screen offers it.
func (s *screen) signIn(id, pin string) {
	s.t.Helper()
	s.open("/", "f-pin")
	s.do(chromedp.Click(chromedp.CSS(`input[value=`+id+`]`)), chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent(pin+"\r"),
		chromedp.WaitVisible(chromedp.ID("go-withdraw")))
}

// sellOne sells n units of sku, for delivery to to when it is not empty,
// and returns the sale's entry number.
func (s *screen) sellOne(sku string, n int, to string) string {
	s.t.Helper()
	s.open("/sell", "f-qty_"+sku)
	s.fill("f-qty_"+sku, fmt.Sprint(n))
	if to != "" {
		s.fill("f-deliver_to", to)
		s.set("f-promised", "2026-11-24")
	}
	s.click("check", "c-amount")
	s.click("confirm", "r-big")
	return eval[string](s, `document.getElementById('receipt-link').getAttribute('href').split('/').pop()`)
}

// voidEntry voids entry seq from the journal with the owner's PIN.
func (s *screen) voidEntry(seq string) {
	s.t.Helper()
	s.open("/journal", "journal")
	s.click("void-"+seq, "f-reason")
	s.fill("f-reason", "顾客不要了")
	s.fill("f-owner_pin", demoOwnerPIN)
	s.click("void", "r-big")
}

// TestScreenVoidedSaleNotDelivered: a sale for delivery that was voided is
// no longer offered for delivery, and signing for it is refused in words
// that say why and what to do.
func TestScreenVoidedSaleNotDelivered(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.signIn("OP2", demoClerkPIN)
	sale := s.sellOne("FERT-UREA-50KG", 1, "村东头李家麦地")
	s.open("/deliver", "f-sale")
	if n := eval[int](s, `document.querySelectorAll('tr[data-sale="`+sale+`"]').length`); n != 1 {
		t.Fatalf("the sale for delivery is not listed before the void:\n%s", s.page())
	}
	s.voidEntry(sale)

	s.open("/deliver", "f-sale")
	if n := eval[int](s, `document.querySelectorAll('tr[data-sale="`+sale+`"]').length`); n != 0 {
		t.Errorf("the voided sale %s is still offered for delivery:\n%s", sale, s.page())
	}
	s.fill("f-sale", sale)
	s.fill("f-received_by", "李大伯")
	s.click("deliver", "e-sale")
	s.says("e-sale", "已经撤销")
	if n := s.count("delivery"); n != 0 {
		t.Errorf("a voided sale was recorded as delivered (%d delivery entries)", n)
	}
	if strings.Contains(s.page(), "terminal:") {
		t.Errorf("a Go error on the screen:\n%s", s.page())
	}
}
