package terminal

import "github.com/villagepost/bianmin/ledger"

// Ledger is what the terminal's services need from the station's ledger.
type Ledger interface {
	Append(d ledger.Draft) (ledger.Entry, bool, error)
	Balances() (ledger.Balances, error)
}

var _ Ledger = (*ledger.Store)(nil)

// Accounts of the station's chart that the services post to.
const (
	AccountCash       = "assets:cash"
	AccountSettlement = "postoffice:settlement"
	AccountOwner      = "equity:owner"
	AccountVariance   = "expense:cash-variance"
	AccountFees       = "income:fees"
)
