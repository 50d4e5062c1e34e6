package ledger

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteHledger writes entries from..to (to 0: the last) as an hledger
// journal. Each entry becomes a transaction dated by its business day and
// tagged with its sequence number, kind, operator and idempotency key;
// entries without postings (genesis, operator changes, declines) become
// comment lines so that the journal still lists them. Amounts are in the
// ledger's own sign convention, so hledger's balances equal Balances.
func (s *Store) WriteHledger(w io.Writer, from, to uint64) error {
	bw := bufio.NewWriter(w)
	g := s.Genesis()
	fmt.Fprintf(bw, "; station %s %s, ledger %s, zone %s\n", g.Terminal, oneLine(g.Name), g.Format, g.Zone)
	fmt.Fprintf(bw, "; exported by: station ledger export --format hledger\n\n")
	fmt.Fprintf(bw, "commodity 1000.00 %s\n\n", Currency)
	err := s.Range(from, to, func(e Entry) error {
		local := e.Time.In(s.zone).Format("15:04:05")
		if len(e.Postings) == 0 {
			_, err := fmt.Fprintf(bw, "; %s seq:%d kind:%s operator:%s time:%s (no postings)\n\n", e.Day, e.Seq, e.Kind, e.Operator, local)
			return err
		}
		fmt.Fprintf(bw, "%s * (%d) %s  ; seq:%d, kind:%s, operator:%s, time:%s, idem:%s\n",
			e.Day, e.Seq, e.Kind, e.Seq, e.Kind, e.Operator, local, oneLine(e.IdemKey))
		for _, p := range e.Postings {
			fmt.Fprintf(bw, "    %-40s  %s %s\n", p.Account, AmountText(p.Commodity, p.Signed()), hledgerCommodity(p.Commodity))
		}
		_, err := bw.WriteString("\n")
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// hledgerCommodity quotes commodity symbols that hledger would otherwise
// misread (SKUs with digits or dashes).
func hledgerCommodity(c string) string {
	if c == Currency {
		return c
	}
	return `"` + c + `"`
}

// oneLine keeps free text from breaking the journal's line structure.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ',' {
			return ' '
		}
		return r
	}, s)
}
