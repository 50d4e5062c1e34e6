package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/villagepost/bianmin/internal/pgtest"
	"github.com/villagepost/bianmin/keyfile"
	"github.com/villagepost/bianmin/postapi"
	"github.com/villagepost/bianmin/settlement"
	"golang.org/x/mod/sumdb/note"
)

// tools builds the postoffice program and bench/region (the region
// generator of the benchmarks) into a folder of the test's.
func tools(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the programs and runs servers")
	}
	bin := t.TempDir()
	cmd := exec.Command("go", "build", "-o", bin+string(filepath.Separator), "./cmd/postoffice", "./bench/region")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// regionStationKey is the signing key bench/region gives station id
// (bench/region/station.go).
func regionStationKey(id string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("bianmin-bench-region-" + id))
	return ed25519.NewKeyFromSeed(seed[:])
}

// program runs a built program and returns what it printed; it must
// exit 0.
func program(t *testing.T, env []string, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out)
}

var servingAt = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)

// serveProcess starts postoffice serve on a free loopback port and
// returns its address; it is interrupted (as Ctrl+C) when the test ends.
func serveProcess(t *testing.T, env []string, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	var logMu sync.Mutex
	cmd.Stderr = writerFunc(func(p []byte) (int, error) { logMu.Lock(); defer logMu.Unlock(); return log.Write(p) })
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a := servingAt.FindString(sc.Text()); a != "" {
				select {
				case addr <- a:
				default:
				}
			}
		}
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			<-done
			t.Errorf("postoffice serve did not stop on SIGINT")
		}
		logMu.Lock()
		defer logMu.Unlock()
		if t.Failed() {
			t.Logf("postoffice serve %s said:\n%s", strings.Join(args, " "), log.String())
		}
	})
	select {
	case a := <-addr:
		return a
	case err := <-done:
		t.Fatalf("postoffice serve stopped: %v\n%s", err, log.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("postoffice serve printed no address")
	}
	return ""
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestTwoServersOneDatabase: two postoffice serve processes, each with
// its own folder (the same key in it), share one PostgreSQL database.
// Six stations send their four days to both servers at once, each
// station in an order of its own (days before the day they follow,
// too). Every day is accepted exactly once and none is lost; both
// servers give the same acknowledgements; a request one server took is
// refused by the other as a replay. Then the database drops the
// connection of an import that is under way: that file is not accepted,
// and sending it again succeeds. Last, each accepted day file and
// acknowledgement is had from either server, whichever accepted the day:
// a clerk's copy of the file, the acknowledgements of a USB stick, the
// files a retirement reads; and the hand-over document of a successor
// enrolled on one server comes from the other.
func TestTwoServersOneDatabase(t *testing.T) {
	bin := tools(t)
	db := pgtest.DB(t)
	const passphrase = "two servers passphrase"
	env := append(os.Environ(), "POSTOFFICE_PASSPHRASE="+passphrase, "POSTOFFICE_DB="+db, "POSTOFFICE_LANG=en")
	po := filepath.Join(bin, "postoffice")
	data := filepath.Join(t.TempDir(), "region")
	// Five days each: the first four are sent to both servers; the first
	// station's fifth is kept for the dropped connection.
	program(t, env, filepath.Join(bin, "region"), "generate", "--out", data, "--stations", "6", "--days", "5", "--entries", "30", "--inject", "0")

	dirA, dirB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	program(t, env, po, "init", "--dir", dirA, "--name", "province-postoffice")
	program(t, env, po, "tariff", "sign", "--dir", dirA, "--out", filepath.Join(dirA, "tariff.signed"), filepath.Join("..", "..", "tariff", "demo-tariff.json"))
	keys, err := os.ReadFile(filepath.Join(data, "keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(string(keys)), "\n") {
		id, key, _ := strings.Cut(line, " ")
		ids = append(ids, id)
		program(t, env, po, "enrol", "--dir", dirA, "--station", id, "--pubkey", key, "--franchisee", "店主 "+id, "--deposit", "20000.00", "--tariff", filepath.Join(dirA, "tariff.signed"))
	}
	// The second server's folder: the same key, its own archive and
	// acknowledgements.
	if err := os.MkdirAll(dirB, 0o700); err != nil {
		t.Fatal(err)
	}
	keyFileData, err := os.ReadFile(filepath.Join(dirA, keyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirB, keyFile), keyFileData, 0o600); err != nil {
		t.Fatal(err)
	}
	vkey := strings.TrimSpace(program(t, env, po, "key", "--dir", dirA))
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	urls := []string{serveProcess(t, env, po, "--dir", dirA), serveProcess(t, env, po, "--dir", dirB)}
	client := func(url, id string) *postapi.Client {
		return &postapi.Client{URL: url, Station: id, Key: regionStationKey(id), PostOffice: verifier, HTTP: &http.Client{Timeout: time.Minute}}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	// send sends a file until a server answers what it decided, and
	// returns the answer.
	send := func(c *postapi.Client, body []byte) (postapi.Outcome, error) {
		for {
			out, err := c.Upload(ctx, body)
			if err == nil {
				return out, nil
			}
			if ctx.Err() != nil {
				return out, err
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	var (
		mu       sync.Mutex
		accepted = map[string]int{} // station day → times accepted
		answers  = map[string]int{} // result → count
		failures []error
		wg       sync.WaitGroup
	)
	total := 0
	var fifth string
	for i, id := range ids {
		files, err := filepath.Glob(filepath.Join(data, "settlements", id+"-*.bms"))
		if err != nil || len(files) != 5 {
			t.Fatalf("%s: files %v %v", id, files, err)
		}
		sort.Strings(files)
		if i == 0 {
			fifth = files[4]
		}
		files = files[:4]
		total += len(files)
		rng := rand.New(rand.NewPCG(uint64(i), 17))
		rng.Shuffle(len(files), func(a, b int) { files[a], files[b] = files[b], files[a] })
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, path := range files {
				body, err := os.ReadFile(path)
				if err != nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
					return
				}
				var both sync.WaitGroup
				for _, url := range urls {
					both.Add(1)
					go func() {
						defer both.Done()
						out, err := send(client(url, id), body)
						mu.Lock()
						defer mu.Unlock()
						if err != nil {
							failures = append(failures, fmt.Errorf("%s %s to %s: %w", id, filepath.Base(path), url, err))
							return
						}
						for _, o := range append([]postapi.Outcome{out}, out.Also...) {
							answers[o.Result]++
							if o.Result == postapi.Accepted {
								accepted[o.Station+" "+o.Day]++
							}
						}
						if out.Result == postapi.Refused {
							failures = append(failures, fmt.Errorf("%s %s refused by %s: %s", id, filepath.Base(path), url, out.EN))
						}
					}()
				}
				both.Wait()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(failures...); err != nil {
		t.Fatal(err)
	}
	t.Logf("answers: %v", answers)
	if len(accepted) != total {
		t.Errorf("%d days accepted, want all %d", len(accepted), total)
	}
	for day, n := range accepted {
		if n != 1 {
			t.Errorf("%s accepted %d times", day, n)
		}
	}
	if answers[postapi.Held] == 0 {
		t.Errorf("no day came before the day it follows (%v): the orders do not test what they should", answers)
	}
	// Both servers give every station the same acknowledgements: one per
	// day, each signed by the post office.
	for _, id := range ids {
		var lists [2][][]byte
		for i, url := range urls {
			acks, err := client(url, id).Acks(ctx, "")
			if err != nil {
				t.Fatalf("acks of %s from %s: %v", id, url, err)
			}
			lists[i] = acks
		}
		if fmt.Sprint(lists[0]) != fmt.Sprint(lists[1]) || len(lists[0]) != 4 {
			t.Errorf("%s: the servers acknowledge %d and %d days, or differently", id, len(lists[0]), len(lists[1]))
		}
		days := map[string]bool{}
		for _, a := range lists[0] {
			ack, err := settlement.OpenAck(a, verifier)
			if err != nil || ack.Station != id || days[ack.Day] {
				t.Errorf("%s: acknowledgement %q: %v", id, a, err)
			}
			days[ack.Day] = true
		}
	}

	t.Run("ReconciledOnceSeenByBoth", func(t *testing.T) {
		// A day reconciled from the first server's folder against a
		// journal that has none of the day's requests: every request of
		// the day is an exception, and both servers give each station
		// the same ones.
		acks, err := client(urls[0], ids[0]).Acks(ctx, "")
		if err != nil || len(acks) == 0 {
			t.Fatalf("acks: %v", err)
		}
		ack, err := settlement.OpenAck(acks[0], verifier)
		if err != nil {
			t.Fatal(err)
		}
		empty := filepath.Join(t.TempDir(), "bank.jsonl")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(po, "reconcile", "--dir", dirA, "--date", ack.Day, "--host-journal", empty)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 3 {
			t.Fatalf("postoffice reconcile: %v, want exit status 3 (exceptions)\n%s", err, out)
		}
		for _, id := range ids {
			var got [2]string
			for i, url := range urls {
				res, err := client(url, id).Results(ctx, ack.Day[:7])
				if err != nil {
					t.Fatalf("results of %s from %s: %v", id, url, err)
				}
				if len(res.Exceptions) == 0 {
					t.Errorf("%s from %s: no exceptions, want every request of %s", id, url, ack.Day)
				}
				got[i] = fmt.Sprint(res.Exceptions)
			}
			if got[0] != got[1] {
				t.Errorf("%s: the servers give different exceptions:\n%s\n%s", id, got[0], got[1])
			}
		}
	})

	t.Run("ReplayToTheOtherServer", func(t *testing.T) {
		req := func(url string) *http.Request {
			r, err := http.NewRequestWithContext(ctx, http.MethodGet, url+postapi.PathAcks, nil)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		a, b := req(urls[0]), req(urls[1])
		postapi.Sign(a.Header, regionStationKey(ids[0]), ids[0], http.MethodGet, postapi.PathAcks, time.Now(), "0123456789abcdef0123456789abcdef", nil)
		b.Header = a.Header.Clone()
		for i, r := range []*http.Request{a, b} {
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case i == 0 && resp.StatusCode != http.StatusOK:
				t.Fatalf("the first server: %s %s", resp.Status, body)
			case i == 1 && (resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), postapi.RuleReplayed)):
				t.Errorf("the same request to the second server: %s %s; want it refused as a replay", resp.Status, body)
			}
		}
	})

	t.Run("ConnectionDroppedMidImport", func(t *testing.T) {
		// The first station's fifth day, which no server has seen.
		body, err := os.ReadFile(fifth)
		if err != nil {
			t.Fatal(err)
		}
		f, err := settlement.Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		admin, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close(context.Background())
		// Hold the station's row, so that the server's import waits
		// inside its transaction, then drop the server's connection.
		lock, err := admin.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lock.Exec(ctx, "SELECT 1 FROM stations WHERE station_id = $1 FOR UPDATE", ids[0]); err != nil {
			t.Fatal(err)
		}
		type answer struct {
			out postapi.Outcome
			err error
		}
		first := make(chan answer, 1)
		go func() {
			out, err := client(urls[0], ids[0]).Upload(ctx, body)
			first <- answer{out, err}
		}()
		observer, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer observer.Close(context.Background())
		var killed bool
		for deadline := time.Now().Add(time.Minute); !killed && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			err := observer.QueryRow(ctx, `SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> $1 AND wait_event_type = 'Lock'`, lock.Conn().PgConn().PID()).Scan(&killed)
			if err != nil {
				t.Fatal(err)
			}
		}
		if !killed {
			t.Fatal("the server's import never waited on the station's row")
		}
		got := <-first
		var refusal *postapi.Error
		if got.err == nil || !errors.As(got.err, &refusal) || refusal.Rule != postapi.RuleBusy {
			t.Errorf("the import whose connection was dropped: %+v %v; want a busy answer", got.out, got.err)
		}
		if err := lock.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := observer.QueryRow(ctx, "SELECT count(*) FROM days WHERE station_id = $1 AND day = $2::date", ids[0], f.Day).Scan(&n); err != nil || n != 0 {
			t.Fatalf("after the dropped import the day is recorded %d times (%v); want none", n, err)
		}
		out, err := client(urls[0], ids[0]).Upload(ctx, body)
		if err != nil || out.Result != postapi.Accepted {
			t.Errorf("sent again: %+v %v; want accepted", out, err)
		}
	})

	t.Run("FilesAndAcksFromTheRegistry", func(t *testing.T) {
		// Each day was accepted by one server or the other, and copied
		// to that one's folder only; the registry keeps them all.
		id := ids[1]
		files, err := filepath.Glob(filepath.Join(data, "settlements", id+"-*.bms"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		files = files[:4]
		inFolder := [2]int{}
		for _, path := range files {
			sent, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := settlement.Parse(sent)
			if err != nil {
				t.Fatal(err)
			}
			name := id + "-" + strings.ReplaceAll(f.Day, "-", "")
			for i, dir := range []string{dirA, dirB} {
				if _, err := os.Stat(filepath.Join(dir, "archive", id, name+".bms")); err == nil {
					inFolder[i]++
				}
				// A clerk on either server gets the file as sent.
				out := filepath.Join(t.TempDir(), name+".bms")
				program(t, env, po, "dayfile", "--dir", dir, "--station", id, "--day", f.Day, "--out", out)
				if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, sent) {
					t.Errorf("postoffice dayfile on %s for %s: %d bytes, %v; want the %d sent", dir, name, len(got), err, len(sent))
				}
			}
		}
		t.Logf("%s's days in the folders: %v", id, inFolder)
		// The station's days brought to the second server by USB stick
		// (replays now, whichever server accepted them): every
		// acknowledgement comes out in its acks/ for the stick.
		usb := t.TempDir()
		for _, path := range files {
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(usb, filepath.Base(path)), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		acksB := filepath.Join(t.TempDir(), "acks")
		program(t, env, po, "import", "--dir", dirB, "--acks", acksB, usb)
		acks, err := client(urls[1], id).Acks(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range acks {
			ack, err := settlement.OpenAck(a, verifier)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(acksB, id+"-"+strings.ReplaceAll(ack.Day, "-", "")+".ack"))
			if err != nil || !bytes.Equal(got, a) {
				t.Errorf("the USB stick's acknowledgement of %s: %q, %v; want the registry's", ack.Day, got, err)
			}
		}
		// The second server retires a station whose days the first
		// accepted too (last, since the station is gone after it): what
		// it owes villagers is read from the registry's files, all of
		// them.
		program(t, env, po, "retire", "--dir", dirB, "--station", ids[2])

		// Its successor, enrolled on the second server, gets its
		// hand-over document from the first with its results: the bytes
		// of the file the second wrote for a USB stick.
		const successor = "T0099"
		successorKey := regionStationKey(successor)
		pub, err := keyfile.VerifierKey(successor, successorKey.Public().(ed25519.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		program(t, env, po, "enrol", "--dir", dirB, "--station", successor, "--pubkey", pub, "--franchisee", "接手人",
			"--deposit", "20000.00", "--tariff", filepath.Join(dirA, "tariff.signed"), "--succeeds", ids[2])
		doc, err := os.ReadFile(filepath.Join(dirB, "handover", ids[2]+"-"+successor+".handover"))
		if err != nil {
			t.Fatal(err)
		}
		for _, url := range urls {
			res, err := client(url, successor).Results(ctx, time.Now().Format("2006-01"))
			if err != nil || len(res.Handovers) != 1 || res.Handovers[0] != string(doc) {
				t.Errorf("the successor's results from %s: %v, %d documents; want the USB file's", url, err, len(res.Handovers))
			}
			res, err = client(url, ids[3]).Results(ctx, time.Now().Format("2006-01"))
			if err != nil || len(res.Handovers) != 0 {
				t.Errorf("a station that took over from nobody, from %s: %v, %d documents", url, err, len(res.Handovers))
			}
		}
	})
}
