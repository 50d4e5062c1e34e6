package version_test

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/villagepost/bianmin/internal/version"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"ReleasedModule", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}},
			"station v1.2.0 go1.26.8"},
		{"CleanCheckout", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "3eb26bc0a1f2c3d4e5f60718293a4b5c6d7e8f90"}, {Key: "vcs.modified", Value: "false"}}},
			"station (devel) 3eb26bc0a1f2 go1.26.8"},
		{"ModifiedCheckout", debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "3eb26bc0a1f2c3d4e5f60718293a4b5c6d7e8f90"}, {Key: "vcs.modified", Value: "true"}}},
			"station (devel) 3eb26bc0a1f2 modified go1.26.8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := version.Format("station", &tt.info); got != tt.want {
				t.Errorf("Format = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStringNamesTheProgram(t *testing.T) {
	if got := version.String("postoffice"); !strings.HasPrefix(got, "postoffice ") {
		t.Errorf("String = %q, want it to start with the program's name", got)
	}
}
