package fleet

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeExec(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte(body))
	return hex.EncodeToString(h[:])
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSwapAndPrepareStart: after Swap the new binary is in place and the old one kept; each start
// counts against the trial, and past MaxTrialBoots the previous binary is restored, the version
// recorded as rolled back and a restart asked for.
func TestSwapAndPrepareStart(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "storeagent")
	writeExec(t, bin, "old")
	sum := writeExec(t, bin+".new", "new")
	var steps []string
	st := State{Update: UpdateState{Trial: &UpdateTrial{Version: "v2", SHA256: sum, From: "v1", Binary: bin, Previous: bin + ".prev"}}}
	if err := (Swapper{DataDir: dir, Step: func(s string) { steps = append(steps, s) }}).Swap(st, bin+".new"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"recorded", "kept-previous", "renamed", "synced"}; !slices.Equal(steps, want) {
		t.Errorf("steps = %v; want %v", steps, want)
	}
	if read(t, bin) != "new" || read(t, bin+".prev") != "old" {
		t.Fatalf("after the swap: binary %q, previous %q", read(t, bin), read(t, bin+".prev"))
	}
	for i := 1; i <= MaxTrialBoots; i++ {
		s, err := PrepareStart(dir)
		if err != nil || s.Restart {
			t.Fatalf("start %d: %+v, %v; want the trial to go on", i, s, err)
		}
	}
	s, err := PrepareStart(dir)
	if err != nil || !s.Restart {
		t.Fatalf("start %d: %+v, %v; want a rollback and a restart", MaxTrialBoots+1, s, err)
	}
	if read(t, bin) != "old" {
		t.Errorf("binary after the rollback = %q; want old", read(t, bin))
	}
	got, _ := LoadState(dir)
	if got.Update.Trial != nil || got.Update.Last.Status != StatusRolledBack || !slices.Contains(got.Update.RolledBack, "v2") {
		t.Errorf("state after the rollback = %+v", got.Update)
	}
}

// TestPrepareStart_interruptedSwap: a trial recorded but never renamed in (killed before) is
// dropped at start: the old binary runs and the update may come again.
func TestPrepareStart_interruptedSwap(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "storeagent")
	writeExec(t, bin, "old")
	sum := writeExec(t, bin+".new", "new")
	st := State{Update: UpdateState{Trial: &UpdateTrial{Version: "v2", SHA256: sum, From: "v1", Binary: bin, Previous: bin + ".prev"}}}
	if err := SaveState(dir, st); err != nil {
		t.Fatal(err)
	}
	s, err := PrepareStart(dir)
	if err != nil || s.Restart {
		t.Fatalf("PrepareStart = %+v, %v", s, err)
	}
	got, _ := LoadState(dir)
	if got.Update.Trial != nil || got.Update.Last.Status != "" {
		t.Errorf("state = %+v; want no trial and nothing reported", got.Update)
	}
	if _, err := os.Stat(bin + ".new"); !os.IsNotExist(err) {
		t.Errorf("the staged binary is still there (%v)", err)
	}
}

// TestPrepareStart_configTrial: an overlay on trial is started on MaxTrialBoots times, then the
// last good one is.
func TestPrepareStart_configTrial(t *testing.T) {
	dir := t.TempDir()
	good := &Overlay{Version: 1, Overlay: []byte(`{"a":1}`)}
	trial := &Overlay{Version: 2, Overlay: []byte(`{"a":2}`)}
	if err := SaveState(dir, State{Config: ConfigState{Good: good, Trial: trial}}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= MaxTrialBoots; i++ {
		s, err := PrepareStart(dir)
		if err != nil || !s.ConfigTrial || s.Overlay.Version != 2 {
			t.Fatalf("start %d: %+v, %v; want version 2 on trial", i, s, err)
		}
	}
	s, err := PrepareStart(dir)
	if err != nil || s.ConfigTrial || s.Overlay == nil || s.Overlay.Version != 1 {
		t.Fatalf("start %d: %+v, %v; want version 1", MaxTrialBoots+1, s, err)
	}
	got, _ := LoadState(dir)
	if got.Config.Last.Status != StatusRolledBack || got.Config.Last.Version != 2 || !strings.Contains(got.Config.Last.Error, "starts") {
		t.Errorf("last = %+v", got.Config.Last)
	}
	if err := RollbackConfigTrial(dir, "x"); err != nil {
		t.Errorf("RollbackConfigTrial with no trial = %v", err)
	}
}

func TestPackageManaged(t *testing.T) {
	for path, want := range map[string]bool{"/usr/bin/storeagent": true, "/usr/local/bin/storeagent": true,
		"/opt/storeagent/storeagent": false, filepath.Join(t.TempDir(), "storeagent"): false} {
		if got := PackageManaged(path); got != want {
			t.Errorf("PackageManaged(%s) = %v; want %v", path, got, want)
		}
	}
}

func TestLogRing(t *testing.T) {
	r := &LogRing{MaxLines: 3, MaxBytes: 1 << 10}
	r.Write([]byte("a\nb\nc"))
	r.Write([]byte("d\ne\n"))
	if got := r.Lines(); !slices.Equal(got, []string{"b", "cd", "e"}) {
		t.Errorf("Lines = %q", got)
	}
	r.Write([]byte(strings.Repeat("x", 10000) + "\n"))
	if got := r.Lines(); len(got[len(got)-1]) != 4096 {
		t.Errorf("a long line kept %d bytes; want 4096", len(got[len(got)-1]))
	}
}

// TestUpdateRefusal: a package-managed install and a Windows install refuse a self-update with what
// IT should do instead; a tarball install on Linux or macOS updates.
func TestUpdateRefusal(t *testing.T) {
	for _, c := range []struct {
		goos    string
		pkg     bool
		want    string
		refused bool
	}{
		{"linux", false, "", false},
		{"darwin", false, "", false},
		{"linux", true, "apt/dnf", true},
		{"windows", false, "not supported on Windows", true},
		{"windows", true, "apt/dnf", true},
	} {
		got := updateRefusal(c.goos, c.pkg)
		if (got != "") != c.refused || !strings.Contains(got, c.want) {
			t.Errorf("updateRefusal(%s, package-managed %v) = %q, want %q", c.goos, c.pkg, got, c.want)
		}
	}
}
