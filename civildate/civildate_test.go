package civildate_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/villagepost/bianmin/civildate"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, want, zh string // want "" means refused; zh is part of the refusal
	}{
		{"2026-11-25", "2026-11-25", ""},
		{" 2026-12-31 ", "2026-12-31", ""},
		{"2028-02-29", "2028-02-29", ""},
		{"2026-02-30", "", "2026 年 2 月只有 28 天"},
		{"2026-02-29", "", "只有 28 天"},
		{"2026-04-31", "", "只有 30 天"},
		{"2026-13-01", "", "没有 13 月"},
		{"2026-00-10", "", "没有 00 月"},
		{"2026-11-00", "", "只有 30 天"},
		{"20261205", "", "年-月-日"},
		{"2026/12/05", "", "年-月-日"},
		{"2026-1-5", "", "年-月-日"},
		{"２０２６-１２-０５", "", "半角数字"},
		{"2026－12－05", "", "半角数字"},
		{"", "", "请写日期"},
		{"1999-12-31", "", "年份"},
		{"+026-12-05", "", "年-月-日"},
		{"2026-12-05T00:00", "", "年-月-日"},
	} {
		d, err := civildate.Parse("promised", tc.in)
		if tc.want != "" {
			if err != nil || civildate.Format(d) != tc.want {
				t.Errorf("Parse(%q) = %v, %v; want %s", tc.in, d, err, tc.want)
			}
			continue
		}
		var de *civildate.Error
		if !errors.As(err, &de) || de.Field != "promised" || !strings.Contains(de.RuleZh, tc.zh) || de.Rule == "" {
			t.Errorf("Parse(%q) = %v, %v; want refused saying %q", tc.in, d, err, tc.zh)
		}
	}
}

// FuzzParse: whatever is typed, Parse returns a date that it writes back
// as it was typed (trimmed), or an error that names the field and the
// rule in both languages.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-11-25", "2026-02-30", "20261205", "２０２６-１２-０５", "", "2099-12-31", "0000-00-00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := civildate.Parse("date", s)
		if err != nil {
			var de *civildate.Error
			if !errors.As(err, &de) || de.Field != "date" || de.Rule == "" || de.RuleZh == "" {
				t.Fatalf("Parse(%q): %v is not a full *Error", s, err)
			}
			return
		}
		if got := civildate.Format(d); got != strings.TrimSpace(s) {
			t.Fatalf("Parse(%q) = %s", s, got)
		}
		if d.Year() < civildate.MinYear || d.Year() > civildate.MaxYear || d.Location() != time.UTC || d.Hour() != 0 {
			t.Fatalf("Parse(%q) = %v", s, d)
		}
	})
}
