package staffweb

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// A chart is drawn here as SVG, on the server: the pages fetch nothing
// from anywhere and run no chart script. Text is at least 24 px and every
// colour has its name beside it in the legend.

// series is one service's values, one per label.
type series struct {
	Name   string
	Values []int64
}

// palette tells services apart; each colour holds 4.5:1 against white.
var palette = []string{"#0b4f8a", "#a23b00", "#1b6b30", "#6a1b9a", "#8a6000", "#00606b", "#8a0033", "#333333"}

const (
	chartW, chartH         = 960, 420
	padL, padR, padT, padB = 90, 20, 20, 60
)

func esc(s string) string { return html.EscapeString(s) }

// niceMax rounds up to 1, 2 or 5 times a power of ten.
func niceMax(v int64) int64 {
	if v <= 0 {
		return 1
	}
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
	}
}

// axes draws the value axis up to max and the labels under the slots.
func axes(b *strings.Builder, labels []string, max int64) {
	plotH := float64(chartH - padT - padB)
	ticks := int64(1) // as many as divide max into whole numbers, up to 5
	for _, n := range []int64{4, 5, 2} {
		if max%n == 0 {
			ticks = n
			break
		}
	}
	for i := int64(0); i <= ticks; i++ {
		y := float64(padT) + plotH - plotH*float64(i)/float64(ticks)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#bbbbbb" stroke-width="1"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" font-size="24" text-anchor="end" fill="#111111">%d</text>`, padL-10, y+8, max*i/ticks)
	}
	slot := float64(chartW-padL-padR) / float64(len(labels))
	every := 1 + len(labels)*90/(chartW-padL-padR) // labels never overlap
	for i, l := range labels {
		if i%every != 0 {
			continue
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="24" text-anchor="middle" fill="#111111">%s</text>`, float64(padL)+slot*(float64(i)+0.5), chartH-padB+32, esc(l))
	}
}

// stackedBars draws one bar per label, stacked by series.
func stackedBars(title string, labels []string, ss []series) template.HTML {
	var max int64
	for i := range labels {
		var sum int64
		for _, s := range ss {
			sum += s.Values[i]
		}
		max = maxOf(max, sum)
	}
	max = niceMax(max)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, chartW, chartH, esc(title), esc(title))
	axes(&b, labels, max)
	plotH := float64(chartH - padT - padB)
	slot := float64(chartW-padL-padR) / float64(len(labels))
	for i, l := range labels {
		base := float64(padT) + plotH
		for k, s := range ss {
			v := s.Values[i]
			if v == 0 {
				continue
			}
			h := plotH * float64(v) / float64(max)
			base -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
				float64(padL)+slot*float64(i)+slot*0.15, base, slot*0.7, h, palette[k%len(palette)], esc(l), esc(s.Name), v)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// line draws values over labels as a line with its points.
func line(title string, labels []string, values []int64) template.HTML {
	var max int64
	for _, v := range values {
		max = maxOf(max, v)
	}
	max = niceMax(max)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, chartW, chartH, esc(title), esc(title))
	axes(&b, labels, max)
	plotH := float64(chartH - padT - padB)
	slot := float64(chartW-padL-padR) / float64(len(labels))
	var pts []string
	for i, v := range values {
		x := float64(padL) + slot*(float64(i)+0.5)
		y := float64(padT) + plotH - plotH*float64(v)/float64(max)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="7" fill="%s"><title>%s: %d</title></circle>`, x, y, palette[0], esc(labels[i]), v)
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="4"/>`, strings.Join(pts, " "), palette[0])
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// legend names each series beside its colour.
type legendItem struct {
	Name   string
	Colour string
}

func legend(ss []series) []legendItem {
	var l []legendItem
	for k, s := range ss {
		l = append(l, legendItem{s.Name, palette[k%len(palette)]})
	}
	return l
}

func maxOf(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
