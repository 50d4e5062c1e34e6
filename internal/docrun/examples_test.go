package docrun_test

// TestDocExamples runs every example command of README.md and docs/*.md
// exactly as written, in order, one document at a time. The rule for
// what is an example and how it may be marked is in the package comment
// (docrun.go) and in docs/architecture.md:
//
//   - only ```sh blocks; one command a line (a trailing backslash
//     continues it); "#" lines and blank lines skipped;
//   - "# fails: WHY" must exit non-zero and say something;
//   - "# runs until stopped" must print an http:// address that answers;
//     it is stopped (SIGINT) at the end of its block;
//   - "# not run here: WHY" is not run, but its program must exist;
//   - "export ..." lines carry into the document's later commands.
//
// Each document runs in a fresh temporary folder that links to the
// repository's tracked top-level files and folders, so "go run ./cmd/…"
// and paths like tariff/demo-tariff.json work, and whatever the commands
// make (demo-station, po, shop, …) stays in the temporary folder. The
// three programs are built once into a folder put first on PATH, so
// "station …", "postoffice …" and "hostsim …" run as typed. HOME is a
// temporary folder, nothing is read from standard input, and no STATION_*
// or POSTOFFICE_* variable of the person running the test leaks in: a
// document sets what it needs with export, as its reader would.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/villagepost/bianmin/internal/docrun"
)

// patience bounds how long one command may take before the test gives
// up on it; it is a guard against a hang, not a timing assertion.
const patience = 5 * time.Minute

func TestDocExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the programs and runs every documented command")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(docs)
	docs = append([]string{filepath.Join(root, "README.md")}, docs...)

	var all [][]docrun.Command
	for _, path := range docs {
		md, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		cmds, err := docrun.Extract(rel, md)
		if err != nil {
			t.Fatal(err)
		}
		if len(cmds) > 0 {
			all = append(all, cmds)
		}
	}
	if len(all) == 0 || all[0][0].Doc != "README.md" {
		t.Fatal("README.md has no example commands")
	}

	env := newEnv(t, root)
	for _, cmds := range all {
		t.Run(cmds[0].Doc, func(t *testing.T) { runDoc(t, root, env, cmds) })
	}
}

// newEnv builds the programs and returns the environment the examples
// run in.
func newEnv(t *testing.T, root string) []string {
	t.Helper()
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+string(filepath.Separator), "./cmd/station", "./cmd/postoffice", "./cmd/hostsim")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The Go settings are pinned as they are now, so that a HOME of its
	// own neither empties the build cache nor downloads modules again.
	goenv := exec.Command("go", "env", "-json", "GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GONOSUMDB", "GOTOOLCHAIN", "GOROOT")
	goenv.Dir = root
	out, err := goenv.Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	var settings map[string]string
	if err := json.Unmarshal(out, &settings); err != nil {
		t.Fatalf("go env: %v", err)
	}
	env := []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"TMPDIR=" + os.TempDir(),
		"LANG=C.UTF-8",
	}
	for k, v := range settings {
		env = append(env, k+"="+v)
	}
	return env
}

// workdir makes a fresh folder that links to the repository's tracked
// top-level entries (all of them but hidden ones when git cannot say).
func workdir(t *testing.T, root string) string {
	t.Helper()
	work := t.TempDir()
	var names []string
	ls := exec.Command("git", "ls-files", "-z")
	ls.Dir = root
	if out, err := ls.Output(); err == nil {
		seen := map[string]bool{}
		for _, p := range strings.Split(string(out), "\x00") {
			if name, _, _ := strings.Cut(p, "/"); name != "" && !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	} else {
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			names = append(names, e.Name())
		}
	}
	for _, name := range names {
		if strings.HasPrefix(name, ".") {
			continue
		}
		if _, err := os.Lstat(filepath.Join(root, name)); err != nil {
			continue // tracked but deleted in this work tree
		}
		if err := os.Symlink(filepath.Join(root, name), filepath.Join(work, name)); err != nil {
			t.Fatal(err)
		}
	}
	return work
}

// runDoc runs one document's commands in order; the first one that does
// not do what it should stops the document, as it would stop a reader.
func runDoc(t *testing.T, root string, env []string, cmds []docrun.Command) {
	work := workdir(t, root)
	var exports []string
	var servers []*server
	stopAll := func() {
		for _, s := range servers {
			s.stop(t)
		}
		servers = nil
	}
	defer stopAll()
	block := cmds[0].Block
	for _, c := range cmds {
		if c.Block != block {
			stopAll()
			block = c.Block
		}
		script := strings.Join(append(exports[:len(exports):len(exports)], c.Text), "\n")
		switch c.Mode {
		case docrun.Succeeds:
			code, out := runCommand(work, env, script)
			if code != 0 {
				t.Fatalf("%s\nexit %d, want 0:\n%s", c, code, out)
			}
			if c.Export() {
				exports = append(exports, c.Text)
			}
		case docrun.Fails:
			code, out := runCommand(work, env, script)
			if code <= 0 || strings.TrimSpace(out) == "" {
				t.Fatalf("%s\nexit %d with %q; want a refusal (non-zero exit and a message): %s", c, code, out, c.Why)
			}
		case docrun.Serves:
			s, err := serve(work, env, script)
			if err != nil {
				t.Fatalf("%s\n%v", c, err)
			}
			servers = append(servers, s)
		case docrun.NotRun:
			if err := exists(work, env, c.Text); err != nil {
				t.Fatalf("%s\n%v", c, err)
			}
		}
	}
}

// shell returns the command that runs script in work, in a process group
// of its own so that all it starts can be stopped together.
func shell(ctx context.Context, work string, env []string, script string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = work, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// runCommand runs script and returns its exit status (-1: it did not
// exit by itself) and what it printed.
func runCommand(work string, env []string, script string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	cmd := shell(ctx, work, env, script)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case ctx.Err() != nil:
		return -1, string(out) + "\n(stopped after " + patience.String() + ")"
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode(), string(out)
	}
	return -1, string(out) + "\n" + err.Error()
}

var addrRe = regexp.MustCompile(`https?://[^\s/]+`)

// server is a command that runs until stopped.
type server struct {
	cmd  *exec.Cmd
	done chan error
	out  *lockedBuffer
	text string
}

// serve starts script, waits for it to print an address and checks that
// the address answers.
func serve(work string, env []string, script string) (*server, error) {
	cmd := shell(context.Background(), work, env, script)
	out := &lockedBuffer{}
	cmd.Stderr = out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan error, 1), out: out, text: script}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.Write(append(sc.Bytes(), '\n'))
			if a := addrRe.FindString(sc.Text()); a != "" {
				select {
				case addr <- a:
				default:
				}
			}
		}
		s.done <- cmd.Wait()
	}()
	var url string
	select {
	case url = <-addr:
	case err := <-s.done:
		return nil, fmt.Errorf("it stopped before it served (%v):\n%s", err, out)
	case <-time.After(patience):
		s.kill()
		return nil, fmt.Errorf("it printed no http:// address:\n%s", out)
	}
	client := &http.Client{Timeout: patience, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url + "/")
	if err != nil {
		s.kill()
		return nil, fmt.Errorf("%s does not answer: %v\n%s", url, err, out)
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		s.kill()
		return nil, fmt.Errorf("%s answers %s\n%s", url, resp.Status, out)
	}
	return s, nil
}

// stop interrupts the server as Ctrl+C would and waits for it to end.
func (s *server) stop(t *testing.T) {
	t.Helper()
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(patience):
		s.kill()
		t.Errorf("%s\ndid not stop on Ctrl+C:\n%s", s.text, s.out)
	}
}

func (s *server) kill() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}

// exists checks that the program of a command that is not run is there:
// an executable file for a path, else a command bash can find.
func exists(work string, env []string, text string) error {
	prog := strings.Fields(text)[0]
	if strings.Contains(prog, "/") {
		fi, err := os.Stat(filepath.Join(work, prog))
		if err != nil {
			return err
		}
		if fi.Mode()&0o111 == 0 {
			return fmt.Errorf("%s is not executable", prog)
		}
		return nil
	}
	if code, out := runCommand(work, env, "command -v "+prog); code != 0 {
		return fmt.Errorf("no program %s: %s", prog, out)
	}
	return nil
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
