package main

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// TestServiceQueryError checks that a failed status query says what is wrong, not only the
// service tool's "exit status 1".
func TestServiceQueryError(t *testing.T) {
	bare := errors.New("exit status 1")
	if runtime.GOOS == "linux" {
		msg := serviceQueryError("unix-systemv", bare, false, "/etc/storeagent/storeagent.yaml").Error()
		for _, want := range []string{"does not run systemd", "storeagent run -config /etc/storeagent/storeagent.yaml"} {
			if !strings.Contains(msg, want) {
				t.Errorf("no systemd: %q; want it to say %q", msg, want)
			}
		}
	}
	msg := serviceQueryError("linux-systemd", bare, true, "/etc/s.yaml").Error()
	for _, want := range []string{"is it installed?", "systemctl status storeagent"} {
		if !strings.Contains(msg, want) {
			t.Errorf("systemd: %q; want it to say %q", msg, want)
		}
	}
}

// TestServiceAction_StatusWithoutSystemd runs `status` on a host without systemd whose service
// tool fails with a bare exit status.
func TestServiceAction_StatusWithoutSystemd(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("systemd is Linux's")
	}
	f := &fakeService{platform: "unix-systemv", statErr: errors.New("exit status 1")}
	h := f.host()
	h.systemdUp = func() bool { return false }
	var m Main
	var out, errb strings.Builder
	m.Stdout, m.Stderr = &out, &errb
	err := m.serviceAction(t.Context(), "status", []string{"-config", "/etc/storeagent/storeagent.yaml"}, h)
	if err == nil || !strings.Contains(err.Error(), "does not run systemd") {
		t.Errorf("status without systemd: %v; want it to say systemd is not running", err)
	}
}
