package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHandoverOverTheNetwork: the successor of a retired station gets the
// post office's hand-over document with its first upload, no USB stick
// needed; the same document then arriving by USB stick, or again by
// network, loads nothing more, and a station that took over from nobody
// gets no one's document.
func TestHandoverOverTheNetwork(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	url := po.serve(t)
	old := newRegionStation(t, po, h.url, "T0001", "山前村便民服务站")
	h.setClock(old.c.now)
	old.c.must(old.op("stock", "in", "--sku", "FERT-UREA-50KG", "--qty", "10")...)
	old.c.must(old.op("sell", "--item", "FERT-UREA-50KG:2", "--deliver-to", "村东头李家麦地", "--promised", "2026-11-24")...)
	old.closeDay(t)
	old.c.must("upload", "--dir", old.dir, "--postoffice", url)
	po.expect(0, "retire", "--station", "T0001")
	next, out := newSuccessor(t, po, h.url, "T0002", "T0001")
	mustContain(t, "enrol the successor", out, "接手已退出的服务站 T0001")
	other := newRegionStation(t, po, h.url, "T0003", "河湾村便民服务站")

	before := len(entries(t, next.c, next.dir))
	out = next.c.must("upload", "--dir", next.dir, "--postoffice", url)
	mustContain(t, "the successor's first upload", out, "收下了邮政支局的交接单：接手服务站 T0001 没办完的 1 项", "station handover list")
	if n := len(entries(t, next.c, next.dir)); n != before+1 {
		t.Fatalf("loading the hand-over recorded %d entries, want 1", n-before)
	}
	list := next.c.must("handover", "list", "--dir", next.dir)
	mustContain(t, "handover list after the network load", list, "FERT-UREA-50KG×2", "村东头李家麦地")

	// Again by network: nothing new, said plainly.
	if out := next.c.must("upload", "--dir", next.dir); !strings.Contains(out, "没有要交的日结文件") || strings.Contains(out, "交接单") {
		t.Errorf("a second upload says:\n%s", out)
	}
	// The USB stick's file, the same bytes: refused as loaded already.
	usb := filepath.Join(po.dir, "handover", "T0001-T0002.handover")
	next.c.refused(exitFailed, "已经在账本第", "handover", "load", "--dir", next.dir, "--operator", "OP1", usb)
	if n := len(entries(t, next.c, next.dir)); n != before+1 {
		t.Fatalf("the same document by two ways recorded %d entries, want 1", n-before)
	}

	// A station that took over from nobody loads nothing.
	if out := other.c.must("upload", "--dir", other.dir, "--postoffice", url); strings.Contains(out, "交接单") {
		t.Errorf("a station that succeeds nobody was given a hand-over:\n%s", out)
	}
	if out := other.c.must("handover", "list", "--dir", other.dir); strings.Contains(out, "T0001") {
		t.Errorf("a station that succeeds nobody lists:\n%s", out)
	}
}
