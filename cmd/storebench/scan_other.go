//go:build !linux

package main

import (
	"context"
	"runtime"
)

// scan needs Linux pseudo-terminals; elsewhere the row says so.
func (b *bench) scan(ctx context.Context) []Row {
	return []Row{{Measure: "scan latency pty → SSE (p99)", Unit: "ms", BaselineName: "raw pty round trip",
		Goal: Goal{On: "value", Op: "<", Limit: 5, Label: "p99 < 5 ms"},
		Err:  "not measured on " + runtime.GOOS + ": the scanner rig uses Linux pseudo-terminals"}}
}
