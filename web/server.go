// Package web is the shopkeeper's screen: a local web UI, served from the
// station program, for everything done at the counter in a day. It holds
// the HTTP handlers and the templates; the services, their rules and their
// messages stay in terminal and cmd/station, behind Station.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/money"
	"github.com/villagepost/bianmin/settlement"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// DefaultIdle is how long a signed-in session lasts without use.
const DefaultIdle = 20 * time.Minute

// Server serves the screens of one station.
type Server struct {
	st    Station
	now   func() time.Time
	idle  time.Duration
	logf  func(format string, args ...any)
	pages map[string]*template.Template
	mux   *http.ServeMux
	hosts map[string]bool // the Host names allowed; nil: localhost and any IP
	h     http.Handler    // mux behind the cross-origin and Host checks

	// work serialises what is done at the counter: one customer at a
	// time, so that a double-click waits for the first request and is
	// then answered from the ledger under the same idempotency key.
	work sync.Mutex

	sessions *sessions
	unlocks  unlockTries
	pins     *pinGate
	anonRate anonLimiter
}

// Options configure a Server; nil fields take defaults.
type Options struct {
	Now  func() time.Time // the clock (sessions, dates); nil means time.Now
	Idle time.Duration    // session lifetime without use; 0 means DefaultIdle
	Logf func(format string, args ...any)
	// Hosts lists the names and IP addresses the screen is reached by
	// (the Host header without its port); a request for any other Host
	// is refused, which keeps out pages that point their own name at
	// this machine (DNS rebinding). An unspecified address (0.0.0.0, ::)
	// allows every IP address. Nil allows localhost and every IP
	// address, which no rebinding can produce.
	Hosts []string
}

// New returns a Server for st.
func New(st Station, o *Options) (*Server, error) {
	if o == nil {
		o = &Options{}
	}
	s := &Server{st: st, now: o.Now, idle: o.Idle, logf: o.Logf, hosts: allowHosts(o.Hosts)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.idle == 0 {
		s.idle = DefaultIdle
	}
	if s.logf == nil {
		s.logf = log.Printf
	}
	s.sessions = newSessions(s.now, s.idle)
	s.pins = newPINGate()
	if err := s.parseTemplates(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s.routes()
	s.h = s.guard(s.mux)
	return s, nil
}

func (s *Server) parseTemplates() error {
	funcs := template.FuncMap{
		"yuan":    func(d decimal.Decimal) string { return money.FormatReceipt(d) },
		"capital": money.Capital,
		// yuanText shows an amount kept as text ("30.00") as ¥30.00.
		"yuanText": func(s string) string {
			d, err := decimal.NewFromString(s)
			if err != nil {
				return s
			}
			return money.FormatReceipt(d)
		},
		"kindName": settlement.KindName,
		"dayName":  dayShort,
		"owed":     owedWords,
		"back":     backWords,
		"business": business,
		"variance": variance,
		"add":      func(a, b int) int { return a + b },
		"fieldOf":  fieldOf2,
		"figs":     func(v *view, c settlement.Close) figures { return figures{v, c} },
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	s.pages = map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return err
		}
		s.pages[name] = t
	}
	return nil
}

// ServeHTTP serves the UI. Every answer forbids framing and caching, so
// a screen with money on it is never shown from a stale cache. Requests
// from other sites or for another Host are refused before any handler
// (guard.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'self'; object-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'")
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		h.Set("Cache-Control", "no-store")
	}
	s.h.ServeHTTP(w, r)
}

func (s *Server) routes() {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static", filesOnly(static)))
	mux.HandleFunc("GET /signin", s.anon(s.signInForm))
	mux.HandleFunc("POST /signin", s.anon(s.signIn))
	mux.HandleFunc("POST /signout", s.anon(s.signOut))
	mux.HandleFunc("POST /lang", s.anon(s.setLang))
	mux.HandleFunc("GET /unlock", s.anon(s.unlockForm))
	mux.HandleFunc("POST /unlock", s.anon(s.unlock))

	mux.HandleFunc("GET /{$}", s.auth(s.start))
	mux.HandleFunc("GET /postoffice", s.auth(s.postOffice))
	mux.HandleFunc("GET /done/{key}", s.auth(s.done))
	mux.HandleFunc("GET /done/{key}/pdf", s.auth(s.donePDF))

	mux.HandleFunc("GET /withdraw", s.auth(s.withdrawForm))
	mux.HandleFunc("POST /withdraw/check", s.auth(s.withdrawCheck))
	mux.HandleFunc("POST /withdraw", s.auth(s.withdraw))
	mux.HandleFunc("POST /shown/{seq}", s.auth(s.shown))
	mux.HandleFunc("GET /inquiry", s.auth(s.inquiryForm))
	mux.HandleFunc("POST /inquiry", s.auth(s.inquiry))

	mux.HandleFunc("GET /bill", s.auth(s.billForm))
	mux.HandleFunc("POST /bill/lookup", s.auth(s.billLookup))
	mux.HandleFunc("POST /bill/check", s.auth(s.billCheck))
	mux.HandleFunc("POST /bill", s.auth(s.billPay))
	mux.HandleFunc("GET /topup", s.auth(s.topupForm))
	mux.HandleFunc("POST /topup/check", s.auth(s.topupCheck))
	mux.HandleFunc("POST /topup", s.auth(s.topup))

	mux.HandleFunc("GET /ticket", s.auth(s.ticketForm))
	mux.HandleFunc("POST /ticket/check", s.auth(s.ticketCheck))
	mux.HandleFunc("POST /ticket", s.auth(s.ticketOrder))
	mux.HandleFunc("GET /tickets", s.auth(s.ticketList))
	mux.HandleFunc("POST /tickets/cancel", s.auth(s.ticketCancel))

	mux.HandleFunc("GET /insure", s.auth(s.insureForm))
	mux.HandleFunc("POST /insure/check", s.auth(s.insureCheck))
	mux.HandleFunc("POST /insure", s.auth(s.insureBuy))
	mux.HandleFunc("GET /policies", s.auth(s.policyList))
	mux.HandleFunc("POST /policies/cancel", s.auth(s.policyCancel))

	s.contributeRoutes(mux)
	mux.HandleFunc("GET /sim", s.auth(s.simList))
	mux.HandleFunc("GET /sim/sell", s.auth(s.simSellForm))
	mux.HandleFunc("POST /sim/sell/check", s.auth(s.simCheck))
	mux.HandleFunc("POST /sim/sell", s.auth(s.simSell))
	mux.HandleFunc("POST /sim/sell/edit", s.auth(s.simSellEdit))
	mux.HandleFunc("GET /sim/receive", s.auth(s.simReceiveForm))
	mux.HandleFunc("POST /sim/receive", s.auth(s.simReceive))
	mux.HandleFunc("POST /sim/return", s.auth(s.simReturn))

	mux.HandleFunc("GET /sell", s.auth(s.sellForm))
	mux.HandleFunc("POST /sell/check", s.auth(s.sellCheck))
	mux.HandleFunc("POST /sell", s.auth(s.sell))
	mux.HandleFunc("GET /deliver", s.auth(s.deliverForm))
	mux.HandleFunc("POST /deliver", s.auth(s.deliver))

	mux.HandleFunc("GET /cash", s.auth(s.cashForm))
	mux.HandleFunc("POST /cash/move", s.auth(s.cashMove))
	mux.HandleFunc("POST /cash/count", s.auth(s.cashCount))

	mux.HandleFunc("GET /report", s.auth(s.report))
	mux.HandleFunc("GET /close", s.auth(s.closeForm))
	mux.HandleFunc("POST /close/check", s.auth(s.closeCheck))
	mux.HandleFunc("POST /close", s.auth(s.closeDay))

	mux.HandleFunc("GET /journal", s.auth(s.journal))
	mux.HandleFunc("GET /void/{seq}", s.auth(s.voidForm))
	mux.HandleFunc("POST /void/{seq}", s.auth(s.void))
	mux.HandleFunc("GET /queue", s.auth(s.queue))
	mux.HandleFunc("POST /refund/{seq}", s.auth(s.refund))

	mux.HandleFunc("GET /disputes", s.auth(s.disputes))
	mux.HandleFunc("GET /dispute", s.auth(s.disputeForm))
	mux.HandleFunc("POST /dispute/check", s.auth(s.disputeCheck))
	mux.HandleFunc("POST /dispute", s.auth(s.disputeOpen))
	mux.HandleFunc("POST /dispute/edit", s.auth(s.disputeEdit))
	mux.HandleFunc("POST /disputes/refund/{seq}", s.auth(s.disputeRefund))
	mux.HandleFunc("GET /handovers", s.auth(s.handovers))
	mux.HandleFunc("POST /handovers/{n}", s.auth(s.handoverFinish))

	for _, page := range []string{"withdraw", "bill", "topup", "ticket", "insure", "sell"} {
		mux.HandleFunc("POST /"+page+"/edit", s.auth(s.edit(page)))
	}
	mux.HandleFunc("GET /export/{what}", s.auth(s.export))
	mux.HandleFunc("GET /receipt/{seq}", s.auth(s.receiptView))
	mux.HandleFunc("GET /receipt/{seq}/pdf", s.auth(s.receiptPDF))
	mux.HandleFunc("POST /receipt/{seq}/reprint", s.auth(s.reprint))
	s.mux = mux
}
