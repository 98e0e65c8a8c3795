package main

import (
	"context"
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

// buildInfo returns version, commit and build date, falling back to the VCS stamp Go records.
func buildInfo() (v, c, d string) {
	v, c, d = version, commit, date
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	return v, c, d
}

func (m *Main) versionCmd(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	v, c, d := buildInfo()
	fmt.Fprintf(m.Stdout, "storeagent %s\ncommit %s\nbuilt %s\n%s %s/%s\n", v, c, d, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
