// Command mkpkg builds the storeagent .deb and .rpm packages for amd64, arm64 and armhf with nfpm:
//
//	go run -C packaging/pkgbuild ./cmd/mkpkg -version 1.2.3 -commit $(git rev-parse HEAD) -out ../../dist
//
// It lives in its own module (packaging/pkgbuild), so nfpm stays out of the agent's module graph;
// -C runs it from there, and -root (default ../.., the repository) and -out are taken relative to that
// folder. No network access is needed beyond the Go module proxy or cache.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/storeagent/storeagent/packaging/pkgbuild"
)

func main() {
	version := flag.String("version", "0.0.0-dev", "package and binary version")
	commit := flag.String("commit", "", "git commit stamped into the binary")
	date := flag.String("date", "", "build date, RFC 3339 (default: $SOURCE_DATE_EPOCH or now)")
	out := flag.String("out", "dist", "output folder")
	arches := flag.String("arch", "amd64,arm64,armhf", "comma-separated targets")
	formats := flag.String("formats", "deb,rpm", "comma-separated package formats")
	root := flag.String("root", "../..", "repository root (holds the agent's go.mod)")
	flag.Parse()
	for _, p := range []*string{root, out} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkpkg:", err)
			os.Exit(2)
		}
		*p = abs
	}
	t, err := buildDate(*date)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkpkg:", err)
		os.Exit(2)
	}
	for _, arch := range strings.Split(*arches, ",") {
		paths, err := pkgbuild.Build(context.Background(), pkgbuild.Options{
			Root: *root, OutDir: *out, Version: *version, Commit: *commit, Date: t,
			Arch: arch, Formats: strings.Split(*formats, ","),
		})
		for _, p := range paths {
			fmt.Println(p)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkpkg:", err)
			os.Exit(1)
		}
	}
}

// buildDate parses -date, else $SOURCE_DATE_EPOCH (reproducible-builds.org), else now.
func buildDate(s string) (time.Time, error) {
	if s != "" {
		return time.Parse(time.RFC3339, s)
	}
	if e := os.Getenv("SOURCE_DATE_EPOCH"); e != "" {
		var sec int64
		if _, err := fmt.Sscan(e, &sec); err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", e, err)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	return time.Now().UTC().Truncate(time.Second), nil
}
