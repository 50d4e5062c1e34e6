package web

import (
	"context"
	"io"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/ledger"
	"github.com/villagepost/bianmin/settlement"
	"github.com/villagepost/bianmin/tariff"
	"github.com/villagepost/bianmin/terminal"
)

// Station is the station the screens work on. Package shopfront implements it
// over an open ledger and a host link that live as long as the server;
// every business rule stays in terminal, and every message to the
// shopkeeper comes from Explain, the same words the command line prints.
type Station interface {
	Info() Info
	// Authenticate checks an operator's PIN typed at the client address
	// from (with the lockout, counted per operator and address).
	Authenticate(id, pin, from string) (terminal.Operator, error)
	Operators() ([]terminal.Operator, error)
	// Unlock lifts every lockout of operator id if passphrase is the
	// station key's, and records it in the ledger (the entry's number).
	Unlock(id, passphrase string) (seq uint64, err error)
	// Services are the terminal's services, wired to the ledger, the
	// tariff in force and the host link.
	Services() Services
	// Status is what the start screen shows at all times.
	Status() (Status, error)
	Pending() ([]terminal.PendingItem, error)
	// Day calls fn for each entry of a business day, in order.
	Day(day string, fn func(ledger.Entry) error) error
	// Days lists the business days that have entries, oldest first.
	Days() ([]string, error)
	// Entries calls fn for every entry of the ledger, in order.
	Entries(fn func(ledger.Entry) error) error
	Entry(seq uint64) (ledger.Entry, error)
	Report() (settlement.Close, error)
	// CloseDay closes the business day as the owner approver confirmed
	// it and writes the day's settlement files.
	CloseDay(ctx context.Context, operator, approver string, counted decimal.Decimal, carry bool) (Closed, error)
	// Receipt returns the PDF of the receipt of entry seq, in lang:
	// issued (printed at once, as the command line does after recording
	// it), viewed, or reprinted (recorded first, and marked 重打).
	Receipt(seq uint64, lang, operator string, mode ReceiptMode) (pdf []byte, err error)
	// Export writes a copy of the books for the shop's accountant: what
	// is "ledger" (the whole ledger as an hledger journal) or "csv" (the
	// spreadsheet of closed business day day), as the command line's
	// ledger export and close-day write them. It returns the file's name.
	Export(w io.Writer, what, day string) (name string, err error)
	// ReceiptText is the receipt of entry seq as the paper prints it, in
	// lines of text, to show on the screen (a browser may have no PDF
	// viewer).
	ReceiptText(seq uint64, lang string) (string, error)
	// Explain says what err means for the shop, in lang, in the command
	// line's words.
	Explain(err error, lang string) string
}

// Info names the station.
type Info struct {
	ID, Name string
	Zone     *time.Location
	Demo     bool // secrets are public: say so on the sign-in screen
}

// Services are the terminal's services, ready to use.
type Services struct {
	Cards   *terminal.Cards
	Bills   *terminal.Bills
	Tickets *terminal.Tickets
	// Insurance sells property policies; its tariff may list no
	// products (then it refuses with terminal.ErrNoInsurance).
	Insurance *terminal.Insurance
	Goods     *terminal.Goods
	Drawer    *terminal.Drawer
	Voids     *terminal.Voids
	Refunds   *terminal.Refunds
	Tariff    *tariff.Tariff
	// Disputes registers villagers' disputes and lists them with the
	// post office's decisions; nil where the station keeps none.
	Disputes *terminal.Disputes
	// Contributions collects residents' medical and pension insurance
	// contributions for a household; its tariff may list no schemes
	// (then it refuses with terminal.ErrNoContributions).
	Contributions *terminal.Contributions
	// SIM sells the carrier's phone-number cards held on consignment;
	// nil where the station sells none.
	SIM *terminal.SIMCards
	// Handovers finishes what this station took over from one that
	// left (承接), wired to the host link; nil where it keeps none.
	Handovers *terminal.Handovers
}

// Network is what the station last saw of its hosts.
type Network int

// Network states.
const (
	NetUnknown Network = iota // no host asked yet
	NetUp                     // the last call reached a host
	NetDown                   // the last call could not reach a host
)

// Status is what the shop must see at all times.
type Status struct {
	Day      string
	Cash     decimal.Decimal
	LowCash  bool
	Pending  int // requests waiting for a host
	Refunds  int // refunds owed to villagers
	Network  Network
	Closed   bool // today's business day is closed already
	Unlocked bool
	// Untold: withdrawals the bank approved just before the program
	// stopped, which the screen may never have shown; until confirmed.
	Untold []terminal.CashOut

	// DisputeRefunds: disputes the post office decided a refund on that
	// is not yet paid; DisputesAnswered: disputes it found nothing owed
	// on, whose answer arrived on the current business day.
	DisputeRefunds, DisputesAnswered int
	// TakenOver: per station this one took over from, the items still
	// to be done.
	TakenOver []TakenOver
}

// Closed is a closed business day.
type Closed struct {
	Entry   ledger.Entry
	Figures settlement.Close
	File    string // the settlement file for the post office
	PDF     string // the day report to print and sign
}

// ReceiptMode says what a receipt is asked for.
type ReceiptMode int

// Receipt modes.
const (
	ReceiptView    ReceiptMode = iota // show it; nothing is printed or recorded
	ReceiptIssue                      // print it now, just after its entry was recorded
	ReceiptReprint                    // record a reprint and print it marked 重打
)
