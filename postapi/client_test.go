package postapi_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/villagepost/bianmin/postapi"
	"golang.org/x/mod/sumdb/note"
)

// answering serves h on 127.0.0.1 and returns a client for it.
func answering(t *testing.T, h http.HandlerFunc) *postapi.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, vkey, _ := note.GenerateKey(rand.Reader, "xinyang-postoffice")
	v, _ := note.NewVerifier(vkey)
	return &postapi.Client{URL: "http://" + ln.Addr().String(), Station: "T0001", Key: key, PostOffice: v,
		HTTP: &http.Client{Timeout: 500 * time.Millisecond}}
}

// A post office that fails or hangs gives no answer the station could
// take for a decision: the day stays unsent.
func TestNoTrustworthyAnswer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	for name, h := range map[string]http.HandlerFunc{
		"500": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) },
		"an unsigned accepted": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"result":"accepted","ack":"forged"}`))
		},
		"hangs": func(w http.ResponseWriter, r *http.Request) { <-release },
	} {
		t.Run(name, func(t *testing.T) {
			out, err := answering(t, h).Upload(context.Background(), []byte("day file"))
			if err == nil || out.Result != "" {
				t.Errorf("got %+v, %v; want no outcome and an error", out, err)
			}
			var pe *postapi.Error
			if errors.As(err, &pe) {
				t.Errorf("taken as the post office's refusal: %v", err)
			}
		})
	}
}
