// Package postserver is the post office's HTTP server: the station API of
// package postapi (docs/postoffice-api.md) over the same office, registry
// and rules as the postoffice commands.
package postserver

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/registry"
)

// Options tune a Server. The zero value (or nil) is the real thing.
type Options struct {
	Now  func() time.Time     // the clock; time.Now if nil
	Logf func(string, ...any) // where the technician's details go; dropped if nil
	// ReadTimeout bounds how long a request may take to arrive, headers
	// and body (default 60 s: a day file of a few hundred KB on a slow
	// village line).
	ReadTimeout time.Duration
	// Pages answers every path outside /api/ (the staff's web pages);
	// when nil those paths are not found.
	Pages http.Handler
}

// Server answers stations.
type Server struct {
	office *office.Office
	now    func() time.Time
	logf   func(string, ...any)
	read   time.Duration
	nonces *nonces
	mux    *http.ServeMux
}

// New returns the server of an opened post office.
func New(o *office.Office, opts *Options) *Server {
	if opts == nil {
		opts = &Options{}
	}
	s := &Server{office: o, now: opts.Now, logf: opts.Logf, read: opts.ReadTimeout, nonces: newNonces()}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if s.read == 0 {
		s.read = 60 * time.Second
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST "+postapi.PathDays, s.station(s.upload))
	s.mux.HandleFunc("GET "+postapi.PathAcks, s.station(s.acks))
	s.mux.HandleFunc("GET "+postapi.PathTariff, s.station(s.tariff))
	s.mux.HandleFunc("GET "+postapi.PathResults, s.station(s.results))
	if opts.Pages != nil {
		s.mux.Handle("/", opts.Pages)
	}
	s.mux.HandleFunc("/api/", s.station(func(*request) (int, any) {
		return 0, postapi.Refuse(http.StatusNotFound, postapi.RuleNotFound, "没有这个接口。", "no such path or method.")
	}))
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// HTTPServer returns an http.Server for the handler with every timeout set:
// a client that sends slowly, or not at all, is cut off.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.read,
		WriteTimeout:      s.read + 30*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

// Serve serves on ln until ctx ends, then stops taking requests and lets
// those under way finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.HTTPServer()
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			return fmt.Errorf("postserver: shut down: %w", err)
		}
		<-done
		return nil
	}
}

// request is a station's request whose signature verified.
type request struct {
	*http.Request
	station registry.Station
	auth    postapi.Auth
	body    []byte
}

// station wraps a handler of the station API: it reads the body within
// the limits, checks the signature, the time and the nonce, and signs
// the answer, whatever it is.
func (s *Server) station(h func(*request) (int, any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := s.verify(w, r)
		var status int
		var answer any
		if err != nil {
			status, answer = refusal(err)
		} else {
			status, answer = h(req)
			if e, ok := answer.(error); ok {
				status, answer = refusal(e)
			}
		}
		body, err := json.Marshal(answer)
		if err != nil {
			s.logf("postserver: encode the answer: %v", err)
			status, body = http.StatusInternalServerError, []byte(`{"error":{"rule":"busy"}}`)
		}
		body = append(body, '\n')
		// The answer is tied to the station and nonce as sent, even when
		// it refuses them.
		sig, err := postapi.SignResponse(s.office.Signer, r.Header.Get(postapi.HeaderStation), r.Header.Get(postapi.HeaderNonce), status, body)
		if err != nil {
			s.logf("postserver: %v", err)
		} else {
			w.Header().Set(postapi.HeaderSignature, sig)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		w.Write(body)
	}
}

// refusal answers an error: a refusal says its rule; anything else is
// the post office's own trouble, said without its details (they go to
// the log).
func refusal(err error) (int, any) {
	var e *postapi.Error
	if errors.Is(err, registry.ErrInUse) {
		errors.As(busy(), &e)
	}
	if e == nil && !errors.As(err, &e) {
		e = postapi.Refuse(http.StatusServiceUnavailable, postapi.RuleBusy, "邮政这边暂时出了问题，没有处理这个请求；请稍后再发。", "the post office could not handle the request now; send it again later.")
	}
	return e.Status, postapi.Refusal{Error: e}
}

// verify reads and checks a request.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) (*request, error) {
	if r.ContentLength > postapi.MaxBody {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, postapi.MaxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge()
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, postapi.Refuse(http.StatusRequestTimeout, postapi.RuleSlow, "请求没有在 %s 内发完，邮政没有处理它；网络好一些时再发。",
			"the request did not arrive within %s and was not handled; send it again when the line is better.", s.read)
	case err != nil:
		return nil, postapi.Refuse(http.StatusBadRequest, postapi.RuleSlow, "请求没有发完整，邮政没有处理它；请再发一次。", "the request arrived incomplete and was not handled; send it again.")
	}
	a, err := postapi.ParseAuth(r.Header)
	if err != nil {
		return nil, err
	}
	st, err := s.office.Station(r.Context(), a.Station)
	var re *registry.Error
	if errors.As(err, &re) && re.Kind == registry.ErrUnknownStation {
		return nil, postapi.Refuse(http.StatusUnauthorized, postapi.RuleUnknown, "邮政没有登记服务站 %s。", "no station %s is enrolled with this post office.", a.Station)
	}
	if err != nil {
		if !errors.Is(err, registry.ErrInUse) {
			s.logf("postserver: station %s: %v", a.Station, err)
		}
		return nil, err
	}
	if st.Status == registry.Retired {
		return nil, postapi.Refuse(http.StatusForbidden, postapi.RuleRetired, "服务站 %s 已经退出，邮政不再接收它的请求。", "station %s has retired; the post office takes no more requests from it.", st.ID)
	}
	keys, err := stationKeys(st)
	if err != nil {
		s.logf("postserver: station %s keys: %v", st.ID, err)
		return nil, err
	}
	now := s.now()
	if err := a.Check(r.Method, r.URL.RequestURI(), body, keys, now); err != nil {
		return nil, err
	}
	fresh, err := s.fresh(r.Context(), a, now)
	if err != nil {
		s.logf("postserver: nonce of %s: %v", a.Station, err)
		return nil, err
	}
	if !fresh {
		return nil, postapi.Refuse(http.StatusUnauthorized, postapi.RuleReplayed, "这个请求邮政已经收到过（重发的旧请求），没有再处理。",
			"the post office has seen this request before (a replay); it was not handled again.")
	}
	return &request{Request: r, station: st, auth: a, body: body}, nil
}

// fresh records the request's nonce and says whether it is new: in the
// database when several servers share one, else in this server's memory.
func (s *Server) fresh(ctx context.Context, a postapi.Auth, now time.Time) (bool, error) {
	until := a.Time.Add(postapi.MaxSkew)
	if fresh, shared, err := s.office.AddNonce(ctx, a.Station, a.Nonce, until, now); shared || err != nil {
		return fresh, err
	}
	return s.nonces.add(a.Station+" "+a.Nonce, until, now), nil
}

// busy answers a request the post office cannot take now: the registry
// is held by a postoffice command.
func busy() error {
	return postapi.Refuse(http.StatusServiceUnavailable, postapi.RuleBusy, "邮政这边正忙（在导入或对账），请稍后再发。", "the post office is busy (an import or reconciliation runs); send again later.")
}

func tooLarge() error {
	return postapi.Refuse(http.StatusRequestEntityTooLarge, postapi.RuleTooLarge, "请求太大（超过 %d MB），邮政没有处理它。",
		"the request is over %d MB and was not handled.", postapi.MaxBody>>20)
}

// stationKeys returns the key in force and the keys a station used before.
func stationKeys(st registry.Station) (postapi.Keys, error) {
	var k postapi.Keys
	pub, err := registry.PublicKey(st.Key)
	if err != nil {
		return k, err
	}
	k.InForce = pub
	for _, c := range st.Keys {
		if c.Key == st.Key {
			continue
		}
		if old, err := registry.PublicKey(c.Key); err == nil {
			k.Old = append(k.Old, ed25519.PublicKey(old))
		}
	}
	return k, nil
}
