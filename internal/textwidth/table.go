package textwidth

import (
	"io"
	"strings"
)

// Table lines up columns for a terminal, counting a Chinese character as
// two columns (text/tabwriter counts it as one).
type Table struct {
	Rows  [][]string
	Right map[int]bool // columns aligned right (amounts)
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Write writes the rows, two spaces between columns; the last column of a
// row is not padded.
func (t *Table) Write(w io.Writer) error {
	var widths []int
	for _, r := range t.Rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], Width(c))
		}
	}
	var b strings.Builder
	for _, r := range t.Rows {
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			switch {
			case t.Right[i]:
				b.WriteString(PadLeft(c, widths[i]))
			case i == len(r)-1:
				b.WriteString(c)
			default:
				b.WriteString(PadRight(c, widths[i]))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
