package shopfront

import (
	"errors"

	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/terminal"
)

// LinkedDisputes is the station's dispute book with its host link, to ask the
// host the status of a disputed request.
func (c *Counter) LinkedDisputes() *terminal.Disputes {
	ds := c.Folder.Disputes()
	ds.Link = c.Link
	return ds
}

// disputeCounts is what the start screen says about the post office's
// decisions on disputes.
type disputeCounts struct {
	refunds  int // a refund owed, not yet paid
	answered int // none owed, decided on day
}

// disputeNews counts the disputes whose refund is still to pay and those
// the post office found nothing owed on, recorded on business day day.
func disputeNews(ds *terminal.Disputes, day string) (disputeCounts, error) {
	var n disputeCounts
	list, err := ds.List()
	if err != nil {
		return n, err
	}
	for _, dp := range list {
		if dp.State == terminal.DisputeRefund {
			n.refunds++
		}
		if dp.State != terminal.DisputeNoneOwed {
			continue
		}
		e, err := ds.Ledger.Get(dp.Decided)
		if err != nil && !errors.Is(err, ledger.ErrNotFound) {
			return n, err
		}
		if err == nil && e.Day == day {
			n.answered++
		}
	}
	return n, nil
}

// LinkedHandovers is the station's book of what it took over, wired to
// the host link as station handover finish wires it: the screen finishes
// items through the same code.
func (c *Counter) LinkedHandovers() *terminal.Handovers {
	hs := c.Folder.Handovers()
	hs.Host, hs.Timeout = c.Link.Host, c.Link.Timeout
	return hs
}
