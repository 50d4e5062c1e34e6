package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHandoverNothingAccepted: a station is retired before the post
// office ever accepted a day file of it, and a successor is enrolled for
// its village. The post office signs a hand-over document that says so
// ("through 0" and the zero hash, no item, nothing carried) and the
// successor loads it, once, whichever way comes first: T0002 by USB stick
// and then over the network, T0004 over the network and then by USB
// stick. Before, the post office signed such a document and no station
// could read it. Every postoffice command runs on PostgreSQL too when the
// test has a database, and must say the same.
func TestHandoverNothingAccepted(t *testing.T) {
	h := startHostsim(t)
	po := startPostOffice(t)
	url := po.serve(t)
	// The registry on PostgreSQL retires and hands over the same (when the
	// test has a database: POSTOFFICE_TEST_DB).
	po.mirrorOnPostgres(t)
	zero := "through 0 " + strings.Repeat("0", 64) + "\ncarried 0.00\n"

	for _, tc := range []struct {
		old, next string
		usbFirst  bool
	}{
		{"T0001", "T0002", true},
		{"T0003", "T0004", false},
	} {
		newRegionStation(t, po, h.url, tc.old, "山前村便民服务站")
		out := po.expect(0, "retire", "--station", tc.old)
		mustContain(t, "retire "+tc.old, out, "支局没有收到过它的日结文件", "应退还加盟人 ¥20,000.00")
		closeout, err := os.ReadFile(filepath.Join(po.dir, "closeout", tc.old+"-closeout.txt"))
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, "the close-out statement", string(closeout), "settled-through - 0 "+strings.Repeat("0", 64)+"\n")

		next, out := newSuccessor(t, po, h.url, tc.next, tc.old)
		mustContain(t, "enrol "+tc.next+" --succeeds "+tc.old, out, "接手已退出的服务站 "+tc.old, "支局没有收到过 "+tc.old+" 的日结文件", "交接单上没有要接着办的")
		usb := filepath.Join(po.dir, "handover", tc.old+"-"+tc.next+".handover")
		doc, err := os.ReadFile(usb)
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, "the hand-over document", string(doc), "from "+tc.old+"\nto "+tc.next+"\n", zero)
		if strings.Contains(string(doc), "\nitem ") {
			t.Fatalf("a hand-over with nothing accepted lists items:\n%s", doc)
		}
		verifyWithPython(t, usb, po.key)

		before := len(entries(t, next.c, next.dir))
		byUSB := func() {
			out := next.c.must("handover", "load", "--dir", next.dir, "--operator", "OP1", usb)
			mustContain(t, tc.next+" handover load", out, "收下了邮政支局的交接单：服务站 "+tc.old+" 没有留下要接手的事项")
		}
		byNetwork := func() {
			out := next.c.must("upload", "--dir", next.dir, "--postoffice", url)
			mustContain(t, tc.next+" upload", out, "收下了邮政支局的交接单：服务站 "+tc.old+" 没有留下要接手的事项")
		}
		if tc.usbFirst {
			byUSB()
			if out := next.c.must("upload", "--dir", next.dir, "--postoffice", url); strings.Contains(out, "交接单") {
				t.Errorf("%s: the upload after the USB stick says:\n%s", tc.next, out)
			}
		} else {
			byNetwork()
			next.c.refused(exitFailed, "已经在账本第", "handover", "load", "--dir", next.dir, "--operator", "OP1", usb)
		}
		after := entries(t, next.c, next.dir)
		if len(after) != before+1 {
			t.Fatalf("%s: the hand-over by two ways recorded %d entries, want 1", tc.next, len(after)-before)
		}
		e := after[len(after)-1]
		if e["kind"] != "handover" || e["idem_key"] != "handover:"+tc.old {
			t.Fatalf("%s: the last entry is %v, want the hand-over from %s", tc.next, e, tc.old)
		}
		if p, ok := e["postings"].([]any); ok && len(p) > 0 {
			t.Errorf("%s: nothing was carried, yet the hand-over books %v", tc.next, p)
		}
		// Nothing to finish; the balance of what is owed through it stays at zero.
		if out := next.c.must("handover", "list", "--dir", next.dir); strings.Contains(out, "handover finish") {
			t.Errorf("%s: handover list has something to finish:\n%s", tc.next, out)
		}
		next.c.refused(exitFailed, "收下的交接单上没有要接着办的事项", "handover", "finish", "--dir", next.dir, "--operator", "OP1", "--item", "1")
	}
}

// verifyWithPython reads the signed document with docs/verifier/bmverify.py,
// the verifier written from the format page alone (skipped where there is
// no python3).
func verifyWithPython(t *testing.T, file, key string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("no python3: the document is not read by the independent verifier")
		return
	}
	script := `import sys
sys.path.insert(0, sys.argv[1])
import bmverify
verdict, got = bmverify.verify_handover(open(sys.argv[2], "rb").read(), sys.argv[3])
print(verdict, got["through"][0] if verdict == "ok" else got, len(got["items"]) if verdict == "ok" else "", got["carried"] if verdict == "ok" else "")
`
	out, err := exec.Command(py, "-c", script, filepath.Join("..", "..", "docs", "verifier"), file, key).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok 0 0 0.00" {
		t.Errorf("bmverify.py says of %s: %s (%v), want ok 0 0 0.00", file, out, err)
	}
}
