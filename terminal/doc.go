// Package terminal holds what the shopkeeper does at the counter: the
// operators who sign in, and (as they land) the services, the cash drawer
// and the links to the bank and billers. Every money movement ends as one
// entry in the station's ledger.
package terminal
