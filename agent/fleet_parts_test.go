package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/fleet"
)

// stillRunning fails the test when the agent's Run has returned (an exit for a restart included).
func (run *running) stillRunning(t testing.TB) {
	t.Helper()
	select {
	case err := <-run.done:
		run.done <- err
		t.Fatalf("the agent stopped (%v); want it running", err)
	default:
	}
}

// syncConnects is storeagent_sync_connects_total: the current MQTT link's connections.
func syncConnects(t testing.TB, a *Agent) float64 {
	t.Helper()
	mfs, err := a.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "storeagent_sync_connects_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("no storeagent_sync_connects_total")
	return 0
}

// laneGetJSON GETs a POS API path as lane1 and decodes the answer into v.
func laneGetJSON(t testing.TB, a *Agent, path string, v any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", a.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s %s", path, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// seedDemo puts the demo catalogue in the store's replica.
func seedDemo(t testing.TB, a *Agent) []pos.CatalogItem {
	t.Helper()
	items, stock, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.POS.SeedCatalog(t.Context(), items, stock); err != nil {
		t.Fatal(err)
	}
	return items
}

// TestFleet_overlayQuickKeysInPlace: an overlay that changes only the quick keys and the log level
// is applied without a restart: the same process serves the new tiles and logs at the new level,
// the MQTT link is the same connection, an open event stream keeps streaming, and the report says
// "reloaded": ["log", "pos"].
func TestFleet_overlayQuickKeysInPlace(t *testing.T) {
	t.Parallel()
	r := newFleetRig(t, "pos:\n  quick_keys: [IT-CAFFE-ESPR]\n")
	r.opts.Logger, r.opts.LogLevel = NewLoggerVar(LogConfig{Level: "info"}, io.Discard, false)
	run, _ := r.start()
	run.waitOnline(t)
	items := seedDemo(t, run.a)
	ctx := r.ctx()
	ev := openEvents(t, run.a)
	if line, err := ev.rd.ReadString('\n'); err != nil || !strings.Contains(line, "connected") {
		t.Fatalf("event stream: %q, %v", line, err)
	}
	syncer, connects := run.a.Syncer(), syncConnects(t, run.a)

	want := []string{items[2].SKU, items[1].SKU}
	ov, _ := json.Marshal(map[string]any{"pos": map[string]any{"quick_keys": want}, "log": map[string]any{"level": "debug"}})
	if r.opts.Logger.Enabled(ctx, slog.LevelDebug) {
		t.Fatal("the logger logs debug before the overlay")
	}
	if err := r.console.SetConfig(ctx, fleetStore, 1, ov); err != nil {
		t.Fatal(err)
	}
	rep, err := r.console.WaitConfig(ctx, fleetStore, 1, fleet.StatusApplied, fleet.StatusRolledBack)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != fleet.StatusApplied || !slices.Equal(rep.Reloaded, []string{fleet.PartLog, fleet.PartPOS}) || len(rep.Restarted) != 0 {
		t.Fatalf("report = %+v; want applied, reloaded [log pos], nothing restarted", rep)
	}
	if !r.opts.Logger.Enabled(ctx, slog.LevelDebug) {
		t.Error("the agent's logger does not log debug after log.level: debug")
	}
	run.stillRunning(t)
	var tiles pos.ProductList
	laneGetJSON(t, run.a, "/api/v1/pos/quick-keys", &tiles)
	var got []string
	for _, p := range tiles.Products {
		got = append(got, p.SKU)
	}
	if !slices.Equal(got, want) {
		t.Errorf("quick keys = %v; want the overlay's %v", got, want)
	}
	if run.a.Syncer() != syncer || syncConnects(t, run.a) != connects || !run.a.online() {
		t.Errorf("the MQTT link changed: same syncer %v, connects %v → %v", run.a.Syncer() == syncer, connects, syncConnects(t, run.a))
	}
	// The stream opened before the change still carries events.
	run.a.POS.Events().Publish("lane1", pos.Event{Name: "device", Data: map[string]string{"name": "after-overlay"}})
	if data := ev.next(t, "device"); !strings.Contains(string(data), "after-overlay") {
		t.Errorf("event after the overlay = %s", data)
	}
	if st := run.a.Fleet.State(); st.Config.Good == nil || st.Config.Good.Version != 1 || st.Config.Trial != nil {
		t.Errorf("state: good %+v, trial %+v; want version 1 in force", st.Config.Good, st.Config.Trial)
	}
	// Persisted: a restart of the process runs on it.
	run.stop()
	<-run.done
	run.done <- nil
	run, _ = r.start()
	if !slices.Equal(run.cfg.POS.QuickKeys, want) {
		t.Errorf("after a restart quick keys = %v; want %v", run.cfg.POS.QuickKeys, want)
	}
}

// TestFleet_overlayScannerRestartsDevices: an overlay that moves the lane's scanner to another
// port restarts the device manager alone: the HTTP server (an open event stream) and the MQTT
// link stay, and scans come from the new port.
func TestFleet_overlayScannerRestartsDevices(t *testing.T) {
	t.Parallel()
	oldPort, newPort := devtest.NewPTYScanner(t), devtest.NewPTYScanner(t)
	r := newFleetRig(t, "")
	r.lane = "    scanners: [s1]\n"
	r.writeConfig(r.broker, fmt.Sprintf("devices:\n  - {name: s1, type: scanner, transport: serial, path: %q}\n", oldPort.Path))
	run, _ := r.start()
	run.waitOnline(t)
	seedDemo(t, run.a)
	ctx := r.ctx()
	waitConnected := func(what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			st := run.a.Devices.States()
			if len(st) == 1 && st[0].State == "connected" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: scanner not connected: %+v", what, st)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitConnected("before")
	ev := openEvents(t, run.a)
	oldPort.Write([]byte("8005510000030\r"))
	var scan ScanEvent
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if !scan.Valid || scan.Device != "s1" {
		t.Fatalf("scan before = %+v", scan)
	}
	syncer, connects := run.a.Syncer(), syncConnects(t, run.a)

	ov := fmt.Sprintf(`{"devices":[{"name":"s1","type":"scanner","transport":"serial","path":%q}]}`, newPort.Path)
	if err := r.console.SetConfig(ctx, fleetStore, 1, []byte(ov)); err != nil {
		t.Fatal(err)
	}
	rep, err := r.console.WaitConfig(ctx, fleetStore, 1, fleet.StatusApplied, fleet.StatusRolledBack)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != fleet.StatusApplied || !slices.Equal(rep.Restarted, []string{fleet.PartDevices}) {
		t.Fatalf("report = %+v; want applied, restarted [devices]", rep)
	}
	run.stillRunning(t)
	waitConnected("after")
	newPort.Write([]byte("8005510000030\r"))
	for {
		scan = ScanEvent{}
		json.Unmarshal(ev.next(t, "scan"), &scan) // on the stream opened before the change
		if scan.Device == "s1" {
			break
		}
	}
	if !scan.Valid || scan.Product == nil || scan.Product.SKU != "IT-CAFFE-ESPR" {
		t.Errorf("scan from the new port = %+v", scan)
	}
	if sp, _ := run.a.Devices.Spec("s1"); sp.Path != newPort.Path {
		t.Errorf("s1 path = %s; want %s", sp.Path, newPort.Path)
	}
	if run.a.Syncer() != syncer || syncConnects(t, run.a) != connects {
		t.Errorf("the MQTT link was reconnected for a device change")
	}
}

// TestFleet_overlayMQTTReconnectsSync: an overlay that changes mqtt.broker reconnects the MQTT
// link alone; sales made before, during and after reach central, each once, and all are acked.
func TestFleet_overlayMQTTReconnectsSync(t *testing.T) {
	t.Parallel()
	r := newFleetRig(t, "")
	items, _, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	sim, err := centralsim.New(centralsim.Options{Broker: r.broker, ClientID: "centralsim-19d", Catalog: items,
		DBPath: filepath.Join(t.TempDir(), "central.db"), RepublishInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	simDone := make(chan struct{})
	go func() { defer close(simDone); sim.Run(sctx) }()
	t.Cleanup(func() { cancel(); <-simDone; sim.Close() })
	run, _ := r.start()
	run.waitOnline(t)
	seedDemo(t, run.a)
	ctx := r.ctx()
	old := run.a.Syncer()
	n := 0
	sell := func(k int) {
		t.Helper()
		for range k {
			n++
			body := fmt.Sprintf(`{"sale_id":"01930000-0000-7000-8000-%012d","terminal":"lane1","cashier":"t","lines":[{"code":%q,"qty":1}],"payments":[{"method":"card","amount_minor":%d}]}`,
				n, items[0].SKU, items[0].PriceMinor)
			req, _ := http.NewRequestWithContext(ctx, "POST", run.a.URL()+"/api/v1/sales", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("sale %d: %v (syncer replaced: %v)", n, err, run.a.Syncer() != old)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
				t.Fatalf("sale %d: %s %s", n, resp.Status, msg)
			}
		}
	}
	sell(5)
	// The same broker by another name: a new URL, so a new connection.
	other := strings.Replace(r.broker, "127.0.0.1", "localhost", 1)
	if err := r.console.SetConfig(ctx, fleetStore, 1, []byte(`{"mqtt":{"broker":"`+other+`"}}`)); err != nil {
		t.Fatal(err)
	}
	for run.a.Syncer() == old && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	sell(5) // while the link reconnects
	rep, err := r.console.WaitConfig(ctx, fleetStore, 1, fleet.StatusApplied, fleet.StatusRolledBack)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != fleet.StatusApplied || !slices.Equal(rep.Restarted, []string{fleet.PartSync}) {
		t.Fatalf("report = %+v; want applied, restarted [sync]", rep)
	}
	run.stillRunning(t)
	sell(5)
	for {
		got, err := sim.Received(ctx, fleetStore, "sales")
		if err != nil {
			t.Fatal(err)
		}
		var pending int
		run.a.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE acked_at IS NULL AND topic = 'sales'`).Scan(&pending)
		if len(got) >= n && pending == 0 {
			ids := map[string]bool{}
			for _, e := range got {
				if ids[e.ID] {
					t.Errorf("event %s stored twice", e.ID)
				}
				ids[e.ID] = true
			}
			if len(got) != n {
				t.Errorf("central has %d sale events; want %d", len(got), n)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("central has %d of %d sale events, %d not acked at the store", len(got), n, pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if run.a.Syncer() == old || syncConnects(t, run.a) < 1 {
		t.Errorf("the link was not replaced (connects %v)", syncConnects(t, run.a))
	}
}

// TestFleet_overlayWholeRestart: an overlay with a key no part can take in place (here the
// store's name, printed on pages and receipts built at start) still exits for a restart, and
// the report after it says "restarted": ["agent"].
func TestFleet_overlayWholeRestart(t *testing.T) {
	t.Parallel()
	r := newFleetRig(t, "")
	run, _ := r.start()
	run.waitOnline(t)
	ctx := r.ctx()
	if err := r.console.SetConfig(ctx, fleetStore, 1, []byte(`{"store":{"name":"Milano 1"},"pos":{"quick_keys":["X"]}}`)); err != nil {
		t.Fatal(err)
	}
	if !run.waitExit(t, 10*time.Second) {
		t.Fatal("an overlay needing a whole restart did not exit for one")
	}
	run, _ = r.start()
	rep, err := r.console.WaitConfig(ctx, fleetStore, 1, fleet.StatusApplied, fleet.StatusRolledBack)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != fleet.StatusApplied || !slices.Equal(rep.Restarted, []string{fleet.PartAgent}) {
		t.Fatalf("report = %+v; want applied, restarted [agent]", rep)
	}
	if run.cfg.Store.Name != "Milano 1" {
		t.Errorf("store.name = %q", run.cfg.Store.Name)
	}
}

// TestFleet_overlayRollbackInPlace: an overlay whose broker is dead (a part-wise change: sync) is
// not healthy within the health timeout, so the previous config is applied to the same parts
// again — the quick keys back, the link reconnected to the good broker — with no exit, and the
// report says rolled_back.
func TestFleet_overlayRollbackInPlace(t *testing.T) {
	t.Parallel()
	r := newFleetRig(t, "")
	run, _ := r.start()
	run.waitOnline(t)
	ctx := r.ctx()
	if err := r.console.SetConfig(ctx, fleetStore, 1, []byte(`{"pos":{"quick_keys":["A"]}}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.console.WaitConfig(ctx, fleetStore, 1, fleet.StatusApplied); err != nil {
		t.Fatal(err)
	}
	if err := r.console.SetConfig(ctx, fleetStore, 2, []byte(`{"pos":{"quick_keys":["B"]},"mqtt":{"broker":"tcp://127.0.0.1:9"}}`)); err != nil {
		t.Fatal(err)
	}
	rep, err := r.console.WaitConfig(ctx, fleetStore, 2, fleet.StatusRolledBack, fleet.StatusApplied)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != fleet.StatusRolledBack || !strings.Contains(rep.Error, "broker not connected") ||
		!slices.Equal(rep.Restarted, []string{fleet.PartSync}) || !slices.Equal(rep.Reloaded, []string{fleet.PartPOS}) {
		t.Fatalf("report = %+v; want rolled_back (broker not connected), restarted [sync], reloaded [pos]", rep)
	}
	run.stillRunning(t)
	run.waitOnline(t)
	live := run.a.live.Load()
	if live.MQTT.Broker != r.broker || !slices.Equal(live.POS.QuickKeys, []string{"A"}) {
		t.Errorf("after the rollback: broker %s, quick keys %v; want the file's broker and version 1's [A]", live.MQTT.Broker, live.POS.QuickKeys)
	}
	if st := run.a.Fleet.State(); st.Config.Good == nil || st.Config.Good.Version != 1 || st.Config.Trial != nil {
		t.Errorf("state: good %+v, trial %+v; want version 1 in force", st.Config.Good, st.Config.Trial)
	}
	// The retained version 2 comes again on the reconnect: not tried again.
	time.Sleep(300 * time.Millisecond)
	run.stillRunning(t)
	if run.a.live.Load().MQTT.Broker != r.broker {
		t.Error("the rolled-back overlay was applied again")
	}
}
