package shopfront

import (
	"context"
	"time"

	"github.com/villagepost/bianmin/hostproto"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// Files of the host link in a station's data folder.
const (
	PendingFile    = "pending.db"            // requests whose outcome is still open
	SimJournalFile = "hostsim-journal.jsonl" // the built-in simulator's own journal
)

// Counter is a station ready to serve a customer: the operator signed in,
// the key unlocked, the tariff current, the hosts linked and whatever an
// earlier run left pending settled first.
type Counter struct {
	*Folder
	Op     terminal.Operator
	Link   *terminal.Link
	Tariff *tariff.Tariff
	close  func() error
	// WrapHost, if set, wraps the host before the link uses it (the
	// screen watches whether the hosts answer).
	WrapHost func(terminal.Host) terminal.Host
	// lookup asks the social-insurance host what a household's members
	// owe (the host before any wrapHost).
	lookup terminal.ContributionLookup
	// Untold are the withdrawals the start found the shopkeeper may not
	// have been told to pay out (Recovered.Untold), until Told.
	Untold []terminal.CashOut
}

// CloseLink closes the host link and leaves the folder open.
func (c *Counter) CloseLink() error {
	if c.close == nil {
		return nil
	}
	return c.close()
}

// Close closes the host link and the station.
func (c *Counter) Close() error {
	err := c.CloseLink()
	if serr := c.Folder.Close(); err == nil {
		err = serr
	}
	return err
}

// Recovered is what linking the hosts found from an earlier run.
type Recovered struct {
	// Drained is what was settled, and what still waits for the network.
	terminal.Drained
	// Untold are withdrawals the bank approved just before the program
	// stopped, which the shopkeeper may never have been told to pay out.
	Untold []terminal.CashOut
}

// LinkHosts connects the counter to its hosts and, before any new work,
// settles what an earlier run left pending (recovery). hostURL is a
// hostsim URL; "" is the simulator built into the program, which keeps
// its journal in the station's folder.
func (c *Counter) LinkHosts(ctx context.Context, hostURL string) (Recovered, error) {
	var host terminal.Host
	closeHost := func() error { return nil }
	if hostURL != "" {
		host = &hostproto.Client{BaseURL: hostURL}
	} else {
		sim, err := hostsim.Open(c.Path(SimJournalFile), &hostsim.Options{Now: c.Now})
		if err != nil {
			return Recovered{}, refuse(err, "打不开内置的模拟银行。", "cannot open the built-in host simulator.")
		}
		host, closeHost = sim, sim.Close
	}
	c.lookup, _ = host.(terminal.ContributionLookup)
	if c.WrapHost != nil {
		host = c.WrapHost(host)
	}
	pending, err := terminal.OpenPending(c.Path(PendingFile))
	if err != nil {
		closeHost()
		return Recovered{}, refuse(err, "打不开待处理业务文件 %s。", "cannot open the pending file %s.", c.Path(PendingFile))
	}
	c.Link = &terminal.Link{
		Ledger: c.Ledger, Host: host, Pending: pending, Terminal: c.Ledger.Genesis().Terminal,
		Timeout: c.Tariff.Host.Timeout(), Retries: c.Tariff.Host.Retries, Now: c.Now,
	}
	c.close = func() error {
		err := pending.Close()
		if herr := closeHost(); err == nil {
			err = herr
		}
		return err
	}
	var r Recovered
	if r.Untold, err = c.Link.Untold(); err != nil { // before Recover moves the scan mark
		c.close()
		return r, err
	}
	if r.Drained, err = c.Link.Recover(ctx); err != nil {
		c.close()
		return r, err
	}
	c.Untold = r.Untold
	return r, nil
}

// Told records that the shopkeeper was shown these withdrawals (the
// command line, once it has printed them; the screen, once the
// shopkeeper confirms): the next start does not name them again.
func (c *Counter) Told(untold []terminal.CashOut) error {
	return c.Link.Shown(seqsOf(untold)...)
}

func seqsOf(untold []terminal.CashOut) []uint64 {
	seqs := make([]uint64, len(untold))
	for i, u := range untold {
		seqs[i] = u.Seq
	}
	return seqs
}

// Cards are the bank-card services at this counter.
func (c *Counter) Cards() *terminal.Cards {
	return &terminal.Cards{Link: c.Link, Tariff: c.Tariff, CardKey: c.CardKey}
}

// Bills are bill payments and top-ups at this counter.
func (c *Counter) Bills() *terminal.Bills { return &terminal.Bills{Link: c.Link, Tariff: c.Tariff} }

// Tickets are train and coach tickets at this counter.
func (c *Counter) Tickets() *terminal.Tickets {
	zone := c.Ledger.Zone()
	return &terminal.Tickets{Link: c.Link, Tariff: c.Tariff, Today: func() time.Time { return c.Now().In(zone) }}
}

// Insurance is property insurance at this counter.
func (c *Counter) Insurance() *terminal.Insurance {
	zone := c.Ledger.Zone()
	return &terminal.Insurance{Link: c.Link, Tariff: c.Tariff, Today: func() time.Time { return c.Now().In(zone) }}
}

// Contributions are residents' insurance contributions at this counter.
func (c *Counter) Contributions() *terminal.Contributions {
	zone := c.Ledger.Zone()
	return &terminal.Contributions{Link: c.Link, Lookup: c.lookup, Tariff: c.Tariff, Today: func() time.Time { return c.Now().In(zone) }}
}
