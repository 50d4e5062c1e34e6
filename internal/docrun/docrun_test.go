package docrun_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/villagepost/bianmin/internal/docrun"
)

func TestExtract(t *testing.T) {
	type cmd struct {
		line int
		text string
		mode docrun.Mode
		why  string
	}
	tests := []struct {
		name string
		md   string
		want []cmd
	}{
		{"OnlyShBlocks", "```text\nnot run\n```\n```go\nx := 1\n```\n```sh\nstation demo\n```\n",
			[]cmd{{8, "station demo", docrun.Succeeds, ""}}},
		{"CommentsAndBlankLinesSkipped", "```sh\n# a comment\n\nstation demo   # makes the demo\n```\n",
			[]cmd{{4, "station demo   # makes the demo", docrun.Succeeds, ""}}},
		{"Continuation", "```sh\npostoffice enrol --dir po \\\n    --station T0001\nstation key --dir shop\n```\n",
			[]cmd{{2, "postoffice enrol --dir po \\\n    --station T0001", docrun.Succeeds, ""}, {4, "station key --dir shop", docrun.Succeeds, ""}}},
		{"Markers", "```sh\nstation ledger verify   # fails: no --dir\ngo run ./cmd/station serve   # runs until stopped\n./test.sh  # not run here: it runs this test\n```\n",
			[]cmd{
				{2, "station ledger verify   # fails: no --dir", docrun.Fails, "no --dir"},
				{3, "go run ./cmd/station serve   # runs until stopped", docrun.Serves, ""},
				{4, "./test.sh  # not run here: it runs this test", docrun.NotRun, "it runs this test"},
			}},
		{"ShBlockInsideLongerFence", "````markdown\n```sh\nnot a command\n```\n````\n", nil},
		{"TildeFence", "~~~sh\nstation demo\n~~~\n", []cmd{{2, "station demo", docrun.Succeeds, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, err := docrun.Extract("doc.md", []byte(tt.md))
			if err != nil {
				t.Fatal(err)
			}
			var got []cmd
			for _, c := range cmds {
				got = append(got, cmd{c.Line, c.Text, c.Mode, c.Why})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Extract =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestExtractRefuses(t *testing.T) {
	for name, md := range map[string]string{
		"UnclosedBlock":       "```sh\nstation demo\n",
		"DanglingBackslash":   "```sh\nstation demo \\\n```\n",
		"FailsWithoutReason":  "```sh\nstation demo # fails:\n```\n",
		"NotRunWithoutReason": "```sh\n./test.sh # not run here\n```\n",
		"MarkedExport":        "```sh\nexport A=1 # fails: no\n```\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := docrun.Extract("doc.md", []byte(md))
			var se *docrun.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("Extract(%q) = %v, want a *SyntaxError", md, err)
			}
		})
	}
}
