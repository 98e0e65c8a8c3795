package packaging

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/agent"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

func TestUdevRules_UpToDate(t *testing.T) {
	models, err := ProfileUSBModels(firmwareprofiles.FS)
	if err != nil {
		t.Fatal(err)
	}
	got := GenerateUdevRules(models)
	if got != UdevRules {
		t.Errorf("packaging/udev/70-storeagent.rules is stale: run go generate ./packaging")
	}
}

func TestProfileUSBModels(t *testing.T) {
	models, err := ProfileUSBModels(firmwareprofiles.FS)
	if err != nil {
		t.Fatal(err)
	}
	want := []USBModel{
		{Kind: "scanner", Profile: "zebra-ds2208", VID: "05e0", PID: "1200"},
		{Kind: "scanner", Profile: "zebra-ds2208", VID: "05e0", PID: "1701"},
		{Kind: "printer", Profile: "epson-tm-t20", VID: "04b8", PID: "0e03"},
	}
	for _, w := range want {
		found := false
		for _, m := range models {
			found = found || m == w
		}
		if !found {
			t.Errorf("ProfileUSBModels lacks %+v", w)
		}
	}
	for i := 1; i < len(models); i++ {
		if models[i] == models[i-1] {
			t.Errorf("duplicate %+v", models[i])
		}
	}
}

func TestGenerateUdevRules(t *testing.T) {
	got := GenerateUdevRules([]USBModel{
		{Kind: "scanner", Profile: "s", VID: "05e0", PID: "1200"},
		{Kind: "printer", Profile: "p", VID: "0dd4"},
	})
	for _, tc := range []struct{ name, want string }{
		{"scanner tty", `SUBSYSTEM=="tty", ATTRS{idVendor}=="05e0", ATTRS{idProduct}=="1200", GROUP="dialout", MODE="0660", SYMLINK+="storeagent/tty-05e0-1200"` + "\n"},
		{"scanner input serial", `SUBSYSTEM=="input", KERNEL=="event[0-9]*", ATTRS{idVendor}=="05e0", ATTRS{idProduct}=="1200", ENV{ID_SERIAL_SHORT}=="?*", SYMLINK+="storeagent/input-05e0-1200-$env{ID_SERIAL_SHORT}"` + "\n"},
		{"printer any pid lp", `SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", ATTRS{idVendor}=="0dd4", GROUP="lp", MODE="0660", SYMLINK+="storeagent/lp-0dd4"` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(got, tc.want) {
				t.Errorf("rules lack\n%s\ngot:\n%s", tc.want, got)
			}
		})
	}
	t.Run("no lp for scanners", func(t *testing.T) {
		if strings.Contains(got, "lp-05e0") || strings.Contains(got, "input-0dd4") {
			t.Errorf("class rule for the wrong kind:\n%s", got)
		}
	})
	if cmd, err := exec.LookPath("udevadm"); err == nil {
		t.Run("udevadm verify", func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "70-storeagent.rules")
			if err := os.WriteFile(f, []byte(UdevRules), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(cmd, "verify", f).CombinedOutput()
			if err != nil && bytes.Contains(out, []byte("Unknown command")) {
				t.Skip("udevadm has no verify")
			}
			if err != nil {
				t.Errorf("udevadm verify: %v\n%s", err, out)
			}
		})
	}
}

func TestSystemdUnit_Directives(t *testing.T) {
	for _, want := range []string{
		"Type=notify", "WatchdogSec=", "Restart=always", "After=network-online.target",
		"Wants=network-online.target", "User=storeagent", "SupplementaryGroups=dialout lp",
		"StateDirectory=storeagent", "ConfigurationDirectory=storeagent", "ProtectSystem=strict",
		"ProtectHome=yes", "NoNewPrivileges=yes", "PrivateTmp=yes", "DevicePolicy=closed",
		"DeviceAllow=char-ttyACM rw", "TimeoutStopSec=", unitExecStartLine,
		"SystemCallFilter=@system-service", "SystemCallErrorNumber=EPERM", "ProtectProc=invisible", "ProcSubset=pid",
	} {
		if !strings.Contains(SystemdUnit, "\n"+want) {
			t.Errorf("unit lacks line %q", want)
		}
	}
}

// TestSystemdUnit_Verify runs systemd-analyze verify (Debian package systemd) on the unit, with
// ExecStart pointing at an executable that exists here.
func TestSystemdUnit_Verify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, "storeagent")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	unit := strings.Replace(SystemdUnit, "ExecStart="+BinaryPath, "ExecStart="+exe, 1)
	// The unit with the HID drop-in's [Service] lines, as systemd merges them.
	_, hidLines, _ := strings.Cut(HIDDropIn, "[Service]\n")
	withHID := strings.Replace(unit, "DeviceAllow=char-lp rw\n", "DeviceAllow=char-lp rw\n"+hidLines, 1)
	if !strings.Contains(withHID, "DeviceAllow=char-input r") {
		t.Fatal("the drop-in has no DeviceAllow=char-input line")
	}
	for name, u := range map[string]string{"storeagent.service": unit, "storeagent-hid.service": withHID} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(u), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sa, "verify", "--man=no", f).CombinedOutput()
		// Inside containers without a running systemd, verify may complain about the environment
		// (no D-Bus, no /run/systemd); only lines naming our unit file are our fault.
		for _, l := range strings.Split(string(out), "\n") {
			if strings.Contains(l, name+":") {
				t.Errorf("systemd-analyze verify: %s", l)
			}
		}
		if err != nil {
			t.Logf("systemd-analyze verify %s exit %v (environment):\n%s", name, err, out)
		}
	}
}

func TestSampleConfig_Loads(t *testing.T) {
	dir := t.TempDir()
	// The token file postinst makes (issue 16 item 2: the sample itself carries no token).
	tok := filepath.Join(dir, "lane1.token")
	if err := os.WriteFile(tok, []byte("3f9c2a71d04be85617ac93e0b2d4f6a8\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(SampleConfig, "\n    token:") {
		t.Fatalf("the sample config ships an inline token")
	}
	f := filepath.Join(dir, "storeagent.yaml")
	if err := os.WriteFile(f, []byte(strings.Replace(SampleConfig, "/etc/storeagent/lane1.token", tok, 1)), 0o640); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := agent.LoadConfig(f, nil)
	if err != nil {
		t.Fatalf("LoadConfig(sample): %v", err)
	}
	if got, want := cfg.DataDir, DataDir; got != want {
		t.Errorf("data_dir = %q, want %q", got, want)
	}
	if got, want := len(cfg.Devices), 2; got != want {
		t.Errorf("devices = %d, want %d", got, want)
	}
}

func TestScripts_Syntax(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	names, _ := filepath.Glob("scripts/*.sh")
	if len(names) != 4 {
		t.Fatalf("scripts = %v, want 4", names)
	}
	for _, n := range names {
		t.Run(filepath.Base(n), func(t *testing.T) {
			if out, err := exec.Command(sh, "-n", n).CombinedOutput(); err != nil {
				t.Errorf("sh -n %s: %v\n%s", n, err, out)
			}
		})
	}
}
