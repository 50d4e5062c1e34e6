package hostsim

import (
	"github.com/villagepost/bianmin/hostproto"
	"net/http"
	"sync/atomic"
	"time"
)

// The simulated clock. A test or a demo that replays business days of the
// past sets the hosts' clock to the stations' (PUT /admin/clock), so that
// the journal dates each decision on the day the stations worked, as a
// real host's journal would.

// clock is the hosts' time: the Options clock moved by what SetClock set.
type clock struct {
	offset atomic.Int64 // nanoseconds added to now()
}

// SetClock sets the hosts' clock to t; it runs on from there. The zero
// time puts it back to the real clock (Options.Now).
func (s *Sim) SetClock(t time.Time) {
	if t.IsZero() {
		s.clk.offset.Store(0)
		return
	}
	s.clk.offset.Store(int64(t.Sub(s.now())))
}

// reaches reports whether SetClock(t) can set the clock to t: its offset
// from now must fit in a time.Duration (about 290 years), or the clock
// would stop short of t.
func (s *Sim) reaches(t time.Time) bool {
	now := s.now()
	return now.Add(t.Sub(now)).Equal(t)
}

// Clock returns the hosts' time.
func (s *Sim) Clock() time.Time { return s.time() }

func (s *Sim) time() time.Time { return s.now().Add(time.Duration(s.clk.offset.Load())) }

type clockBody struct {
	Time time.Time `json:"time"`
}

func (h *handler) getClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, clockBody{h.sim.Clock()})
}

func (h *handler) setClock(w http.ResponseWriter, r *http.Request) {
	var b clockBody
	if !decode(w, r, &b) {
		return
	}
	if b.Time.IsZero() {
		writeJSON(w, http.StatusBadRequest, hostproto.ErrorBody{Error: "time: an RFC 3339 time, e.g. 2026-11-20T09:30:00+08:00", Field: "time"})
		return
	}
	if !h.sim.reaches(b.Time) {
		writeJSON(w, http.StatusBadRequest, hostproto.ErrorBody{Error: "time: too far from now for the hosts' clock (within 290 years)", Field: "time"})
		return
	}
	h.sim.SetClock(b.Time)
	writeJSON(w, http.StatusOK, clockBody{h.sim.Clock()})
}

func (h *handler) resetClock(w http.ResponseWriter, r *http.Request) {
	h.sim.SetClock(time.Time{})
	writeJSON(w, http.StatusOK, clockBody{h.sim.Clock()})
}
