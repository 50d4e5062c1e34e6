package main

import (
	"io"
	"strings"

	"github.com/villagepost/bianmin/internal/textwidth"
)

// table lines up columns for the screen, counting a Chinese character as
// two columns (text/tabwriter counts it as one).
type table struct {
	rows  [][]string
	right map[int]bool // columns aligned right (amounts)
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], textwidth.Width(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			switch {
			case t.right[i]:
				b.WriteString(textwidth.PadLeft(c, widths[i]))
			case i == len(r)-1:
				b.WriteString(c)
			default:
				b.WriteString(textwidth.PadRight(c, widths[i]))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
