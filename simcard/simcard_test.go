package simcard_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/simcard"
)

func TestICCID(t *testing.T) {
	tests := []struct {
		in, want, rule string
	}{
		{"89860012345678901238", "89860012345678901238", ""},
		{"8986 0012 3456 7890 1238", "89860012345678901238", ""},
		{"８９８６００１２３４５６７８９０１２３８", "89860012345678901238", ""},
		{"8986001234567890120", "8986001234567890120", ""}, // 19 digits
		{"", "", "empty"},
		{"8986001234567890123X", "", "only digits"},
		{"898600123456789012", "", "19 or 20"},
		{"898600123456789012388", "", "19 or 20"},
		{"89870012345678901237", "", "8986"},
		{"89860012345678901239", "", "check digit"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := simcard.ICCID(tt.in)
			if tt.rule == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ICCID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			var e *simcard.Error
			if !errors.As(err, &e) || e.Field != simcard.FieldICCID || !strings.Contains(e.Rule, tt.rule) || !strings.Contains(e.Zh(), "ICCID") {
				t.Fatalf("ICCID(%q) err = %v, want rule %q", tt.in, err, tt.rule)
			}
		})
	}
}

func TestNumber(t *testing.T) {
	for in, ok := range map[string]bool{
		"13812345670": true, "138 1234 5670": true, "19912345678": true,
		"12812345670": false, "23812345670": false, "1381234567": false, "138123456700": false, "1381234567a": false, "": false,
	} {
		got, err := simcard.Number(in)
		if ok != (err == nil) {
			t.Errorf("Number(%q) = %q, %v; want ok %v", in, got, err, ok)
		}
	}
}

func TestParse(t *testing.T) {
	c, err := simcard.Parse(" 89860012345678901238 ， 13812345670 ")
	if err != nil || c != (simcard.Card{ICCID: "89860012345678901238", Number: "13812345670"}) {
		t.Fatalf("Parse = %+v, %v", c, err)
	}
	for _, in := range []string{"89860012345678901238", "89860012345678901238,13812345670,1", "13812345670,89860012345678901238"} {
		if _, err := simcard.Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}

func TestMaskICCID(t *testing.T) {
	if got := simcard.MaskICCID("89860012345678901238"); got != "898600**********1238" || !simcard.MaskedICCID(got) {
		t.Errorf("MaskICCID = %q", got)
	}
	if got := simcard.MaskICCID("8986001234567890120"); got != "898600*********0120" {
		t.Errorf("MaskICCID(19) = %q", got)
	}
	if got := simcard.MaskICCID("12345"); got != "*****" || simcard.MaskedICCID(got) {
		t.Errorf("MaskICCID(short) = %q", got)
	}
	if simcard.MaskedICCID("89860012345678901238") {
		t.Error("an unmasked ICCID counts as masked")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"89860012345678901238,13812345670", "８９８６，１３８", ",", "8986001234567890120,19912345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := simcard.Parse(s)
		if err != nil {
			var e *simcard.Error
			if !errors.As(err, &e) || e.Field == "" || e.Zh() == "" {
				t.Fatalf("Parse(%q) error %v is not a simcard.Error", s, err)
			}
			return
		}
		back, err := simcard.Parse(c.String())
		if err != nil || back != c {
			t.Fatalf("round trip of %q: %+v, %v", s, back, err)
		}
		m := simcard.MaskICCID(c.ICCID)
		if !simcard.MaskedICCID(m) || len(m) != len(c.ICCID) || m[:6] != c.ICCID[:6] || m[len(m)-4:] != c.ICCID[len(c.ICCID)-4:] {
			t.Fatalf("mask of %s = %s", c.ICCID, m)
		}
	})
}
