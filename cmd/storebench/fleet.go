package main

import (
	"context"
	"fmt"
	"io"
)

// runFleet runs the fleet simulation (storebench fleet) and returns the exit code.
func runFleet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "storebench fleet: not written yet")
	return 1
}
