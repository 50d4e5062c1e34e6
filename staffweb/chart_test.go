package staffweb

import (
	"regexp"
	"strings"
	"testing"
)

// The value axis is labelled in whole numbers that rise evenly to a
// round top.
func TestAxisLabels(t *testing.T) {
	label := regexp.MustCompile(`text-anchor="end" fill="#111111">(\d+)</text>`)
	for _, c := range []struct {
		values []int64
		want   string
	}{
		{[]int64{0, 0}, "0 1"},
		{[]int64{1, 2}, "0 1 2"},
		{[]int64{3, 1}, "0 1 2 3 4 5"},
		{[]int64{17}, "0 5 10 15 20"},
		{[]int64{730}, "0 250 500 750 1000"},
	} {
		svg := string(line("t", make([]string, len(c.values)), c.values))
		var got []string
		for _, m := range label.FindAllStringSubmatch(svg, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("values %v: axis %v, want %s", c.values, got, c.want)
		}
	}
}

// Bars stack: a day's services end where the day's total is.
func TestStackedBars(t *testing.T) {
	svg := string(stackedBars("t", []string{"1", "2"}, []series{{"a", []int64{1, 0}}, {"b", []int64{1, 2}}}))
	if n := strings.Count(svg, "<rect"); n != 3 {
		t.Errorf("%d bars, want 3 (no bar for a zero)", n)
	}
	if !strings.Contains(svg, "<title>2 b: 2</title>") || strings.Contains(svg, "<script") {
		t.Errorf("svg:\n%s", svg)
	}
}
