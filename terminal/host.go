package terminal

import (
	"context"
	"errors"
	"fmt"
)

// Services a host request may carry.
const (
	SvcWithdrawal     = "withdrawal"      // bank: pay cash out of a card account
	SvcBalanceInquiry = "balance_inquiry" // bank: read a card's balance
	SvcBillPayment    = "bill_payment"    // biller: pay a utility bill
	SvcTopup          = "topup"           // biller: mobile phone top-up
	SvcTicketOrder    = "ticket_order"    // carrier: order a train or air ticket
	SvcTicketCancel   = "ticket_cancel"   // carrier: cancel an issued ticket
	SvcPolicyIssue    = "policy_issue"    // insurer: issue a property insurance policy
	SvcPolicyCancel   = "policy_cancel"   // insurer: cancel a policy in its cooling-off period
	SvcSIMSale        = "sim_sale"        // telecom: register the buyer of a phone-number card by real name
	SvcContribution   = "contribution"    // social-insurance host: one resident's yearly contribution
)

// Statuses of a host reply.
const (
	StatusApproved = "approved"
	StatusDeclined = "declined"
	StatusReversed = "reversed" // Status only: the host approved, then took a reversal
	StatusNone     = "none"     // Status only: the host never saw this trace number
	// StatusPending: a carrier took a ticket order onto its waiting list
	// (候补) and will issue the ticket or refuse the order later; the
	// terminal asks Status until it says approved or declined.
	StatusPending = "pending"
)

// HostRequest is one request to the bank, a biller or a carrier. Trace is
// unique per request (the station id and the sequence number of the intent
// entry, e.g. "T0001-000042"); a host that sees the same Trace twice must
// answer the second time with its first answer and do nothing more.
//
// Card and PIN travel only in the request: the terminal never stores or
// logs them, and neither may a host's journal.
type HostRequest struct {
	Trace    string         `json:"trace"`
	Terminal string         `json:"terminal"`
	Service  string         `json:"service"`
	Amount   string         `json:"amount,omitempty"` // CNY, two places: "500.00"
	Card     string         `json:"card,omitempty"`
	PIN      string         `json:"pin,omitempty"`
	Biller   string         `json:"biller,omitempty"`
	Account  string         `json:"account,omitempty"`
	Ticket   *TicketDetails `json:"ticket,omitempty"`
	Policy   *PolicyDetails `json:"policy,omitempty"`
	SIM      *SIMDetails    `json:"sim,omitempty"`
	// Contribution is one member of a household paying a residents'
	// insurance contribution (contribution.go).
	Contribution *ContributionDetails `json:"contribution,omitempty"`
	Queued       bool                 `json:"queued,omitempty"` // forwarded later from the offline queue
}

// TicketDetails is what a carrier needs to issue (or cancel) a ticket.
type TicketDetails struct {
	Carrier   string `json:"carrier"` // "rail" or "air"
	Passenger string `json:"passenger"`
	IDNumber  string `json:"id_number"`
	From      string `json:"from"`
	To        string `json:"to"`
	Date      string `json:"date"` // YYYY-MM-DD
	Class     string `json:"class"`
	Number    string `json:"number,omitempty"` // the ticket number, for a cancel
}

// PolicyDetails is what an insurer needs to issue (or cancel) a
// property insurance policy. The premium travels as the request's Amount.
type PolicyDetails struct {
	Product    string `json:"product"` // farmhouse, machinery or home
	Holder     string `json:"holder"`  // the insured person's name
	IDNumber   string `json:"id_number"`
	Object     string `json:"object"`           // what is insured, in the shopkeeper's words
	SumInsured string `json:"sum_insured"`      // CNY, two places
	Start      string `json:"start"`            // first day of cover, YYYY-MM-DD
	Number     string `json:"number,omitempty"` // the policy number, for a cancel
}

// SIMDetails is what a carrier's telecom host needs to register the buyer
// of a phone-number card by real name (实名登记). The card's price travels
// as the request's Amount.
type SIMDetails struct {
	Carrier  string `json:"carrier"` // china-mobile, china-unicom or china-telecom
	Plan     string `json:"plan"`
	Number   string `json:"number"` // the phone number, 11 digits
	ICCID    string `json:"iccid"`  // printed on the card, 19 or 20 digits
	Holder   string `json:"holder"` // the buyer's name as on the ID card
	IDNumber string `json:"id_number"`
}

// HostReply is a host's answer.
//
// What a reply carries depends on the service:
//
//	withdrawal       approved: AuthCode; declined: Code, Reason
//	balance_inquiry  approved: Balance
//	bill_payment     approved: Reference (the biller's receipt number)
//	topup            approved: Reference
//	ticket_order     approved: Reference = the ticket number;
//	                 pending: Reference = the carrier's order number, ticket to follow
//	ticket_cancel    approved: Amount = the refund the carrier's rule gives;
//	                 declined: too late to cancel
//	policy_issue     approved: Reference = the policy number, Amount = the premium,
//	                 Until = the last day of the cooling-off period
//	policy_cancel    approved: Amount = the refund the insurer's rule gives
//	sim_sale         approved: Reference = the registration number, Amount = the price
//	contribution     approved: Reference = the host's confirmation number, Amount = what was paid
type HostReply struct {
	Trace     string `json:"trace"`
	Status    string `json:"status"`              // approved, declined or pending; Status also reversed or none
	Code      string `json:"code"`                // "00" approved; otherwise the host's reason code
	Reason    string `json:"reason,omitempty"`    // the host's words for a decline
	AuthCode  string `json:"auth_code,omitempty"` // bank authorisation code
	Reference string `json:"reference,omitempty"` // biller reference or ticket number
	Amount    string `json:"amount,omitempty"`    // what the host approved, or a refund on cancel
	Balance   string `json:"balance,omitempty"`   // balance inquiry: the card's available balance
	Until     string `json:"until,omitempty"`     // policy issue: last day of the cooling-off period, YYYY-MM-DD
}

// Bill is what a biller says is due on an account.
type Bill struct {
	Biller   string `json:"biller"`
	Account  string `json:"account"`
	Customer string `json:"customer"` // masked by the biller, e.g. 张*
	Period   string `json:"period"`   // e.g. 2026-10
	Due      string `json:"due"`      // CNY, two places; "0.00" when nothing is due
}

// Host is the bank, the billers and the carriers as the terminal sees them.
//
// Send returns an error when it cannot say what the host did. ErrUnreachable
// (tested with errors.Is) means the request certainly did not reach the
// host: nothing happened there. Any other error — a timeout, a dropped
// reply, a broken answer — means the outcome is unknown, and the terminal
// must ask Status and, failing that, Reverse.
type Host interface {
	Send(ctx context.Context, r HostRequest) (HostReply, error)
	// Status says what the host did with trace: approved, declined,
	// reversed, or none if it never saw it.
	Status(ctx context.Context, trace string) (HostReply, error)
	// Reverse undoes trace if the host approved it (冲正), and does nothing
	// otherwise. It is safe to repeat; a nil error is the host's
	// acknowledgement.
	Reverse(ctx context.Context, trace string) (HostReply, error)
	// LookupBill asks a biller what is due on an account.
	LookupBill(ctx context.Context, biller, account string) (Bill, error)
}

// ErrUnreachable means a request could not be delivered to the host at all
// (no network, connection refused): the host did nothing.
var ErrUnreachable = errors.New("terminal: the host cannot be reached")

// DeclineError is a host's refusal, with its code and words.
type DeclineError struct {
	Service, Code, Reason string
}

func (e *DeclineError) Error() string {
	return fmt.Sprintf("terminal: %s declined by the host (code %s): %s", e.Service, e.Code, e.Reason)
}
