package web

import (
	"errors"
	"strconv"

	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/terminal"
)

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// issue prints the receipt of the entry an outcome recorded, at once, as
// the command line does, and warns when the drawer runs low. The money
// has moved whatever happens here: a receipt that cannot be made is a
// line saying to reprint it, not a failure.
func (s *Server) issue(q *req, o *outcome) {
	l := q.ss.lang
	if o.Receipt != 0 {
		o.Paper, _ = s.st.ReceiptText(o.Receipt, l)
		if _, err := s.st.Receipt(o.Receipt, l, q.ss.op.ID, ReceiptIssue); err != nil {
			s.logf("web: receipt %d: %v", o.Receipt, err)
			o.Lines = append(o.Lines, say(l, "注意：业务已经办好，但收据没有打出来。请在“收据”里重打。", "Note: done, but the receipt was not printed. Reprint it from Receipts."))
		}
	}
	if st, err := s.st.Status(); err == nil && st.LowCash {
		o.Lines = append(o.Lines, say(l, "钱箱只剩 ", "The drawer holds only ")+money.FormatReceipt(st.Cash)+say(l, "：请店主补充现金（钱箱 → 存入）。", ": the owner should top it up (Cash drawer → Put in)."))
	}
}

// failedHost shows a request a host did not complete: what happened and
// what the shop must do with the cash. A reversal the host acknowledged
// has a receipt, which shows the villager nothing was taken.
func (s *Server) failedHost(q *req, key string, err error, next string) {
	o := &outcome{Bad: true, Title: say(q.ss.lang, "没有办成", "Not done"), Message: s.st.Explain(err, q.ss.lang), Next: next}
	var rv *terminal.ReversedError
	if errors.As(err, &rv) {
		o.Title = say(q.ss.lang, "已冲正：不要付现金", "Reversed: hand out no cash")
		if rv.Service != terminal.SvcWithdrawal {
			o.Title = say(q.ss.lang, "已冲正：没有办成", "Reversed: not done")
		}
		if rv.Reversal != 0 {
			o.Receipt = rv.Reversal
			s.issue(q, o)
		}
	}
	s.finish(q, key, o)
}
