//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kardianos/service"

	"github.com/storeagent/storeagent/packaging"
)

// TestSystemdInstall_RendersPackagedUnit has kardianos/service's own systemd backend render and
// write the unit: as a user service with $HOME in a temporary folder, so the file lands there and
// nothing on the host changes (the `systemctl --user enable` that follows may fail without a user
// manager; the unit is written before it).
func TestSystemdInstall_RendersPackagedUnit(t *testing.T) {
	var systemd service.System
	for _, s := range service.AvailableSystems() {
		if s.String() == "linux-systemd" {
			systemd = s
		}
	}
	if systemd == nil {
		t.Skip("kardianos/service has no linux-systemd backend here")
	}
	prev := service.AvailableSystems()
	service.ChooseSystem(systemd)
	t.Cleanup(func() { service.ChooseSystem(prev...) })
	if service.ChosenSystem() == nil {
		t.Skip("systemd is not running here (its backend detects /run/systemd/system or PID 1 systemd)")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_RUNTIME_DIR", home) // keep systemctl --user away from the real session

	cfg := serviceConfig("/opt/store agent/storeagent", "/etc/storeagent/storeagent.yaml", false)
	cfg.Option["UserService"] = true
	svc, err := newSystemService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := svc.Platform(); got != "linux-systemd" {
		t.Fatalf("platform = %q", got)
	}
	_ = svc.Install() // enable/daemon-reload need a user manager; the file is what we test
	b, err := os.ReadFile(filepath.Join(home, ".config/systemd/user/storeagent.service"))
	if err != nil {
		t.Fatalf("kardianos did not write the unit: %v", err)
	}
	got := string(b)
	wantExec := `ExecStart=/opt/store\x20agent/storeagent "run" "-config" "/etc/storeagent/storeagent.yaml"`
	if !strings.Contains(got, "\n"+wantExec+"\n") {
		t.Errorf("unit lacks %s:\n%s", wantExec, got)
	}
	// Apart from ExecStart and the dropped Environment= line, it is the packaged unit.
	want := strings.Replace(packaging.SystemdUnit, "ExecStart=/usr/bin/storeagent run -config /etc/storeagent/storeagent.yaml", wantExec, 1)
	want = strings.Replace(want, "Environment=STOREAGENT_CONFIG=/etc/storeagent/storeagent.yaml", "", 1)
	if got != want {
		t.Errorf("rendered unit differs from the packaged one:\n%s", got)
	}
}
