// Package doccheck finds the example commands in Markdown documents, so
// that a test can run each one exactly as written.
//
// The rule, the same for every document:
//
//   - Only fenced blocks whose info string is exactly "sh" hold
//     examples; other blocks (```text, ```go, a bare ```) are not run.
//   - In a block, each line is one command; a line ending in a backslash
//     continues on the next. Blank lines and lines that start with "#"
//     are skipped.
//   - A command ends, if need be, with one marker comment:
//     "# fails: WHY" (it must exit non-zero: a refusal being shown),
//     "# runs until stopped" (a server: it must print an http:// address
//     that answers; it is stopped at the end of its block), or
//     "# not run here: WHY" (never run by the test, e.g. test.sh itself;
//     its program must exist).
//   - A command that starts with "export " sets variables for the later
//     commands of the same document, as in one terminal session.
package docrun

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Mode is what a command is expected to do.
type Mode int

// The modes, chosen by a command's marker comment.
const (
	Succeeds Mode = iota // no marker: exits 0
	Fails                // "# fails: WHY": exits non-zero
	Serves               // "# runs until stopped": serves an http:// address until stopped
	NotRun               // "# not run here: WHY": not run by the test
)

func (m Mode) String() string {
	return [...]string{"succeeds", "fails", "serves", "not run"}[m]
}

// Command is one example command of a document.
type Command struct {
	Doc   string // the document's name, as given to Extract
	Line  int    // the line the command starts on, from 1
	Block int    // which sh block of the document, from 1
	Text  string // the command as written, continuation lines joined by newlines
	Mode  Mode
	Why   string // the reason given with "# fails:" or "# not run here:"
}

// Export reports whether the command sets variables for later commands.
func (c Command) Export() bool { return strings.HasPrefix(c.Text, "export ") }

func (c Command) String() string { return fmt.Sprintf("%s:%d: %s", c.Doc, c.Line, c.Text) }

// SyntaxError is a document whose sh blocks cannot be read as commands.
type SyntaxError struct {
	Doc  string
	Line int
	Rule string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Doc, e.Line, e.Rule) }

var (
	failsMarker  = regexp.MustCompile(`#\s*fails:\s*(\S.*)$`)
	servesMarker = regexp.MustCompile(`#\s*runs until stopped\s*$`)
	notRunMarker = regexp.MustCompile(`#\s*not run here:\s*(\S.*)$`)
	anyMarker    = regexp.MustCompile(`#\s*(fails|runs until stopped|not run here)\b`)
)

// Extract returns the example commands of the Markdown document md, in
// the order they appear.
func Extract(doc string, md []byte) ([]Command, error) {
	var (
		cmds    []Command
		inSh    bool // inside an sh block
		inOther bool // inside another fenced block
		fence   string
		block   int
		pending *Command // a command continued with a backslash
	)
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case inOther:
			if strings.HasPrefix(trimmed, fence) && strings.TrimLeft(trimmed, fence[:1]) == "" {
				inOther = false
			}
			continue
		case !inSh:
			if f := fenceOf(trimmed); f != "" {
				fence = f
				if strings.TrimSpace(strings.TrimPrefix(trimmed, f)) == "sh" {
					inSh, block = true, block+1
				} else {
					inOther = true
				}
			}
			continue
		}
		if strings.HasPrefix(trimmed, fence) && strings.TrimLeft(trimmed, fence[:1]) == "" {
			if pending != nil {
				return nil, &SyntaxError{doc, pending.Line, "the command's last line ends in a backslash"}
			}
			inSh = false
			continue
		}
		if pending != nil {
			pending.Text += "\n" + line
			if !strings.HasSuffix(line, `\`) {
				c, err := classify(*pending)
				if err != nil {
					return nil, err
				}
				cmds, pending = append(cmds, c), nil
			}
			continue
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		c := Command{Doc: doc, Line: n, Block: block, Text: strings.TrimRight(line, " \t")}
		if strings.HasSuffix(c.Text, `\`) {
			pending = &c
			continue
		}
		c, err := classify(c)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("doccheck: read %s: %w", doc, err)
	}
	if inSh {
		return nil, &SyntaxError{doc, 0, "an sh block is not closed"}
	}
	return cmds, nil
}

// fenceOf returns the fence a line opens (``` or ~~~, or longer), or "".
func fenceOf(trimmed string) string {
	for _, ch := range []string{"`", "~"} {
		n := len(trimmed) - len(strings.TrimLeft(trimmed, ch))
		if n >= 3 {
			return strings.Repeat(ch, n)
		}
	}
	return ""
}

// classify reads the marker at the end of a command's last line.
func classify(c Command) (Command, error) {
	last := c.Text[strings.LastIndex(c.Text, "\n")+1:]
	switch {
	case failsMarker.MatchString(last):
		c.Mode, c.Why = Fails, strings.TrimSpace(failsMarker.FindStringSubmatch(last)[1])
	case servesMarker.MatchString(last):
		c.Mode = Serves
	case notRunMarker.MatchString(last):
		c.Mode, c.Why = NotRun, strings.TrimSpace(notRunMarker.FindStringSubmatch(last)[1])
	case anyMarker.MatchString(last):
		return c, &SyntaxError{c.Doc, c.Line, `a marker is "# fails: WHY", "# runs until stopped" or "# not run here: WHY"`}
	}
	if c.Mode != Succeeds && c.Export() {
		return c, &SyntaxError{c.Doc, c.Line, "an export line cannot carry a marker"}
	}
	return c, nil
}
