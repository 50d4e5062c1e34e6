package shopfront

import (
	"errors"

	"github.com/villagepost/bianmin/receipts"
	"github.com/villagepost/bianmin/terminal"
	"golang.org/x/mod/sumdb/note"
)

// Disputes is the station's dispute book, without a host link.
func (st *Folder) Disputes() *terminal.Disputes {
	d := &terminal.Disputes{Ledger: st.Ledger}
	if v, err := note.NewVerifier(st.Ledger.Genesis().PostOfficeKey); err == nil {
		d.PostOffice = v
	}
	return d
}

// EntryOfCode finds the entry a receipt's verification code names: the
// code must be signed by this station's key and name an entry of its
// ledger with the same hash.
func (st *Folder) EntryOfCode(code string) (uint64, error) {
	c, err := receipts.ParsePrinted(code)
	if err != nil {
		return 0, refuse(err, "“收据验证码”读不出来：请把收据二维码下面的验证码整段照抄（或扫二维码）。", "the receipt code does not read: copy the whole code under the receipt's QR code (or scan the QR code).")
	}
	g := st.Ledger.Genesis()
	if c.Station != g.Terminal {
		return 0, refuse(nil, "这张收据是服务站 %s 开的，不是本站（%s）的，不能在这里登记纠纷。", "this receipt is from station %s, not this one (%s).", c.Station, g.Terminal)
	}
	if err := c.Verify(g.PublicKey); err != nil {
		return 0, refuse(nil, "这张收据的验证码对不上本站的印章：可能抄错了，或收据被改过。请核对后再试。", "the receipt code does not match this station's seal: mistyped, or the receipt was changed.")
	}
	e, err := st.Ledger.Get(c.Seq)
	if err != nil || e.Hash != c.Hash {
		return 0, refuse(nil, "本站账本里没有这张收据的第 %d 笔。请联系邮政支局。", "this station's ledger has no entry %d as the receipt says. Call the post office.", c.Seq)
	}
	return c.Seq, nil
}

// KeepDecisions records the decisions the post office sent with its
// results (station upload, the screen's link): each once; one that does
// not check is left for a person (it is counted, not recorded).
func (st *Folder) KeepDecisions(operator string, msgs [][]byte) (kept []terminal.Dispute, bad int, err error) {
	ds := st.Disputes()
	for _, msg := range msgs {
		dp, added, err := ds.Decide(operator, msg)
		var de *terminal.DisputeError
		if errors.As(err, &de) {
			bad++
			continue
		}
		if err != nil {
			return kept, bad, err
		}
		if added {
			kept = append(kept, dp)
		}
	}
	return kept, bad, nil
}

// Handovers is the station's book of what it took over.
func (st *Folder) Handovers() *terminal.Handovers {
	h := &terminal.Handovers{Ledger: st.Ledger}
	if v, err := note.NewVerifier(st.Ledger.Genesis().PostOfficeKey); err == nil {
		h.PostOffice = v
	}
	return h
}
