package benchkit

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// RSSMB is a process's resident set size (VmRSS in /proc/PID/status) in MiB. It needs Linux.
func RSSMB(pid int) (float64, error) { return ProcStatusMB(pid, "VmRSS") }

// ProcStatusMB reads a kB field of /proc/PID/status (VmRSS, VmHWM, ...) in MiB. It needs Linux.
func ProcStatusMB(pid int, field string) (float64, error) {
	if runtime.GOOS != "linux" {
		return 0, errors.New("resident memory is read from /proc (Linux only)")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field+":" {
			kb, err := strconv.ParseFloat(f[1], 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
