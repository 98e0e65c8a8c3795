//go:build reliability

package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/fleet"
)

// TestReliability_UpdateKill kills -9 a self-update at every step (download, recording the trial,
// keeping the previous binary, the rename, the fsync, the first start of the new binary) and then
// the rollback of a new binary that never becomes healthy, and checks after every kill that the
// store's binary is one that runs (`storeagent version` exits 0) and that the state names it.
func TestReliability_UpdateKill(t *testing.T) {
	p := reliabilityPlan(t, "STOREAGENT_RELIABILITY_UPDATE_ROUNDS", 14, 500, 2*time.Minute, 60*time.Minute)
	failures := 0
	kills := map[string]int{}
	rounds, rollbacks, budgetHit := 0, 0, false
	summary(t, "kill -9 during a self-update", &failures, func(failures int) string {
		var ks []string
		for k, n := range kills {
			ks = append(ks, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(ks)
		return fmt.Sprintf("runs %d%s (kills after: %s; %d rollbacks also killed), failures %d; checked after every kill and restart that the binary in place runs and is the one the state names, and that every rollback ends on the previous binary",
			rounds, budgetNote(budgetHit, p), strings.Join(ks, ", "), rollbacks, failures)
	})
	real, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	v1, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	v2 := append(append([]byte(nil), v1...), []byte("\nstoreagent-update-test-v2\n")...) // still a valid ELF
	deadline := time.Now().Add(p.Budget)
	for i := 0; i < p.Rounds; i++ {
		if time.Now().After(deadline) {
			budgetHit = true
			break
		}
		rounds++
		dir, err := os.MkdirTemp("", "storeagent-update-kill-")
		if err != nil {
			t.Fatal(err)
		}
		if !updateRound(t, i, dir, v1, v2, kills, &rollbacks) {
			failures++
		}
		os.RemoveAll(dir) // two binaries of ~35 MB a round
	}
}

// updateRound is one round: an update killed after one step, a start, and when the new binary
// is in place its rollback killed too.
func updateRound(t *testing.T, i int, dir string, v1, v2 []byte, kills map[string]int, rollbacks *int) (ok bool) {
	ok = true
	errorf := func(format string, args ...any) {
		t.Helper()
		ok = false
		t.Errorf(format, args...)
	}
	bin := filepath.Join(dir, "storeagent")
	if err := os.WriteFile(bin, v1, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "v2"), v2, 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []string{"download", "downloaded", "recorded", "kept-previous", "renamed", "synced", "started"}
	at := steps[i%len(steps)] // every step in turn, the moment after it random
	kills[at]++
	runHelper(t, "update", dir, at)
	if _, err := fleet.PrepareStart(dir); err != nil { // the service starts the agent again
		errorf("round %d (kill after %s): PrepareStart: %v", i, at, err)
		return
	}
	if msg := checkBinary(dir, bin, v1, v2); msg != "" {
		errorf("round %d (kill after %s): %s", i, at, msg)
		return
	}
	st, _ := fleet.LoadState(dir)
	if st.Update.Trial == nil {
		return // the swap never happened: still on v1
	}
	// The new binary never becomes healthy: its starts run out and the previous comes back,
	// with a kill somewhere in that too.
	*rollbacks++
	runHelper(t, "rollback", dir, fmt.Sprintf("boot %d", rand.IntN(fleet.MaxTrialBoots+1)))
	for n := 0; n <= fleet.MaxTrialBoots+1; n++ {
		s, err := fleet.PrepareStart(dir)
		if err != nil {
			errorf("round %d: PrepareStart after the rollback kill: %v", i, err)
			break
		}
		if msg := checkBinary(dir, bin, v1, v2); msg != "" {
			errorf("round %d (rollback, start %d): %s", i, n, msg)
		}
		if s.Restart {
			break
		}
	}
	if b, _ := os.ReadFile(bin); sha(b) != sha(v1) {
		errorf("round %d: after the rollback the binary is not the previous one", i)
	}
	return ok
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// checkBinary says what is wrong with the store's binary after a kill and a start, or "".
func checkBinary(dir, bin string, v1, v2 []byte) string {
	b, err := os.ReadFile(bin)
	if err != nil {
		return "no binary: " + err.Error()
	}
	if s := sha(b); s != sha(v1) && s != sha(v2) {
		return fmt.Sprintf("the binary is neither the old nor the new one (%d bytes)", len(b))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, bin, "version").CombinedOutput(); err != nil {
		return fmt.Sprintf("`storeagent version` fails: %v: %s", err, out)
	}
	st, err := fleet.LoadState(dir)
	if err != nil {
		return "state: " + err.Error()
	}
	if t := st.Update.Trial; t != nil && sha(b) != t.SHA256 {
		return "a trial is recorded but its binary is not in place"
	}
	return ""
}

// runHelper runs this test binary as the helper process in mode and kills it -9 once it prints
// "step <at>".
func runHelper(t *testing.T, mode, dir, at string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFleetUpdateHelper$")
	cmd.Env = append(os.Environ(), "STOREAGENT_FLEET_HELPER="+mode+":"+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		if sc.Text() == "step "+at {
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			_ = cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
	}
	if !killed {
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
	_ = cmd.Wait()
}

// TestFleetUpdateHelper is the process the scenario kills; it does nothing in a normal run.
func TestFleetUpdateHelper(t *testing.T) {
	env := os.Getenv("STOREAGENT_FLEET_HELPER")
	if env == "" {
		t.Skip("helper process of TestReliability_UpdateKill")
	}
	mode, dir, _ := strings.Cut(env, ":")
	step := func(s string) { fmt.Printf("step %s\n", s) }
	bin := filepath.Join(dir, "storeagent")
	switch mode {
	case "update":
		v2, err := os.ReadFile(filepath.Join(dir, "v2"))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(v2) }))
		defer srv.Close()
		step("download")
		if err := fleet.Download(context.Background(), srv.Client(), srv.URL+"/v2", sha(v2), 1<<30, bin+".new"); err != nil {
			t.Fatal(err)
		}
		step("downloaded")
		st, _ := fleet.LoadState(dir)
		st.Update.Trial = &fleet.UpdateTrial{Version: "v2", SHA256: sha(v2), From: "v1", Binary: bin, Previous: bin + ".prev"}
		if err := (fleet.Swapper{DataDir: dir, Step: step}).Swap(st, bin+".new"); err != nil {
			t.Fatal(err)
		}
		if _, err := fleet.PrepareStart(dir); err != nil { // the new binary's first start
			t.Fatal(err)
		}
		step("started")
	case "rollback":
		for n := 0; n <= fleet.MaxTrialBoots+1; n++ {
			step(fmt.Sprintf("boot %d", n))
			s, err := fleet.PrepareStart(dir)
			if err != nil {
				t.Fatal(err)
			}
			if s.Restart {
				break
			}
		}
	}
	step("done")
	time.Sleep(time.Minute) // killed by the parent
}
