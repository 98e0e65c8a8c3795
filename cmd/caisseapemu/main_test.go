package main

import (
	"strings"
	"testing"
)

// TestRun_badFlags: a mode the emulator does not have is refused with the list of those it has.
func TestRun_badFlags(t *testing.T) {
	err := run([]string{"-listen", "127.0.0.1:0", "-mode", "approve"})
	if err == nil || !strings.Contains(err.Error(), "success") {
		t.Fatalf("run(-mode approve) = %v, want an error listing the modes", err)
	}
	if err := run([]string{"-listen", "not-an-address", "-mode", "success"}); err == nil {
		t.Fatal("run with a bad -listen: no error")
	}
}
