// Package version says which build of a program is running, for --version:
// the module version Go recorded at build time and, when the build came
// from a git checkout, the commit it was built from.
package version

import (
	"runtime/debug"
	"strings"
)

// String returns one line for program, e.g.
// "station (devel) 3eb26bc0a1f2 modified go1.26.8". It reads the build
// information the Go toolchain embeds; a binary built without it says
// "unknown".
func String(program string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return program + " unknown"
	}
	return Format(program, info)
}

// Format is String for given build information: the main module's
// version, then the VCS revision (12 characters) and "modified" when the
// work tree had uncommitted changes, then the Go version.
func Format(program string, info *debug.BuildInfo) string {
	parts := []string{program}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	parts = append(parts, v)
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		parts = append(parts, rev)
		if modified == "true" {
			parts = append(parts, "modified")
		}
	}
	if info.GoVersion != "" {
		parts = append(parts, info.GoVersion)
	}
	return strings.Join(parts, " ")
}
