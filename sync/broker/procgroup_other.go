//go:build !unix

package broker

import "os/exec"

// newProcessGroup: no process groups here; the broker benches run on Linux.
func newProcessGroup(*exec.Cmd) {}

// killProcessGroup kills the process itself (its children are not reached off Unix).
func killProcessGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
