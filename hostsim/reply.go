package hostsim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/villagepost/bianmin/terminal"
)

// Reply codes the hosts give. A decline fault may give any other code.
const (
	CodeApproved        = "00" // approved (and a reversal taken)
	CodeDoNotHonour     = "05" // the default decline of a decline fault
	CodePending         = "09" // a ticket order on the waiting list: ask Status later
	CodeNoAccount       = "14" // biller: no such account
	CodeNoRecord        = "25" // Status, Reverse: the host never saw this trace
	CodeNoFunds         = "51" // bank: insufficient funds
	CodeWrongPIN        = "55" // bank: wrong PIN
	CodeNotOnSale       = "T1" // carrier: no such journey on sale (same station, date passed, too far ahead)
	CodeNoSeats         = "T2" // carrier: the waiting list found no seat
	CodeNoTicket        = "T3" // carrier: cancel of a ticket it never issued
	CodeCancelled       = "T4" // carrier: the ticket is already cancelled
	CodeDeparted        = "T5" // carrier: too late to cancel, the train or plane has left
	CodeReversedFirst   = "RV" // a request whose reversal came first
	CodeNotInsurable    = "P1" // insurer: no such product, a sum insured outside its limits, a start date it does not take
	CodePremium         = "P2" // insurer: the premium asked is not the insurer's price
	CodeNoPolicy        = "P3" // insurer: cancel of a policy it never issued
	CodePolicyCancelled = "P4" // insurer: the policy is already cancelled or void
	CodeCoolingOffOver  = "P5" // insurer: the cooling-off period is over; cancel at the insurer
	CodeTooManySIMs     = "S1" // telecom: the person already holds 5 numbers with this carrier
	CodeBlacklisted     = "S2" // telecom: the ID is on the carriers' blacklist
	CodeNameMismatch    = "S3" // telecom: the name does not match the ID
	CodeNumberTaken     = "S4" // telecom: the number is registered already

	CodeNotRegistered      = "C1" // social: the person is not registered in this county
	CodeAlreadyPaid        = "C2" // social: the person has paid this scheme for this year already
	CodeWindowClosed       = "C3" // social: no such coverage year, or outside its contribution window
	CodeNotEligible        = "C4" // social: pension only, the person is under 16 or 60 or over
	CodeContributionAmount = "C5" // social: no such grade, or an amount that is not what is due
)

// reasonFor gives the host's words for a code.
func reasonFor(code string) string {
	switch code {
	case CodeDoNotHonour:
		return "do not honour"
	case CodeNoAccount:
		return "no such account"
	case CodeNoRecord:
		return "no record of this trace"
	case CodeNoFunds:
		return "insufficient funds"
	case CodeWrongPIN:
		return "wrong PIN"
	case CodeNotOnSale:
		return "not on sale"
	case CodeNoSeats:
		return "no seats: the waiting list order failed"
	case CodeNoTicket:
		return "no such ticket"
	case CodeCancelled:
		return "the ticket is already cancelled"
	case CodeDeparted:
		return "too late to cancel: departed"
	case CodeReversedFirst:
		return "refused: a reversal of this trace came before it"
	case CodeNotInsurable:
		return "not insurable"
	case CodePremium:
		return "the premium is not the insurer's price"
	case CodeNoPolicy:
		return "no such policy"
	case CodePolicyCancelled:
		return "the policy is already cancelled or void"
	case CodeCoolingOffOver:
		return "the cooling-off period is over: cancel at the insurer"
	case CodeTooManySIMs:
		return "this person already holds 5 numbers with this carrier"
	case CodeBlacklisted:
		return "the ID is on the carriers' blacklist"
	case CodeNameMismatch:
		return "the name does not match the ID number"
	case CodeNumberTaken:
		return "the number is registered already"
	case CodeNotRegistered:
		return "not registered in this county"
	case CodeAlreadyPaid:
		return "already paid for this year"
	case CodeWindowClosed:
		return "outside the contribution window"
	case CodeNotEligible:
		return "not eligible for this scheme"
	case CodeContributionAmount:
		return "the amount is not what is due"
	}
	return "declined"
}

// replyOf is the reply a decision line gives.
//
//	withdrawal       approved: AuthCode, Amount
//	balance_inquiry  approved: Balance
//	bill_payment     approved: Reference (the biller's receipt number), Amount
//	topup            approved: Reference, Amount
//	ticket_order     approved: Reference = the ticket number, Amount = the fare;
//	                 pending: Reference = the waitlist order number, Amount = the fare
//	ticket_cancel    approved: Reference = the ticket number, Amount = the refund
//	policy_issue     approved: Reference = the policy number, Amount = the premium,
//	                 Until = the last day of the cooling-off period
//	policy_cancel    approved: Reference = the policy number, Amount = the refund
//	sim_sale         approved: Reference = the registration number, Amount = the price
//	contribution     approved: Reference = the confirmation number, Amount = what was paid
//	declined         Code, Reason
func replyOf(l JournalLine) terminal.HostReply {
	rep := terminal.HostReply{Trace: l.Trace, Status: l.Status, Code: l.Code, Reason: l.Reason}
	if l.Status == terminal.StatusDeclined {
		return rep
	}
	rep.AuthCode, rep.Reference = l.AuthCode, l.Reference
	switch l.Service {
	case terminal.SvcBalanceInquiry:
		rep.Balance = l.Balance
	case terminal.SvcTicketCancel, terminal.SvcPolicyCancel:
		rep.Amount = l.Refund
	case terminal.SvcPolicyIssue:
		rep.Amount, rep.Until = l.Amount, l.Until
	default:
		rep.Amount = l.Amount
	}
	return rep
}

// noneReply answers for a trace the hosts never saw.
func noneReply(trace string) terminal.HostReply {
	return terminal.HostReply{Trace: trace, Status: terminal.StatusNone, Code: CodeNoRecord, Reason: reasonFor(CodeNoRecord)}
}

// hashNumber returns a number below mod derived from parts, the same
// every time.
func hashNumber(mod uint64, parts ...string) uint64 {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return binary.BigEndian.Uint64(sum[:8]) % mod
}

// digits returns n decimal digits (n ≤ 18) derived from parts.
func digits(n int, parts ...string) string {
	mod := uint64(1)
	for range n {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", n, hashNumber(mod, parts...))
}

// authCode is the bank's 6-digit authorisation code for a trace.
func authCode(trace string) string { return digits(6, "auth", trace) }

// billerReference is a biller's receipt number for a trace: "R" and 12 digits.
func billerReference(trace string) string { return "R" + digits(12, "reference", trace) }

// orderNumber is a carrier's waiting-list order number: "W" and 10 digits.
func orderNumber(trace string) string { return "W" + digits(10, "order", trace) }
