package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/broker"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/fleet"
)

// TestRun_fleetRestart runs the built binary with fleet operations on: a signed restart command
// makes `storeagent run` exit with status 75 (what the unit's Restart=always restarts on), and a
// config overlay makes it exit 75 and then start on it, reported applied.
func TestRun_fleetRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := broker.Start(t.Context(), broker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	dir := t.TempDir()
	if err := fleet.WriteKeyPair(filepath.Join(dir, "central.key"), filepath.Join(dir, "central.pub")); err != nil {
		t.Fatal(err)
	}
	priv, err := fleet.LoadPrivateKey(filepath.Join(dir, "central.key"))
	if err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	cfg := writeConfig(t, dir, fmt.Sprintf("store_id: it-mi-001\ndata_dir: data\nhttp: {listen: %q}\nlog: {level: warn}\nmqtt: {broker: %q, reconnect_window: 0s}\n"+
		"terminals:\n  - {id: lane1, token: %s}\nfleet: {central_public_key_file: central.pub, idle_for: 0s, health_timeout: 10s}\n", addr, url, crashToken))
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	con, err := centralsim.DialConsole(ctx, centralsim.ConsoleOptions{Broker: url, Key: priv})
	if err != nil {
		t.Fatal(err)
	}
	defer con.Close()
	waitOnline := func() {
		for !strings.Contains(string(con.Snapshot().Status["it-mi-001"]), `"online":true`) {
			if ctx.Err() != nil {
				t.Fatal("the store did not come online")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	exitStatus := func(c *child) int {
		done := make(chan error, 1)
		go func() { done <- c.cmd.Wait() }()
		select {
		case err := <-done:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return ee.ExitCode()
			}
			if err != nil {
				t.Fatal(err)
			}
			return 0
		case <-time.After(20 * time.Second):
			c.cmd.Process.Kill()
			t.Fatalf("the agent did not exit\n%s", c.logs)
			return -1
		}
	}

	c := startAgent(t, bin, cfg, addr)
	waitOnline()
	id, err := con.Command(ctx, "it-mi-001", fleet.CommandRestart, nil)
	if err != nil {
		t.Fatal(err)
	}
	if code := exitStatus(c); code != fleet.ExitRestart {
		t.Fatalf("exit status %d after a restart command; want %d\n%s", code, fleet.ExitRestart, c.logs)
	}
	if r, err := con.WaitResult(ctx, id); err != nil || r.Status != fleet.StatusOK {
		t.Errorf("restart result %+v, %v", r, err)
	}

	c = startAgent(t, bin, cfg, addr)
	// store.name is read at start (pages, receipts): the whole agent restarts on it.
	if err := con.SetConfig(ctx, "it-mi-001", 1, []byte(`{"log":{"level":"error"},"store":{"name":"Milano 1"}}`)); err != nil {
		t.Fatal(err)
	}
	if code := exitStatus(c); code != fleet.ExitRestart {
		t.Fatalf("exit status %d after a config overlay; want %d\n%s", code, fleet.ExitRestart, c.logs)
	}
	c = startAgent(t, bin, cfg, addr)
	defer func() { c.cmd.Process.Signal(os.Interrupt); c.cmd.Wait() }()
	if r, err := con.WaitConfig(ctx, "it-mi-001", 1, fleet.StatusApplied); err != nil || !slices.Equal(r.Restarted, []string{fleet.PartAgent}) {
		t.Fatalf("config v1: %+v, %v; want applied, restarted [agent]\n%s", r, err, c.logs)
	}
	// The log level and the quick keys are swapped in place: the same process goes on.
	if err := con.SetConfig(ctx, "it-mi-001", 2, []byte(`{"log":{"level":"debug"},"store":{"name":"Milano 1"},"pos":{"quick_keys":["X"]}}`)); err != nil {
		t.Fatal(err)
	}
	if r, err := con.WaitConfig(ctx, "it-mi-001", 2, fleet.StatusApplied, fleet.StatusRolledBack); err != nil ||
		r.Status != fleet.StatusApplied || len(r.Restarted) != 0 || !slices.Equal(r.Reloaded, []string{fleet.PartLog, fleet.PartPOS}) {
		t.Fatalf("config v2: %+v, %v; want applied, reloaded [log pos]\n%s", r, err, c.logs)
	}
	if c.cmd.ProcessState != nil {
		t.Fatalf("the agent exited on a config it applies in place\n%s", c.logs)
	}
}
