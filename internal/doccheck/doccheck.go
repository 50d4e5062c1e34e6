// Package doccheck finds the examples in the format pages of docs/ that
// say which file they were made from, so that tests can check them
// against that file and the pages cannot drift from what the code makes.
//
// An example is a fenced code block right after a line of the form
//
//	<!-- doc-check: <check> <argument>… -->
//
// The check names what the test compares; the arguments are usually a
// path from the repository root.
package doccheck

import (
	"fmt"
	"os"
	"strings"
)

// Block is one example of a page.
type Block struct {
	Check string   // the word after "doc-check:"
	Args  []string // the words after it
	Line  int      // the marker's line in the page, from 1
	Lines []string // the lines inside the fence
}

func (b Block) String() string {
	return fmt.Sprintf("line %d (%s %s)", b.Line, b.Check, strings.Join(b.Args, " "))
}

const marker = "<!-- doc-check:"

// Read returns the examples of the page at path. A marker not followed by
// a fenced block is an error.
func Read(path string) ([]Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(data), "\n")
	var out []Block
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, marker) {
			continue
		}
		words := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(l, marker), "-->"))
		if len(words) == 0 || !strings.HasSuffix(l, "-->") {
			return nil, fmt.Errorf("%s:%d: a doc-check marker names no check", path, i+1)
		}
		b := Block{Check: words[0], Args: words[1:], Line: i + 1}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			return nil, fmt.Errorf("%s:%d: no fenced block after the doc-check marker", path, i+1)
		}
		j := i + 2
		for ; j < len(lines) && !strings.HasPrefix(lines[j], "```"); j++ {
			b.Lines = append(b.Lines, lines[j])
		}
		if j == len(lines) {
			return nil, fmt.Errorf("%s:%d: the fenced block does not end", path, i+1)
		}
		out = append(out, b)
		i = j
	}
	return out, nil
}

// Match reports whether an example line stands for a real line: equal, or,
// when the example holds "…", the real line starts with what comes before
// it and ends with what comes after it, with something cut in between.
func Match(example, real string) bool {
	head, tail, cut := strings.Cut(example, "…")
	if !cut {
		return example == real
	}
	return len(real) > len(head)+len(tail) && strings.HasPrefix(real, head) && strings.HasSuffix(real, tail)
}

// Whole checks that the example is the real text line for line.
func Whole(example, real []string) error {
	if len(example) != len(real) {
		return fmt.Errorf("the example has %d lines, the file %d", len(example), len(real))
	}
	for i := range example {
		if !Match(example[i], real[i]) {
			return fmt.Errorf("example line %d %q, the file has %q", i+1, example[i], real[i])
		}
	}
	return nil
}

// InOrder checks that every example line stands for a real line, in the
// same order (other real lines may come between them).
func InOrder(example, real []string) error {
	j := 0
	for i, e := range example {
		for j < len(real) && !Match(e, real[j]) {
			j++
		}
		if j == len(real) {
			return fmt.Errorf("example line %d %q is not in the file (in this order)", i+1, e)
		}
		j++
	}
	return nil
}

// FileLines returns the lines of a text file, without the final newline.
func FileLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"), nil
}
