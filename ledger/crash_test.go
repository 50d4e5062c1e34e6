package ledger_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/villagepost/bianmin/ledger"
)

// TestCrashMidAppend kills a process that is appending as fast as it can
// (SIGKILL, as a power cut would) and checks that every entry it reported as
// committed is there, that at most the one in flight is extra, and that the
// whole ledger still verifies.
func TestCrashMidAppend(t *testing.T) {
	if path := os.Getenv("LEDGER_CRASH_CHILD"); path != "" {
		appendForever(path)
		return
	}
	s, _ := MustCreate(t)
	path := s.Path()
	s.Close()
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashMidAppend$")
		cmd.Env = append(os.Environ(), "LEDGER_CRASH_CHILD="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		var reported uint64
		for lines.Scan() {
			n, err := strconv.ParseUint(lines.Text(), 10, 64)
			if err != nil {
				continue
			}
			reported = n
			if reported >= uint64(200*(round+1)) {
				break
			}
		}
		time.Sleep(time.Duration(round+1) * time.Millisecond)
		cmd.Process.Kill()
		for lines.Scan() {
			if n, err := strconv.ParseUint(lines.Text(), 10, 64); err == nil {
				reported = n
			}
		}
		cmd.Wait()
		if reported == 0 {
			t.Fatalf("round %d: the child committed nothing", round)
		}

		s, err := ledger.Open(path, nil)
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		last := s.Last().Seq
		if last < reported || last > reported+1 {
			t.Errorf("round %d: child reported entry %d committed, ledger ends at %d", round, reported, last)
		}
		r, err := s.VerifyAll()
		if err != nil {
			t.Errorf("round %d: verify after kill: %v", round, err)
		}
		b, _ := s.Balances()
		if want := amt(strconv.FormatUint(last-1, 10)); !b.Get("assets:cash").Equal(want) {
			t.Errorf("round %d: cash %s after %d cash-ins of 1.00", round, b.Get("assets:cash"), last-1)
		}
		t.Logf("round %d: killed after %d reported, ledger has %d, verified %d", round, reported, last, r.Entries)
		s.Close()
	}
}

func appendForever(path string) {
	s, err := ledger.Open(path, &ledger.Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := s.SetSigner(testKey); err != nil {
		os.Exit(2)
	}
	for {
		next := s.Last().Seq + 1
		e, _, err := s.Append(cashIn(fmt.Sprintf("crash-%d", next), "1.00"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(e.Seq)
	}
}
