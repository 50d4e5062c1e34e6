package terminal

import "context"

// ContributionDetails is one member of a household paying a residents'
// medical or pension insurance contribution (城乡居民医保 / 养老保险) for
// a coverage year. In a lookup it asks what the member owes; in a
// contribution request it pays that amount, which travels as the
// request's Amount.
type ContributionDetails struct {
	Scheme    string `json:"scheme"` // medical or pension
	Year      int    `json:"year"`   // the coverage year
	Name      string `json:"name"`   // the member's name as on the ID card
	IDNumber  string `json:"id_number"`
	Grade     string `json:"grade"`               // the rate (medical) or the chosen grade (pension), CNY two places
	Category  string `json:"category,omitempty"`  // contribution: the category the lookup reported
	Household string `json:"household,omitempty"` // the head of the household (户主), if given
}

// Statuses of a contribution lookup.
const (
	DueOwed    = "due"     // the member may pay Amount for the year
	DueRefused = "refused" // the host will not take the member's contribution: Code, Reason
)

// ContributionDue is the social-insurance host's answer to a lookup: what
// a member owes for the year and the category it knows them by, or why it
// will not take their contribution.
type ContributionDue struct {
	Status   string `json:"status"`             // due or refused
	Category string `json:"category,omitempty"` // standard, dibao, tekun or disabled
	Amount   string `json:"amount,omitempty"`   // CNY two places; "0.00" for a member fully subsidised
	Code     string `json:"code,omitempty"`     // refused: the host's reason code
	Reason   string `json:"reason,omitempty"`
}

// ContributionLookup asks the social-insurance host what a member owes.
// It records nothing anywhere: the host decides again when the member
// pays.
type ContributionLookup interface {
	LookupContribution(ctx context.Context, q ContributionDetails) (ContributionDue, error)
}
