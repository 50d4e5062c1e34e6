// Package hostproto is the protocol between a station and the hosts (the
// bank, the billers, the carriers) over HTTP, as docs/host-protocol.md
// describes it: the paths, the bodies besides terminal's HostRequest and
// HostReply, and the client a station uses. The host simulator (package
// hostsim) serves the same protocol.
package hostproto

// Paths of the host protocol.
const (
	PathSend    = "/v1/send"    // HostRequest → HostReply
	PathStatus  = "/v1/status"  // TraceBody → HostReply
	PathReverse = "/v1/reverse" // TraceBody → HostReply
	PathBill    = "/v1/bill"    // BillBody → Bill; 404 DeclineBody: no such account
	// PathContribution: terminal.ContributionDetails → terminal.ContributionDue
	PathContribution = "/v1/contribution"
)

// MaxBody bounds a request or reply body.
const MaxBody = 64 << 10

// ErrorBody is the JSON body of an answer that is not a reply.
type ErrorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"` // 400: the request field at fault
	Code  string `json:"code,omitempty"`  // 503: "unreachable"
}

// DeclineBody is the 404 body of a bill lookup for an account that does
// not exist.
type DeclineBody struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// TraceBody is the body of /v1/status and /v1/reverse.
type TraceBody struct {
	Trace string `json:"trace"`
}

// BillBody is the body of /v1/bill.
type BillBody struct {
	Biller  string `json:"biller"`
	Account string `json:"account"`
}
