package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Stamped with -ldflags "-X main.version=… -X main.commit=… -X main.date=…" by packaging.
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// buildInfo returns version, commit and build date: the packaging stamp first, else what the Go
// toolchain recorded in the binary (runtime/debug.ReadBuildInfo).
func buildInfo() (v, c, d string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return buildInfoFrom(version, commit, date, bi)
}

// buildInfoFrom fills what the -ldflags stamp left empty from bi: the module version of a
// `go install …@vX` build, the VCS revision (with "+dirty" when the tree had changes) and time of a
// `go build` in a git checkout. A build with neither (go run, -buildvcs=false) says so instead of a
// bare "unknown".
func buildInfoFrom(stampV, stampC, stampD string, bi *debug.BuildInfo) (v, c, d string) {
	v, c, d = stampV, stampC, stampD
	if bi != nil {
		if (v == "" || v == "dev") && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		dirty := false
		rev := ""
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				if d == "" {
					d = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if c == "" && rev != "" {
			c = rev
			if dirty {
				c += "+dirty"
			}
		}
	}
	if c == "" {
		c = "not recorded (go run or -buildvcs=false; go build in a git checkout records it)"
	}
	if d == "" {
		d = "not recorded"
	}
	return v, c, d
}

func (m *Main) versionCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("version takes no arguments")
	}
	v, c, d := buildInfo()
	fmt.Fprintf(m.Stdout, "storeagent %s\ncommit %s\nbuilt %s\n%s %s/%s\n", v, c, d, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
