//go:build unix

package broker

import (
	"os/exec"
	"syscall"
)

// newProcessGroup starts cmd in a process group of its own, so killProcessGroup reaches the
// children a broker's start script forks (RabbitMQ's beam.smp under rabbitmq-server).
func newProcessGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killProcessGroup sends SIGKILL to cmd's whole process group (an outage: nothing flushed).
func killProcessGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
