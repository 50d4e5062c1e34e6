package hostsim_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/hostsim"
)

// FuzzJournalLine checks that ParseJournalLine never panics, that what it
// accepts formats back to a line it reads the same, and that no line it
// accepts holds an unmasked card number.
func FuzzJournalLine(f *testing.F) {
	golden, err := os.Open(filepath.Join("testdata", "journal.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(golden)
	for sc.Scan() {
		f.Add(append([]byte{}, sc.Bytes()...))
	}
	golden.Close()
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"time":"2026-11-20T02:00:00Z"}`,
		`{"time":"2026-11-20T02:00:00Z","event":"reverse","trace":"T1","status":"none"}`,
		`{"time":"2026-11-20T10:00:00+08:00","event":"reverse","trace":"T1","status":"none"} {}`,
		`{"time":"2026-11-20T02:00:00Z","event":"send","host":"bank","trace":"T1","service":"withdrawal","status":"approved","card":"6228480402564890018"}`,
		`{"time":"2026-11-20T02:00:00Z","event":"send","host":"bank","trace":"T1","service":"withdrawal","status":"approved","amount":"1e3"}`,
		`{"time":"2026-11-20T02:00:00Z","event":"send","host":"carrier","trace":"T1","service":"ticket_order","status":"pending","waitlist":"issue","ticket":{"carrier":"rail","id_number":"110101199003071234"}}`,
		"{\"time\":\"2026-11-20T02:00:00Z\",\"event\":\"reverse\",\"trace\":\"T\\u0000\",\"status\":\"none\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := hostsim.ParseJournalLine(b)
		if err != nil {
			return
		}
		out, err := hostsim.FormatJournalLine(l)
		if err != nil {
			t.Fatalf("ParseJournalLine accepted %q, FormatJournalLine refuses it: %v", b, err)
		}
		l2, err := hostsim.ParseJournalLine(out)
		if err != nil {
			t.Fatalf("FormatJournalLine wrote %q, ParseJournalLine refuses it: %v", out, err)
		}
		out2, err := hostsim.FormatJournalLine(l2)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("not a round trip:\n%s\n%s (%v)", out, out2, err)
		}
		if bytes.ContainsRune(out, '\n') {
			t.Fatalf("a line with a newline: %q", out)
		}
		if l.Card != "" && strings.Trim(l.Card, "*") != "" && !strings.Contains(l.Card, "******") {
			t.Fatalf("an unmasked card passed: %q", l.Card)
		}
	})
}

// FuzzParseFault checks that ParseFault never panics and that what it
// accepts its String gives back.
func FuzzParseFault(f *testing.F) {
	for _, s := range []string{
		"withdrawal=decline:51", "withdrawal=decline", "bank=down", "withdrawal=slow:3s", "bill_payment=drop#1",
		"*=duplicate#20", "carrier=waitlist-fail", "ticket_order=waitlist", "biller=timeout", "bank=hang#1000000",
		"", "=", "bank=", "bank=slow:1h0m0.000000001s", "bank=slow:1e3s", "bank=drop#0", "bank=drop#1#1",
		"withdrawal=decline:A1", "withdrawal=decline:a1", " bank=down ", "bank=down:", "bank=slow:90m",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := hostsim.ParseFault(s)
		if err != nil {
			if _, ok := err.(*hostsim.FaultError); !ok {
				t.Fatalf("ParseFault(%q): error %T, want *FaultError", s, err)
			}
			return
		}
		again, err := hostsim.ParseFault(flt.String())
		if err != nil || again != flt {
			t.Fatalf("ParseFault(%q) = %+v; its String %q reads back as %+v, %v", s, flt, flt.String(), again, err)
		}
		b, err := json.Marshal(flt)
		if err != nil {
			t.Fatal(err)
		}
		var fromJSON hostsim.Fault
		if err := json.Unmarshal(b, &fromJSON); err != nil || fromJSON != flt {
			t.Fatalf("JSON %s of %+v reads back as %+v, %v", b, flt, fromJSON, err)
		}
	})
}
