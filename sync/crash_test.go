package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/db"
)

// TestCrashChild is the agent process of TestSyncer_Crash: it runs only when re-executed with
// SYNC_CRASH_DIR set, and syncs until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("SYNC_CRASH_DIR")
	if dir == "" {
		t.Skip("child process of TestSyncer_Crash")
	}
	d, err := db.Open(context.Background(), dir, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t, os.Getenv("SYNC_CRASH_BROKER"), os.Getenv("SYNC_CRASH_STORE"))
	opts.ClientID = "storeagent-crash"
	opts.Window = 200
	s, err := agentsync.New(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	s.Run(ctx)
}

func startChild(t *testing.T, dir, url, store string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SYNC_CRASH_DIR="+dir, "SYNC_CRASH_BROKER="+url, "SYNC_CRASH_STORE="+store)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// TestSyncer_Crash kills the agent process with SIGKILL while it drains its outbox and while it
// applies central's events; after a restart nothing is lost and nothing applied twice.
func TestSyncer_Crash(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	url := startBroker(t)
	const store = "it-crash-001"
	sim := startSim(t, url, centralsim.Options{Catalog: catalog(3000), ChunkSize: 100})
	dir := t.TempDir()
	d := openDBAt(t, dir)
	queueSales(t, d, store, 1000)
	ctx := context.Background()
	for i := 0; i < 200; i++ {
		if _, err := sim.Send(ctx, store, "stock", centralsim.TypeStockAdjustment, centralsim.StockAdjustment{
			MovementID: fmt.Sprintf("crash-%d", i), SKU: "A", Delta: 1, OccurredAt: time.Now().UTC().Format(time.RFC3339Nano)}); err != nil {
			t.Fatal(err)
		}
	}

	child := startChild(t, dir, url, store)
	eventually(t, 20*time.Second, func() (bool, string) {
		got, _ := sim.Received(ctx, store, "")
		return len(got) > 100, fmt.Sprintf("central has %d events", len(got))
	})
	child.Process.Kill() // kill -9 mid-drain and mid-apply
	child.Wait()
	if n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`); n == 0 {
		t.Log("the outbox drained before the kill; the crash hit nothing")
	}

	child = startChild(t, dir, url, store)
	eventually(t, 30*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d outbox events unacked after the restart", n)
	})
	checkExactlyOnce(t, sim, d, store)
	eventually(t, 30*time.Second, func() (bool, string) {
		unacked, err := sim.Unacked(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		n := count(t, d, `SELECT count(*) FROM inbox WHERE applied_at = ''`)
		ok, msg := checksumsMatchDB(t, sim, d)
		return unacked == 0 && n == 0 && ok, fmt.Sprintf("%d central events not named in inbox/acks, %d inbox events unapplied; %s", unacked, n, msg)
	})
	if n := count(t, d, `SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE source = 'central'`); n != 200 {
		t.Errorf("central adjustments sum to %d, want 200 (each applied once)", n)
	}
	if n := count(t, d, `SELECT on_hand FROM stock WHERE sku = 'A'`); n != 200 {
		t.Errorf("A on_hand = %d, want 200", n)
	}
	child.Process.Signal(syscall.SIGTERM)
	child.Wait()
}

func checksumsMatchDB(t testing.TB, sim *centralsim.Sim, d *db.DB) (bool, string) {
	want := centralsim.CatalogChecksum(sim.Catalog(), time.Now())
	got, err := centralsim.ReplicaCatalogChecksum(context.Background(), d.R)
	if err != nil {
		t.Fatal(err)
	}
	return got == want, fmt.Sprintf("replica checksum %.12s, central %.12s", got, want)
}

// statusWatcher subscribes to a store's retained status and returns the latest status seen.
func statusWatcher(t *testing.T, url, store string) func() (agentsync.StatusData, bool) {
	t.Helper()
	var mu gosync.Mutex
	var last agentsync.StatusData
	var seen bool
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID("status-watch-" + store))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("watcher connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	tok := c.Subscribe("retail/stores/"+store+"/status", 1, func(_ mqtt.Client, m mqtt.Message) {
		var ev struct {
			Type string               `json:"type"`
			Data agentsync.StatusData `json:"data"`
		}
		if err := json.Unmarshal(m.Payload(), &ev); err != nil || ev.Type != agentsync.TypeStatus {
			t.Errorf("status payload %s: %v", m.Payload(), err)
			return
		}
		mu.Lock()
		last, seen = ev.Data, true
		mu.Unlock()
	})
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("watcher subscribe: %v", tok.Error())
	}
	return func() (agentsync.StatusData, bool) {
		mu.Lock()
		defer mu.Unlock()
		return last, seen
	}
}

// TestSyncer_Status: the retained status says online on connect and offline after a clean stop;
// after a kill -9 the broker publishes the will, which says offline.
func TestSyncer_Status(t *testing.T) {
	url := startBroker(t)
	const store = "it-status-001"
	status := statusWatcher(t, url, store)
	wantOnline := func(want bool) {
		t.Helper()
		eventually(t, 10*time.Second, func() (bool, string) {
			st, ok := status()
			return ok && st.Online == want, fmt.Sprintf("status %+v (seen %v), want online=%v", st, ok, want)
		})
	}
	t.Run("clean stop", func(t *testing.T) {
		d := openDB(t)
		queueSales(t, d, store, 2)
		a := startAgent(t, d, testOptions(t, url, store))
		wantOnline(true)
		if st, _ := status(); st.AgentVersion != "test" {
			t.Errorf("agent_version = %q, want test", st.AgentVersion)
		}
		a.stop()
		wantOnline(false)
	})
	t.Run("will after kill -9", func(t *testing.T) {
		if testing.Short() {
			t.Skip("re-executes the test binary")
		}
		child := startChild(t, t.TempDir(), url, store)
		wantOnline(true)
		child.Process.Kill()
		child.Wait()
		wantOnline(false)
	})
}
