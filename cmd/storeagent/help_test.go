package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestMain_SubcommandHelp checks that -h on every subcommand, and `help CMD`, print that command's
// usage and flags on stdout and exit 0.
func TestMain_SubcommandHelp(t *testing.T) {
	for _, c := range commands() {
		for _, args := range [][]string{{c.name, "-h"}, {"help", c.name}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, out, stderr := runCLI(t, nil, args...)
				if code != 0 {
					t.Fatalf("exit %d, stderr %q; want 0", code, stderr)
				}
				if want := "usage: storeagent " + c.name; !strings.Contains(out, want) {
					t.Errorf("stdout %q; want it to contain %q", out, want)
				}
				if !strings.Contains(out, c.help) {
					t.Errorf("stdout %q; want the command's description %q", out, c.help)
				}
				if strings.Contains(c.args, "-config") && !strings.Contains(out, "-config") {
					t.Errorf("stdout %q; want the -config flag listed", out)
				}
			})
		}
	}
	code, _, stderr := runCLI(t, nil, "help", "frobnicate")
	if code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Errorf("help frobnicate: exit %d, stderr %q", code, stderr)
	}
	code, out, _ := runCLI(t, nil, "-h")
	if code != 0 || !strings.Contains(out, "usage: storeagent") {
		t.Errorf("-h: exit %d, stdout %q", code, out)
	}
}

// TestBuildInfoFrom checks that a source build reports what the toolchain recorded.
func TestBuildInfoFrom(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	v, c, d := buildInfoFrom("dev", "", "", bi)
	if v != "dev" || c != "0123abcd+dirty" || d != "2026-12-01T10:00:00Z" {
		t.Errorf("git build: got %q %q %q; want dev 0123abcd+dirty 2026-12-01T10:00:00Z", v, c, d)
	}
	v, _, _ = buildInfoFrom("dev", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}})
	if v != "v1.4.0" {
		t.Errorf("go install @v1.4.0: version %q; want v1.4.0", v)
	}
	v, c, _ = buildInfoFrom("1.2.3", "feed", "", bi)
	if v != "1.2.3" || c != "feed" {
		t.Errorf("stamped build: got %q %q; want the stamp to win", v, c)
	}
	_, c, _ = buildInfoFrom("dev", "", "", &debug.BuildInfo{})
	if c == "unknown" || !strings.Contains(c, "not recorded") {
		t.Errorf("go run build: commit %q; want it to say why it is not recorded", c)
	}
}
