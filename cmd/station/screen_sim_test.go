package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/villagepost/bianmin/hostsim"
)

// TestScreenSIM works the phone-number cards through the screen in a real
// browser: a consignment received (a bad line named by its line first),
// a sale with the customer's confirmation sent twice (one card sold), a
// wrong ID check digit, a registration the carrier declines, a reply
// lost after the carrier registered the card (reversed, the card still in
// stock), the network down (nothing moved), a card returned to the
// carrier, a void of the sale refused with its reason, and the pages in
// English.
func TestScreenSIM(t *testing.T) {
	s := openScreen(t)
	defer s.stop()
	s.open("/", "f-pin")
	s.do(chromedp.Click(chromedp.CSS(`input[value=OP2]`)), chromedp.Click(chromedp.ID("f-pin")), chromedp.KeyEvent(demoClerkPIN+"\r"),
		chromedp.WaitVisible(chromedp.ID("go-sim")), ready)
	s.click("go-sim", "go-sim-receive")
	s.says("sim-empty", "号卡库存是空的")

	// 收卡: a wrong ICCID check digit on line 2 is named by its line, and
	// nothing is recorded; then the three cards.
	s.click("go-sim-receive", "f-cards")
	s.accessible("sim receive")
	s.fill("f-cards", "89860012345678901238,13812345670\n89860012345678901247,13812345671")
	s.fill("f-note", "移动交接单0007")
	s.click("receive", "e-cards")
	s.says("e-cards", "第 2 行")
	s.says("e-cards", "校验位不对")
	if n := s.count("sim_stock_in"); n != 0 {
		t.Errorf("a refused consignment recorded %d entries", n)
	}
	s.fill("f-cards", "89860012345678901238,13812345670\n89860012345678901246，13812345671\n89860012345678901253,13812345672\n")
	s.shot("sim-receive")
	s.click("receive", "next")
	s.says("title", "已收卡 3 张")
	s.click("next", "go-sim-receive")
	for _, want := range []string{"13812345670", "中国移动 畅享卡", "898600**********1238", "¥50.00"} {
		s.says("main", want)
	}
	s.accessible("sim stock")
	s.shot("sim")

	// 卖卡: a wrong check digit is refused next to the ID, what was typed
	// kept, nothing recorded.
	s.click("sell-13812345670", "f-buyer")
	s.accessible("sim sale")
	s.fill("f-buyer", "王秀英")
	s.fill("f-id", "411523198001011235")
	s.click("check", "e-id")
	s.says("e-id", "校验位不对")
	if v := eval[string](s, `document.getElementById('f-buyer').value`); v != "王秀英" {
		t.Errorf("the name typed was not kept: %q", v)
	}
	if !eval[bool](s, `document.querySelector('input[name=number][value="13812345670"]').checked`) {
		t.Error("the card chosen is no longer chosen")
	}

	// The customer's confirmation, sent twice (a double tap): one sale.
	s.fill("f-id", "411523198001011234")
	s.click("check", "c-amount")
	s.says("c-amount", "¥50.00")
	s.says("main", "收现金 ¥50.00（含首充话费 ¥30.00）")
	s.says("main", "请核对顾客的身份证原件")
	s.says("main", "898600**********1238")
	s.accessible("sim confirmation")
	s.shot("sim-confirm")
	eval[int](s, `(() => { const f = document.getElementById('confirm').form; fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))}); return 0; })()`)
	s.click("confirm", "r-big")
	s.says("title", "实名登记成功")
	s.says("r-big", "收现金 ¥50.00")
	s.says("result", "把卡交给顾客")
	s.accessible("sim sold")
	if n := s.count("sim_sale"); n != 1 {
		t.Errorf("%d card sales after a double confirmation, want 1", n)
	}
	s.open("/sim", "go-sim-receive")
	if strings.Contains(s.text("main"), "13812345670") {
		t.Error("the card sold is still listed in stock")
	}

	// A page left open on a card sold since: refused next to the number.
	s.open("/sim/sell?number=13812345671", "f-buyer")
	eval[bool](s, `(() => { const r = document.querySelector('input[name=number][value="13812345671"]'); r.value = '13812345670'; return r.checked; })()`)
	s.fill("f-buyer", "王秀英")
	s.fill("f-id", "411523198001011234")
	s.click("check", "e-number")
	s.says("e-number", "号码 13812345670 已经不在号卡库存里")
	s.plain("sim sale of a card sold")

	// A registration the carrier declines (S2: the ID on its blacklist):
	// said in words, nothing charged, the card still in stock.
	sellCard := func(number, name, id string) {
		t.Helper()
		s.open("/sim/sell?number="+number, "f-buyer")
		s.fill("f-buyer", name)
		s.fill("f-id", id)
		s.click("check", "c-amount")
		s.click("confirm", "r-msg")
	}
	sellCard("13812345671", "李四", "411523198001010004")
	s.says("r-msg", "运营商拒绝")
	s.says("r-msg", "黑名单")
	s.says("r-msg", "没有收钱，卡还在库存")
	s.accessible("sim declined")

	// The reply lost after the carrier registered the card: reversed,
	// not sold, the cash goes back, the card still in stock.
	if err := s.sim.SetFaults(hostsim.Fault{Target: "sim_sale", Mode: hostsim.FaultDrop, Count: 1}); err != nil {
		t.Fatal(err)
	}
	sellCard("13812345671", "李建国", "11010519491231002X")
	s.says("title", "已冲正")
	s.says("r-msg", "没有收到运营商的回音")
	s.says("r-msg", "卡还在库存")
	s.accessible("sim reversed")

	// The network down: nothing moved.
	if err := s.sim.SetFaults(hostsim.Fault{Target: "*", Mode: hostsim.FaultDown}); err != nil {
		t.Fatal(err)
	}
	sellCard("13812345671", "李建国", "11010519491231002X")
	s.says("r-msg", "连不上运营商")
	if err := s.sim.SetFaults(); err != nil {
		t.Fatal(err)
	}
	if n := s.count("sim_sale"); n != 1 {
		t.Errorf("%d card sales after a decline, a lost reply and the network down, want 1", n)
	}
	s.open("/sim", "sell-13812345671")

	// 退回: one more question naming the card, then it leaves the stock.
	s.click("return-13812345672", "confirm")
	s.says("main", "13812345672")
	s.says("main", "退回后这张卡不在本店库存里")
	s.click("confirm", "next")
	s.says("title", "已退回运营商：13812345672")
	s.open("/sim", "sell-13812345671")
	if strings.Contains(s.text("main"), "13812345672") {
		t.Error("the card returned is still listed in stock")
	}

	// A void of the card sale is refused, saying why and what to do.
	sale := eval[string](s, `fetch('/journal?q=sim_sale').then(r => r.text()).then(t => {
		const d = new DOMParser().parseFromString(t, 'text/html');
		const tr = [...d.querySelectorAll('#journal tbody tr')].find(tr => tr.dataset.kind === 'sim_sale');
		return tr ? tr.id.replace('row-', '') : ''; })`)
	if sale != "" {
		s.open("/void/"+sale, "main")
		s.says("main", "号卡已经实名登记到买卡人名下")
	} else {
		t.Error("the journal does not list the card sale")
	}

	// English (its pictures are the Chinese ones').
	s.noShots = true
	s.open("/sim", "lang")
	s.do(chromedp.Click(chromedp.ID("lang")), chromedp.WaitReady(chromedp.CSS("html[lang=en]")), ready)
	s.open("/sim", "go-sim-receive")
	s.says("main", "Phone-number cards")
	s.says("sell-13812345671", "Sell")
	s.open("/sim/sell?number=13812345671", "f-buyer")
	s.fill("f-buyer", "李")
	s.fill("f-id", "11010519491231002X")
	s.click("check", "e-buyer")
	s.says("e-buyer", "name")
	s.fill("f-buyer", "李建国")
	s.click("check", "c-amount")
	s.says("main", "Take ¥50.00 cash (incl. first top-up ¥30.00)")
	s.says("main", "Check the ID card itself")
	s.everyPage("en", "sim confirmation")
}
