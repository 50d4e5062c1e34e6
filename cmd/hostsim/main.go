// Command hostsim serves the simulated bank, billers and carriers over
// HTTP for station terminals and their tests (docs/host-protocol.md).
//
//	hostsim [--addr 127.0.0.1:8090] [--journal hostsim-journal.jsonl]
//	        [--fault SPEC]... [--card-balance 5000.00] [--public]
//	hostsim --version
//
// It binds a loopback address unless --public is given, prints one first
// line "hostsim listening on http://HOST:PORT" to standard output, logs
// each decision (never a card number or PIN) to standard error, and stops
// cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/shopspring/decimal"
	"github.com/villagepost/bianmin/hostsim"
	"github.com/villagepost/bianmin/internal/version"
	"github.com/villagepost/bianmin/money"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Args: os.Args[1:]}
	os.Exit(m.Run(ctx))
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // could not start or serve
	exitUsage  = 2 // the command line was wrong
)

// Main is one run of the program, with what it touches outside itself
// injected so that tests run it in-process.
type Main struct {
	Stdout, Stderr io.Writer
	Args           []string
	Now            func() time.Time // nil: time.Now
}

// config is what the command line asks for.
type config struct {
	addr, journal string
	faults        []hostsim.Fault
	cardBalance   decimal.Decimal
	public        bool
	version       bool
}

func (m *Main) parse() (config, error) {
	c := config{cardBalance: hostsim.DefaultCardBalance()}
	fs := flag.NewFlagSet("hostsim", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8090", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&c.journal, "journal", "hostsim-journal.jsonl", "the hosts' journal (JSONL), replayed at start")
	fs.Func("fault", "a fault to inject, e.g. withdrawal=decline:51, bank=down, bill_payment=drop#1 (repeatable)", func(s string) error {
		f, err := hostsim.ParseFault(s)
		if err == nil {
			c.faults = append(c.faults, f)
		}
		return err
	})
	fs.Func("card-balance", "what every card holds at first (default 5000.00)", func(s string) error {
		d, err := money.Parse("card-balance", s, money.Limits{})
		if err == nil {
			c.cardBalance = d
		}
		return err
	})
	fs.BoolVar(&c.public, "public", false, "allow an address that is not loopback")
	fs.BoolVar(&c.version, "version", false, "print the program's version and stop")
	if err := fs.Parse(m.Args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.version {
		return c, nil
	}
	if !c.public && !loopback(c.addr) {
		return c, fmt.Errorf("--addr %s is not a loopback address: the simulator takes card numbers and PINs in clear; give --public to serve it anyway", c.addr)
	}
	return c, nil
}

// loopback reports whether addr names only this machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Run serves until ctx is done and returns the exit status.
func (m *Main) Run(ctx context.Context) int {
	c, err := m.parse()
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(m.Stderr, "hostsim:", err)
		return exitUsage
	}
	if c.version {
		fmt.Fprintln(m.Stdout, version.String("hostsim"))
		return exitOK
	}
	if err := m.serve(ctx, c); err != nil {
		fmt.Fprintln(m.Stderr, err)
		return exitFailed
	}
	return exitOK
}

func (m *Main) serve(ctx context.Context, c config) error {
	logf := func(format string, args ...any) { fmt.Fprintf(m.Stderr, format+"\n", args...) }
	sim, err := hostsim.Open(c.journal, &hostsim.Options{Now: m.Now, CardBalance: c.cardBalance, Faults: c.faults, Logf: logf})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		sim.Close()
		return fmt.Errorf("hostsim: listen: %w", err)
	}
	srv := &http.Server{Handler: hostsim.NewHandler(sim), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(m.Stdout, "hostsim listening on http://%s\n", ln.Addr())
	for _, f := range c.faults {
		logf("hostsim: fault %s in force", f)
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	// Close the simulator first: that ends every hanging call, so the
	// server's shutdown need not wait for them.
	err = sim.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		srv.Close()
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("hostsim: serve: %w", serveErr)
	}
	if err != nil {
		return err
	}
	logf("hostsim: stopped")
	return nil
}
