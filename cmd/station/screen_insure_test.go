package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/hostsim"
)

// TestScreenInsurance sells property insurance on the screen in a real
// browser: refusals next to their field, the customer's confirmation with
// the premium, the sale, a reply lost after the insurer issued the policy
// (reversed: give the cash back), and a cancel from the policy list.
func TestScreenInsurance(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.open("/", "f-pin")
	s.do(chromedp.Click(chromedp.CSS(`input[value=OP2]`)), chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent(demoClerkPIN+"\r"),
		chromedp.WaitVisible(chromedp.ID("go-insure")), ready)
	s.click("go-insure", "f-holder")
	s.accessible("insurance")
	s.shot("insure")

	// A sum beyond the product's limit, then a wrong check digit: each
	// refused next to its field, what was typed kept.
	s.fill("f-holder", "王秀英")
	s.fill("f-id", "411523198001011234")
	s.fill("f-object", "砖木结构住房三间")
	s.fill("f-sum", "300000.01")
	s.click("check", "e-sum")
	s.says("e-sum", "农房保险的保额要在 ¥10,000.00 到 ¥300,000.00 之间")
	s.accessible("insurance with an error")
	s.fill("f-sum", "100000")
	s.fill("f-id", "411523198001011235")
	s.click("check", "e-id")
	s.says("e-id", "校验位不对")
	if v := eval[string](s, `document.getElementById('f-holder').value`); v != "王秀英" {
		t.Errorf("the name typed was not kept: %q", v)
	}

	// The sale.
	s.fill("f-id", "411523198001011234")
	s.click("check", "c-amount")
	s.says("c-amount", "¥150.00")
	s.says("c-capital", "壹佰伍拾元整")
	s.accessible("insurance confirmation")
	s.shot("insure-confirm")
	s.click("confirm", "r-big")
	s.says("title", "投保成功")
	s.says("r-big", "收现金 ¥150.00")
	s.says("result", "犹豫期到")
	s.accessible("insurance done")
	if n := s.count("policy_issue"); n != 1 {
		t.Errorf("%d policy entries, want 1", n)
	}

	// The insurer's reply is lost after it issued a policy: reversed,
	// the policy void at the insurer, the cash goes back.
	if err := s.sim.SetFaults(hostsim.Fault{Target: "policy_issue", Mode: hostsim.FaultDrop, Count: 1}); err != nil {
		t.Fatal(err)
	}
	s.open("/insure", "f-holder")
	s.do(chromedp.Click(chromedp.CSS(`input[name=product][value=home]`)))
	s.fill("f-holder", "李建国")
	s.fill("f-id", "11010519491231002X")
	s.fill("f-object", "家电家具")
	s.fill("f-sum", "30000")
	s.click("check", "c-amount")
	s.says("c-amount", "¥60.00")
	s.click("confirm", "r-msg")
	s.says("r-msg", "没有收到保险公司的回音")
	s.says("r-msg", "已冲正")
	s.says("r-msg", "请把现金退还顾客")
	s.accessible("insurance reversed")
	if n := s.count("policy_issue"); n != 1 {
		t.Errorf("%d policy entries after the lost reply, want 1", n)
	}

	// The list, and a cancel in the cooling-off period.
	s.open("/policies", "home")
	s.accessible("policies")
	s.shot("policies")
	s.do(chromedp.Click(chromedp.CSS(`button[id^=cancel-]`)), chromedp.WaitVisible(chromedp.ID("c-amount")), ready)
	s.says("c-amount", "¥150.00")
	s.click("confirm", "r-big")
	s.says("title", "已退保")
	s.says("r-big", "请退给顾客现金 ¥150.00")
	s.open("/policies", "home")
	if got := s.text("main"); !strings.Contains(got, "没有还在犹豫期内的保单") {
		t.Errorf("the list after the cancel: %q", got)
	}
}
