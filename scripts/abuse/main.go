// Command abuse throws at a running station serve what an attacker on
// the shop's network could: huge uploads, slow-body clients, a flood of
// anonymous requests and wrong-PIN storms, each from its own loopback
// addresses, while a signed-in counter keeps working; it prints the
// counter's latency before and during, and what each attack got.
// scripts/abuse.sh starts the server and runs it; see there.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:8080", "the screen's address (loopback only)")
	flag.StringVar(&o.op, "op", "OP2", "the counter's operator")
	flag.StringVar(&o.pin, "pin", "246802", "the counter's PIN")
	flag.StringVar(&o.target, "target", "OP1", "the operator the PIN storm guesses")
	flag.IntVar(&o.anon, "anon", 200000, "anonymous requests")
	flag.IntVar(&o.uploads, "uploads", 3, "huge uploads")
	flag.IntVar(&o.uploadMB, "upload-mb", 300, "size of each upload in MB")
	flag.IntVar(&o.slow, "slow", 200, "slow-body clients")
	flag.DurationVar(&o.slowFor, "slow-for", 40*time.Second, "how long slow clients keep sending")
	flag.IntVar(&o.pins, "pins", 200, "wrong PINs in the storm")
	flag.IntVar(&o.samples, "samples", 300, "counter requests measured before the attack (and at least as many during)")
	flag.Float64Var(&o.maxSlow, "max-slowdown", 2, "fail if the counter's median during the attack is more than this many times the one before")
	flag.DurationVar(&o.limit, "timeout", 10*time.Minute, "give up after this long")
	flag.Parse()
	host, _, err := net.SplitHostPort(o.addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintln(os.Stderr, "abuse: --addr must be a loopback address")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "abuse:", err)
		os.Exit(1)
	}
}

type options struct {
	addr, op, pin, target               string
	anon, uploads, uploadMB, slow, pins int
	samples                             int
	slowFor, limit                      time.Duration
	maxSlow                             float64
}

// from returns a client whose connections come from the loopback address ip.
func from(ip string, conns int) *http.Client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Jar: jar, Timeout: time.Minute,
		Transport:     &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func page(c *http.Client, u string) (int, string, error) {
	r, err := c.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	return r.StatusCode, string(b), err
}

func signIn(c *http.Client, base, op, pin string) (int, error) {
	_, p, err := page(c, base+"/signin")
	if err != nil {
		return 0, err
	}
	m := csrfRE.FindStringSubmatch(p)
	if m == nil {
		return 0, fmt.Errorf("no sign-in form")
	}
	r, err := c.PostForm(base+"/signin", url.Values{"csrf": {m[1]}, "operator": {op}, "pin": {pin}})
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r.StatusCode, nil
}

// counter measures the signed-in counter's page until stop is closed
// and it has at least n samples.
func counter(c *http.Client, base string, n int, stop <-chan struct{}) ([]time.Duration, error) {
	var ds []time.Duration
	for {
		select {
		case <-stop:
			if len(ds) >= n {
				return ds, nil
			}
		default:
			if stop == nil && len(ds) >= n {
				return ds, nil
			}
		}
		t0 := time.Now()
		st, p, err := page(c, base+"/cash")
		if err != nil {
			return ds, fmt.Errorf("the counter's page: %w", err)
		}
		if st != http.StatusOK || !strings.Contains(p, `action="/cash/count"`) {
			return ds, fmt.Errorf("the counter's page answered %d without the drawer: signed out?", st)
		}
		ds = append(ds, time.Since(t0))
	}
}

func pct(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p)]
}

type tally struct {
	mu sync.Mutex
	m  map[string]int
}

func (t *tally) add(k string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]int{}
	}
	t.m[k]++
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ks []string
	for k, n := range t.m {
		ks = append(ks, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

func run(o options) error {
	base := "http://" + o.addr
	ctx, cancel := context.WithTimeout(context.Background(), o.limit)
	defer cancel()
	cc := from("127.0.0.1", 2)
	if st, err := signIn(cc, base, o.op, o.pin); err != nil || st != http.StatusSeeOther {
		return fmt.Errorf("the counter's sign-in: %d %v", st, err)
	}
	before, err := counter(cc, base, o.samples, nil)
	if err != nil {
		return err
	}
	fmt.Printf("counter before: %d requests, p50 %v, p99 %v\n", len(before), pct(before, .5).Round(10*time.Microsecond), pct(before, .99).Round(10*time.Microsecond))

	start := time.Now()
	var wg sync.WaitGroup
	var uploads, slow, anon, pins tally
	var slowHeld atomic.Int64 // the longest a slow client held its connection, in ms
	var anonDone atomic.Int64
	// Huge uploads, announced, chunked and multipart, to /signin by
	// strangers.
	for i := 0; i < o.uploads; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			uploads.add(upload(ctx, o.addr, fmt.Sprintf("127.0.0.%d", 10+i%10), i%3, int64(o.uploadMB)<<20))
		}()
	}
	// Slow-body clients: headers, then a byte every two seconds.
	for i := 0; i < o.slow; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			what, held := slowBody(ctx, o.addr, fmt.Sprintf("127.0.1.%d", 1+i%250), o.slowFor)
			slow.add(what)
			for {
				old := slowHeld.Load()
				if held.Milliseconds() <= old || slowHeld.CompareAndSwap(old, held.Milliseconds()) {
					break
				}
			}
		}()
	}
	// Anonymous requests, from 16 addresses with 4 connections each, for
	// as long as the slow clients hold on.
	var next atomic.Int64
	anonEnd := time.Now().Add(o.slowFor)
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := from(fmt.Sprintf("127.0.2.%d", 1+w%16), 4)
			c.Jar = nil // no cookies: every request a new visitor
			for next.Add(1) <= int64(o.anon) && ctx.Err() == nil && time.Now().Before(anonEnd) {
				st, _, err := page(c, base+"/signin")
				if err != nil {
					anon.add("error")
					continue
				}
				anon.add(fmt.Sprint(st))
				anonDone.Add(1)
			}
		}()
	}
	// Wrong-PIN storm for the target from 5 addresses.
	var pinNext atomic.Int64
	for a := 0; a < 5; a++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := from(fmt.Sprintf("127.0.3.%d", 1+a), 1)
			for n := pinNext.Add(1); n <= int64(o.pins) && ctx.Err() == nil; n = pinNext.Add(1) {
				who := o.target
				if n%2 == 0 {
					who = fmt.Sprintf("X%d", n) // no such operator: locks nobody, costs a hash
				}
				st, err := signIn(c, base, who, fmt.Sprintf("%06d", 864209+n))
				if err != nil {
					pins.add("error")
					continue
				}
				pins.add(fmt.Sprint(st))
			}
		}()
	}
	stop := make(chan struct{})
	var during []time.Duration
	var cerr error
	cdone := make(chan struct{})
	go func() { defer close(cdone); during, cerr = counter(cc, base, o.samples, stop) }()
	wg.Wait()
	close(stop)
	<-cdone
	elapsed := time.Since(start)
	if cerr != nil {
		return cerr
	}
	fmt.Printf("counter during: %d requests, p50 %v, p99 %v (over %v of attack)\n", len(during), pct(during, .5).Round(10*time.Microsecond), pct(during, .99).Round(10*time.Microsecond), elapsed.Round(100*time.Millisecond))
	fmt.Printf("uploads of %d MB (%d): %s\n", o.uploadMB, o.uploads, &uploads)
	fmt.Printf("slow-body clients (%d, %v each): %s; the longest held %v\n", o.slow, o.slowFor, &slow, time.Duration(slowHeld.Load())*time.Millisecond)
	fmt.Printf("anonymous requests (%d asked, from 16 addresses, for at most %v): %d answered: %s; %.0f/s\n", o.anon, o.slowFor, anonDone.Load(), &anon, float64(anonDone.Load())/elapsed.Seconds())
	fmt.Printf("wrong PINs for %s and unknown operators (%d from 5 addresses): %s\n", o.target, o.pins, &pins)
	if st, err := signIn(from("127.0.0.1", 1), base, o.op, o.pin); err != nil || st != http.StatusSeeOther {
		return fmt.Errorf("after the attack the counter cannot sign in: %d %v", st, err)
	}
	ratio := float64(pct(during, .5)) / float64(pct(before, .5))
	fmt.Printf("counter slowdown (p50 during / before): %.2f×\n", ratio)
	if ratio > o.maxSlow {
		return fmt.Errorf("the counter slowed %.2f× (more than %.1f×)", ratio, o.maxSlow)
	}
	return nil
}

// upload sends a body of size bytes to /signin: kind 0 announced by
// Content-Length, 1 in chunks, 2 as multipart; it returns the answer.
func upload(ctx context.Context, addr, ip string, kind int, size int64) string {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "dial error"
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Minute))
	head := "POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	switch kind {
	case 0:
		head += fmt.Sprintf("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", size)
	case 1:
		head += "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
	case 2:
		head += fmt.Sprintf("Content-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n", size)
	}
	names := []string{"announced", "chunked", "multipart"}
	go func() {
		if _, err := io.WriteString(c, head); err != nil {
			return
		}
		buf := []byte(strings.Repeat("a", 64<<10))
		if kind == 1 {
			buf = []byte(fmt.Sprintf("%x\r\n%s\r\n", len(buf), buf))
		}
		for sent := int64(0); sent < size; sent += 64 << 10 {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return names[kind] + " no answer"
	}
	res.Body.Close()
	return fmt.Sprintf("%s %d", names[kind], res.StatusCode)
}

// slowBody holds a connection with a body sent a byte every two seconds
// for up to d; it says how it ended and how long it was held.
func slowBody(ctx context.Context, addr, ip string, d time.Duration) (string, time.Duration) {
	dl := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c, err := dl.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "dial error", 0
	}
	defer c.Close()
	t0 := time.Now()
	closed := make(chan struct{})
	go func() { io.Copy(io.Discard, c); close(closed) }() // the server's answer, or its close
	if _, err := io.WriteString(c, "POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"); err != nil {
		return "refused", 0
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	end := time.After(d)
	for {
		select {
		case <-closed:
			if held := time.Since(t0); held < time.Second {
				return "refused at once", held
			} else {
				return "cut off by the server", held
			}
		case <-end:
			return "still held at the end", time.Since(t0)
		case <-ctx.Done():
			return "still held at the timeout", time.Since(t0)
		case <-tick.C:
			c.Write([]byte("a"))
		}
	}
}
