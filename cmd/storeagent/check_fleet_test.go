package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/sync/fleet"
)

// TestMain_CheckFleet: check names the ring and what central's last overlay came to.
func TestMain_CheckFleet(t *testing.T) {
	dir := t.TempDir()
	if err := fleet.WriteKeyPair(filepath.Join(dir, "c.key"), filepath.Join(dir, "c.pub")); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	st := fleet.State{Config: fleet.ConfigState{Good: &fleet.Overlay{Version: 3, Overlay: []byte(`{}`)},
		Last: fleet.ConfigReportedData{Version: 4, Status: fleet.StatusRolledBack}}}
	if err := fleet.SaveState(data, st); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, "store_id: it-mi-001\ndata_dir: data\nmqtt: {broker: \"tcp://127.0.0.1:9\"}\nfleet: {central_public_key_file: c.pub, ring: canary}\n")
	_, out, _ := runCLI(t, nil, "check", "-offline-ok", "-config", cfg)
	if !strings.Contains(out, "✓ fleet: ring canary") || !strings.Contains(out, "config overlay v3 in force, last overlay v4 rolled_back") {
		t.Errorf("check output:\n%s", out)
	}
}
