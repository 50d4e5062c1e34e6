package settlement_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
)

// TestThreeDays verifies the three files in sequence: each from its bytes,
// the key and the day before's last hash; each follows the one before;
// the figures are what the entries add up to.
func TestThreeDays(t *testing.T) {
	st := threeDays(t)
	var prev ledger.Checkpoint
	var files []*settlement.File
	for i, data := range st.files {
		f, err := settlement.Verify(data, stationPub, prev)
		if err != nil {
			t.Fatalf("day %d: %v", i+1, err)
		}
		if i > 0 {
			if err := settlement.Follows(files[i-1], f); err != nil {
				t.Errorf("day %d: %v", i+1, err)
			}
		}
		prev = f.Last
		files = append(files, f)
	}
	d1, d2, d3 := files[0], files[1], files[2]
	if d1.Day != "2026-11-20" || d2.Day != "2026-11-21" || d3.Day != "2026-11-22" {
		t.Errorf("days %s %s %s", d1.Day, d2.Day, d3.Day)
	}
	if !d2.Close.Late || d1.Close.Late || len(d2.Close.Carried) != 1 || d2.Close.Carried[0].State != "forward" {
		t.Errorf("day 2: late %v, carried %+v", d2.Close.Late, d2.Close.Carried)
	}
	if d1.Close.Cash.Counted == nil || !d1.Close.Cash.Variance.IsZero() || !d3.Close.Cash.Variance.Equal(decimal.RequireFromString("-0.50")) {
		t.Errorf("cash: day 1 %+v, day 3 %+v", d1.Close.Cash, d3.Close.Cash)
	}
	// The grand totals are every day's totals added up.
	var sum []settlement.Total
	for _, f := range files {
		sum = settlement.AddTotals(sum, f.Close.Totals)
	}
	if !settlement.EqualTotals(sum, d3.Close.Grand) {
		t.Errorf("grand totals %+v, the days add up to %+v", d3.Close.Grand, sum)
	}
	if _, err := settlement.Verify(st.files[1], stationPub, ledger.Checkpoint{}); !isKind(err, settlement.BadChain) {
		t.Errorf("day 2 against no day before: %v", err)
	}
	if err := settlement.Follows(d1, d3); err == nil {
		t.Error("day 3 follows day 1")
	}
}

// TestEveryByteCounts changes bytes all through each file: none of the
// changed files verifies.
func TestEveryByteCounts(t *testing.T) {
	st := threeDays(t)
	var prev ledger.Checkpoint
	for i, data := range st.files {
		stride := 1
		if testing.Short() {
			stride = 7
		}
		for pos := 0; pos < len(data); pos += stride {
			edited := bytes.Clone(data)
			edited[pos] ^= 0x01
			if _, err := settlement.Verify(edited, stationPub, prev); err == nil {
				t.Fatalf("day %d: a changed byte at %d (%q) still verifies", i+1, pos, data[pos])
			}
		}
		f, _ := settlement.Parse(data)
		prev = f.Last
	}
}

func isKind(err error, kind string) bool {
	var ve *settlement.VerifyError
	return errors.As(err, &ve) && ve.Kind == kind
}

// TestOneWrittenForm: a file whose lines read but are not written exactly
// as a station writes them is refused at that line, before any signature
// is looked at.
func TestOneWrittenForm(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(scenarios, "intact-day2.bms"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ from, to string }{
		{"\ntariff DEMO-2026-11\n", "\ntariff \n"},
		{"\nzone Asia/Shanghai\n", "\nzone \n"},
		{"2026-11-21T00:34:47Z", "2026-11-21T08:36:50+08:00"},
		{"2026-11-21T00:34:47Z", "2026-11-21T00:34:47.000Z"},
		{"\ncarried T0001-000010 ", "\ncarried  "},
	} {
		edited := bytes.Replace(data, []byte(tc.from), []byte(tc.to), 1)
		if bytes.Equal(edited, data) {
			t.Fatalf("%q is not in the file", tc.from)
		}
		var fe *settlement.FormatError
		if _, err := settlement.Parse(edited); !errors.As(err, &fe) || fe.Line == 0 {
			t.Errorf("%q written %q: %v, want a format error naming the line", tc.from, tc.to, err)
		}
	}
}
