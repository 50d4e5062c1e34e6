package hostsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/villagepost/bianmin/hostproto"
	"github.com/villagepost/bianmin/terminal"
)

// maxBody bounds a request or reply body.
const maxBody = hostproto.MaxBody

// handler serves a Sim over HTTP.
type handler struct{ sim *Sim }

// NewHandler serves s over HTTP, as docs/host-protocol.md describes:
//
//	POST   /v1/send      HostRequest → HostReply
//	POST   /v1/status    {"trace"} → HostReply
//	POST   /v1/reverse   {"trace"} → HostReply
//	POST   /v1/bill      {"biller","account"} → Bill; 404 {"code","reason"}: no such account
//	POST   /v1/contribution  ContributionDetails → ContributionDue (a member's lookup)
//	GET    /admin/faults → the faults in force, a JSON list
//	PUT    /admin/faults ← a JSON list of faults (objects, or strings in the text form)
//	DELETE /admin/faults   clears them
//	GET    /admin/clock  → {"time": …}: the hosts' clock
//	PUT    /admin/clock  ← {"time": "2026-11-20T09:30:00+08:00"}: set it; it runs on from there
//	DELETE /admin/clock    back to the real clock
//	GET    /healthz      → {"status":"ok"}
//
// A malformed request is answered 400 {"error","field"} and changes
// nothing; a host that is down (or a closed Sim) 503 {"error","code":
// "unreachable"}: the request was not processed. A dropped reply closes
// the connection without a response; a duplicated reply is the same JSON
// object twice in one body.
func NewHandler(s *Sim) http.Handler {
	h := &handler{sim: s}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+hostproto.PathSend, h.send)
	mux.HandleFunc("POST "+hostproto.PathStatus, h.status)
	mux.HandleFunc("POST "+hostproto.PathReverse, h.reverse)
	mux.HandleFunc("POST "+hostproto.PathBill, h.bill)
	mux.HandleFunc("POST "+hostproto.PathContribution, h.contribution)
	mux.HandleFunc("GET /admin/faults", h.faults)
	mux.HandleFunc("PUT /admin/faults", h.setFaults)
	mux.HandleFunc("DELETE /admin/faults", h.clearFaults)
	mux.HandleFunc("GET /admin/clock", h.getClock)
	mux.HandleFunc("PUT /admin/clock", h.setClock)
	mux.HandleFunc("DELETE /admin/clock", h.resetClock)
	mux.HandleFunc("GET /healthz", h.healthz)
	return mux
}

func (h *handler) send(w http.ResponseWriter, r *http.Request) {
	var req terminal.HostRequest
	if !decode(w, r, &req) {
		return
	}
	rep, d, err := h.sim.send(r.Context(), req)
	switch {
	case err != nil:
		fail(w, r, err)
	case d == deliverNone:
		abort(w)
	case d == deliverTwice:
		b, _ := json.Marshal(rep)
		b = append(b, '\n')
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(append(b, b...))
	default:
		writeJSON(w, http.StatusOK, rep)
	}
}

func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	var req hostproto.TraceBody
	if !decode(w, r, &req) {
		return
	}
	rep, err := h.sim.Status(r.Context(), req.Trace)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (h *handler) reverse(w http.ResponseWriter, r *http.Request) {
	var req hostproto.TraceBody
	if !decode(w, r, &req) {
		return
	}
	rep, err := h.sim.Reverse(r.Context(), req.Trace)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (h *handler) bill(w http.ResponseWriter, r *http.Request) {
	var req hostproto.BillBody
	if !decode(w, r, &req) {
		return
	}
	b, err := h.sim.LookupBill(r.Context(), req.Biller, req.Account)
	var de *terminal.DeclineError
	if errors.As(err, &de) {
		writeJSON(w, http.StatusNotFound, hostproto.DeclineBody{Code: de.Code, Reason: de.Reason})
		return
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (h *handler) contribution(w http.ResponseWriter, r *http.Request) {
	var req terminal.ContributionDetails
	if !decode(w, r, &req) {
		return
	}
	d, err := h.sim.LookupContribution(r.Context(), req)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (h *handler) faults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.sim.Faults())
}

func (h *handler) setFaults(w http.ResponseWriter, r *http.Request) {
	var raw []json.RawMessage
	if !decode(w, r, &raw) {
		return
	}
	faults := make([]Fault, len(raw))
	for i, m := range raw {
		if err := json.Unmarshal(m, &faults[i]); err != nil {
			writeJSON(w, http.StatusBadRequest, hostproto.ErrorBody{Error: err.Error(), Field: fmt.Sprintf("faults[%d]", i)})
			return
		}
	}
	if err := h.sim.SetFaults(faults...); err != nil {
		writeJSON(w, http.StatusBadRequest, hostproto.ErrorBody{Error: err.Error(), Field: "faults"})
		return
	}
	writeJSON(w, http.StatusOK, h.sim.Faults())
}

func (h *handler) clearFaults(w http.ResponseWriter, r *http.Request) {
	h.sim.SetFaults()
	writeJSON(w, http.StatusOK, h.sim.Faults())
}

func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	if err := h.sim.health(); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, hostproto.ErrorBody{Error: err.Error(), Code: "unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// health reports why the Sim cannot take calls, if it cannot.
func (s *Sim) health() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usable()
}

// decode reads a request body of one JSON value into v, answering 400 and
// reporting false if it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, hostproto.ErrorBody{Error: "cannot read the body: " + err.Error(), Field: "body"})
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("more than one JSON value")
		}
	}
	if err == nil {
		return true
	}
	field := "body"
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		field = te.Field
	case strings.HasPrefix(err.Error(), `json: unknown field "`):
		// The name as sent; an empty one leaves the body at fault.
		if name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), `json: unknown field `)); uerr == nil && name != "" {
			field = name
		}
	case err == io.EOF:
		err = errors.New("empty body")
	}
	writeJSON(w, http.StatusBadRequest, hostproto.ErrorBody{Error: "malformed request: " + err.Error(), Field: field})
	return false
}

// fail answers a call that returned err.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	var re *RequestError
	switch {
	case errors.As(err, &re):
		writeJSON(w, http.StatusBadRequest, hostproto.ErrorBody{Error: err.Error(), Field: re.Field})
	case errors.Is(err, terminal.ErrUnreachable):
		writeJSON(w, http.StatusServiceUnavailable, hostproto.ErrorBody{Error: err.Error(), Code: "unreachable"})
	case r.Context().Err() != nil:
		// The caller is gone: nobody to answer.
	default:
		// The outcome is unknown (a journal failure, a hang cut short
		// by Close): no answer at all says so best.
		abort(w)
	}
}

// abort closes the connection without a response.
func abort(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, hostproto.ErrorBody{Error: "the reply was lost"})
		return
	}
	conn.Close()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"cannot encode the reply"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
