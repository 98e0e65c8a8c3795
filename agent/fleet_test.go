package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/broker"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/fleet"
)

// fleetRig is one store whose agent can be restarted on the same data_dir and config file, a
// broker, and IT's console with central's key.
type fleetRig struct {
	t       testing.TB
	dir     string
	cfgPath string
	broker  string
	console *centralsim.Console
	opts    Options
	// lane is more of terminal lane1's keys, like "    scanners: [s1]\n".
	lane string
}

const fleetStore = "it-mi-001"

func newFleetRig(t testing.TB, extra string) *fleetRig {
	t.Helper()
	url, stop, err := broker.Start(t.Context(), broker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	dir := t.TempDir()
	if err := fleet.WriteKeyPair(filepath.Join(dir, "central.key"), filepath.Join(dir, "central.pub")); err != nil {
		t.Fatal(err)
	}
	priv, err := fleet.LoadPrivateKey(filepath.Join(dir, "central.key"))
	if err != nil {
		t.Fatal(err)
	}
	r := &fleetRig{t: t, dir: dir, cfgPath: filepath.Join(dir, "storeagent.yaml"), broker: url,
		opts: Options{Fleet: FleetOptions{Tick: 20 * time.Millisecond, Binary: "-"}, ShutdownTimeout: 2 * time.Second}}
	r.writeConfig(url, extra)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	r.console, err = centralsim.DialConsole(ctx, centralsim.ConsoleOptions{Broker: url, Key: priv})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.console.Close)
	return r
}

func (r *fleetRig) writeConfig(brokerURL, extra string) {
	r.t.Helper()
	y := fmt.Sprintf(`store_id: %s
data_dir: data
http:
  listen: 127.0.0.1:0
mqtt:
  broker: %s
  reconnect_window: 0s
terminals:
  - id: lane1
    token: %s
%sfleet:
  central_public_key_file: central.pub
  health_timeout: 2s
  idle_for: 1ms # 0s would be the default (1m)
%s`, fleetStore, brokerURL, testToken, r.lane, extra)
	if err := os.WriteFile(r.cfgPath, []byte(y), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// running is one run of the store's agent.
type running struct {
	a    *Agent
	cfg  *Config
	stop context.CancelFunc
	done chan error
}

// start loads the config file, prepares the fleet state and runs the agent, as `storeagent run`
// does. restart is true when PrepareFleet asked for a restart instead.
func (r *fleetRig) start() (run *running, restart bool) {
	r.t.Helper()
	cfg, _, err := LoadConfig(r.cfgPath, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	cfg, restart, err = PrepareFleet(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	if restart {
		return nil, true
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.t.Fatal(err)
	}
	o := r.opts
	o.Listener = ln
	ctx, cancel := context.WithCancel(context.Background())
	a, err := New(ctx, cfg, o)
	if err != nil {
		cancel()
		r.t.Fatal(err)
	}
	run = &running{a: a, cfg: cfg, stop: cancel, done: make(chan error, 1)}
	go func() { run.done <- a.Run(ctx) }()
	r.t.Cleanup(func() { run.stop(); <-run.done })
	return run, false
}

// waitOnline waits for the agent's broker connection.
func (run *running) waitOnline(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !run.a.online() {
		if time.Now().After(deadline) {
			t.Fatal("the agent did not connect to the broker in 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitExit waits for Run to return and says whether it asked for a restart.
func (run *running) waitExit(t testing.TB, within time.Duration) bool {
	t.Helper()
	select {
	case err := <-run.done:
		run.done <- err // for the cleanup
		if err != nil && !errors.Is(err, fleet.ErrRestart) {
			t.Fatalf("agent stopped with %v", err)
		}
		return errors.Is(err, fleet.ErrRestart)
	case <-time.After(within):
		t.Fatalf("the agent did not stop within %s", within)
		return false
	}
}

func (r *fleetRig) ctx() context.Context {
	ctx, cancel := context.WithTimeout(r.t.Context(), 15*time.Second)
	r.t.Cleanup(cancel)
	return ctx
}

// TestFleet_configOverlay drives central's overlay through its states on the whole-restart path
// (keys no part takes in place, like store.name; fleet_parts_test.go has the part-wise ones):
// applied after a restart (a pinned key kept from the file and reported ignored), kept across a
// restart, an invalid one rejected with the key named, an unsigned one rejected, and one that
// loses the broker rolled back to the last good one after the health timeout.
func TestFleet_configOverlay(t *testing.T) {
	t.Parallel()
	r := newFleetRig(t, "  pinned: [http]\n")
	run, _ := r.start()
	run.waitOnline(t)
	ctx := r.ctx()

	if err := r.console.SetConfig(ctx, fleetStore, 1, json.RawMessage(`{"store":{"name":"Milano 1"},"customers":{"cache_ttl":"1h"},"http":{"listen":"0.0.0.0:80"}}`)); err != nil {
		t.Fatal(err)
	}
	if !run.waitExit(t, 10*time.Second) {
		t.Fatal("a valid overlay did not restart the agent")
	}
	run, _ = r.start()
	rep, err := r.console.WaitConfig(ctx, fleetStore, 1, fleet.StatusApplied, fleet.StatusRolledBack)
	if err != nil {
		t.Fatalf("no report for version 1: %v", err)
	}
	if rep.Status != fleet.StatusApplied || len(rep.Ignored) != 1 || rep.Ignored[0] != "http" || !slices.Equal(rep.Restarted, []string{fleet.PartAgent}) {
		t.Fatalf("report = %+v; want applied with http ignored, restarted [agent]", rep)
	}
	if got := run.cfg.Customers.CacheTTL.Std(); got != time.Hour {
		t.Errorf("customers.cache_ttl = %s; want the overlay's 1h", got)
	}
	if got := run.cfg.HTTP.Listen; got != "127.0.0.1:0" {
		t.Errorf("http.listen = %s; want the file's (pinned)", got)
	}

	// Invalid: rejected, naming the key; the store keeps running on version 1.
	if err := r.console.SetConfig(ctx, fleetStore, 2, json.RawMessage(`{"log":{"level":"loud"}}`)); err != nil {
		t.Fatal(err)
	}
	rep, err = r.console.WaitConfig(ctx, fleetStore, 2)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != fleet.StatusRejected || !strings.Contains(rep.Error, "log.level") {
		t.Fatalf("report = %+v; want rejected naming log.level", rep)
	}

	// Unsigned: rejected, not applied.
	if err := r.console.PublishUnsigned(ctx, fleetStore, fleet.TopicConfigDesired, fleet.TypeConfigDesired,
		fleet.ConfigDesiredData{Version: 3, Overlay: json.RawMessage(`{"customers":{"cache_ttl":"2h"}}`)}, false); err != nil {
		t.Fatal(err)
	}
	rep, err = r.console.WaitConfig(ctx, fleetStore, 3)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != fleet.StatusRejected || !strings.Contains(rep.Error, "signature") {
		t.Fatalf("report = %+v; want rejected for its signature", rep)
	}

	// Unhealthy: the broker it names is dead, so the store is not healthy within 2 s and goes
	// back to version 1.
	if err := r.console.SetConfig(ctx, fleetStore, 4, json.RawMessage(`{"mqtt":{"broker":"tcp://127.0.0.1:9"},"store":{"name":"Milano 4"}}`)); err != nil {
		t.Fatal(err)
	}
	if !run.waitExit(t, 10*time.Second) {
		t.Fatal("overlay 4 did not restart the agent")
	}
	run, _ = r.start()
	if run.cfg.MQTT.Broker != "tcp://127.0.0.1:9" || !run.cfg.FleetTrial() {
		t.Fatalf("second start: broker %s, trial %v; want overlay 4 on trial", run.cfg.MQTT.Broker, run.cfg.FleetTrial())
	}
	if !run.waitExit(t, 10*time.Second) {
		t.Fatal("the unhealthy overlay was not rolled back with a restart")
	}
	run, _ = r.start()
	rep, err = r.console.WaitConfig(ctx, fleetStore, 4, fleet.StatusRolledBack)
	if err != nil {
		t.Fatalf("no rolled_back report for version 4: %v", err)
	}
	if !strings.Contains(rep.Error, "broker not connected") {
		t.Errorf("rollback error = %q; want it to say the broker was not connected", rep.Error)
	}
	if run.cfg.MQTT.Broker != r.broker || run.cfg.Customers.CacheTTL.Std() != time.Hour {
		t.Errorf("after the rollback: broker %s, cache_ttl %s; want the file's broker and version 1's 1h", run.cfg.MQTT.Broker, run.cfg.Customers.CacheTTL)
	}
	// The retained version 4 comes again on every connect; it is not tried again.
	run.waitOnline(t)
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-run.done:
		t.Fatalf("the agent stopped again (%v) on the retained overlay it rolled back", err)
	default:
	}
}

// TestFleet_commands: signed commands run and report; a replayed id, a command older than 10
// minutes, an unsigned one and an unknown name are refused; resync asks central for a snapshot;
// diagnostics arrive in chunks with the config's secrets blanked; restart exits for a restart.
func TestFleet_commands(t *testing.T) {
	t.Parallel()
	r := newFleetRig(t, "")
	run, _ := r.start()
	run.waitOnline(t)
	ctx := r.ctx()

	// resync: the agent records the request and sends retail.sync.request (the row is gone once
	// the broker has it).
	id, err := r.console.Command(ctx, fleetStore, fleet.CommandResync, map[string]string{"topic": "promotions"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.console.WaitResult(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != fleet.StatusOK || !strings.Contains(string(res.Result), "promotions") {
		t.Fatalf("resync result = %+v", res)
	}
	if err := r.console.WaitSyncRequest(ctx, fleetStore, "promotions"); err != nil {
		t.Fatalf("no retail.sync.request for promotions: %v", err)
	}
	var n int
	if err := run.a.DB.R.QueryRow(`SELECT count(*) FROM fleet_commands WHERE command_id = ?1 AND status = 'ok'`, id).Scan(&n); err != nil || n != 1 {
		t.Errorf("fleet_commands has %d ok rows for %s (err %v); want 1", n, id, err)
	}

	// The same command again (same id, same issued_at, freshly signed): refused.
	c := fleet.CommandData{CommandID: id, Name: fleet.CommandResync, Args: json.RawMessage(`{"topic":"promotions"}`),
		IssuedAt: time.Now().UTC().Format(time.RFC3339Nano)}
	if err := r.console.SendCommand(ctx, fleetStore, c); err != nil {
		t.Fatal(err)
	}
	r.waitResultStatus(ctx, id, fleet.StatusRefused, "replayed")

	old := fleet.CommandData{CommandID: "old-1", Name: fleet.CommandResync, Args: json.RawMessage(`{"topic":"catalog"}`),
		IssuedAt: time.Now().Add(-11 * time.Minute).UTC().Format(time.RFC3339Nano)}
	if err := r.console.SendCommand(ctx, fleetStore, old); err != nil {
		t.Fatal(err)
	}
	r.waitResultStatus(ctx, "old-1", fleet.StatusRefused, "ago")

	unsigned := fleet.CommandData{CommandID: "unsigned-1", Name: fleet.CommandRestart, IssuedAt: time.Now().UTC().Format(time.RFC3339Nano)}
	if err := r.console.PublishUnsigned(ctx, fleetStore, fleet.TopicCommands, fleet.TypeCommand, unsigned, false); err != nil {
		t.Fatal(err)
	}
	r.waitResultStatus(ctx, "unsigned-1", fleet.StatusRefused, "signature")

	id, err = r.console.Command(ctx, fleetStore, "format-disk", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.waitResultStatus(ctx, id, fleet.StatusFailed, "unknown command")

	id, err = r.console.Command(ctx, fleetStore, fleet.CommandReprint, map[string]string{"sale_id": "no-such-sale"})
	if err != nil {
		t.Fatal(err)
	}
	r.waitResultStatus(ctx, id, fleet.StatusFailed, "")

	// diagnostics: a bundle in chunks; the terminal token is not in it.
	id, err = r.console.Command(ctx, fleetStore, fleet.CommandDiagnostics, nil)
	if err != nil {
		t.Fatal(err)
	}
	res = r.waitResultStatus(ctx, id, fleet.StatusOK, "")
	bundle, err := r.console.Diagnostics(ctx, id)
	if err != nil {
		t.Fatalf("diagnostics bundle: %v (result %s)", err, res.Result)
	}
	var b struct {
		StoreID   string   `json:"store_id"`
		Config    string   `json:"config"`
		Integrity []string `json:"integrity"`
		Status    struct {
			StoreID string `json:"store_id"`
		} `json:"status"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	if b.StoreID != fleetStore || b.Status.StoreID != fleetStore || len(b.Integrity) != 1 || b.Integrity[0] != "ok" {
		t.Errorf("bundle: store %q, status store %q, integrity %v", b.StoreID, b.Status.StoreID, b.Integrity)
	}
	if !strings.Contains(b.Config, "central_public_key_file") || strings.Contains(string(bundle), testToken) {
		t.Errorf("bundle config: has the fleet section %v, has the terminal token %v",
			strings.Contains(b.Config, "central_public_key_file"), strings.Contains(string(bundle), testToken))
	}

	// restart: reported ok, then the agent exits for the service to start it again.
	id, err = r.console.Command(ctx, fleetStore, fleet.CommandRestart, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.waitResultStatus(ctx, id, fleet.StatusOK, "")
	if !run.waitExit(t, 10*time.Second) {
		t.Fatal("restart did not stop the agent for a restart")
	}
	// After the restart the seen ids are still there: the restart command replayed is refused.
	run, _ = r.start()
	run.waitOnline(t)
	c = fleet.CommandData{CommandID: id, Name: fleet.CommandRestart, IssuedAt: time.Now().UTC().Format(time.RFC3339Nano)}
	r.console.Forget(id)
	if err := r.console.SendCommand(ctx, fleetStore, c); err != nil {
		t.Fatal(err)
	}
	r.waitResultStatus(ctx, id, fleet.StatusRefused, "replayed")
}

// waitResultStatus waits for a command's result with status (and an error containing errPart);
// an earlier result for the same id is forgotten first by the caller when needed.
func (r *fleetRig) waitResultStatus(ctx context.Context, id, status, errPart string) fleet.CommandResultData {
	r.t.Helper()
	deadline, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		res, err := r.console.WaitResult(deadline, id)
		if err != nil {
			r.t.Fatalf("no result for %s: %v", id, err)
		}
		if res.Status == status && strings.Contains(res.Error, errPart) {
			return res
		}
		if res.Status != fleet.StatusOK || status == fleet.StatusOK {
			r.t.Fatalf("result for %s = %+v; want %s with %q", id, res, status, errPart)
		}
		r.console.Forget(id) // the first (ok) result of a replayed id: wait for the next
	}
}

// fakeBinary writes an executable that prints its version, as `storeagent version` does.
func fakeBinary(t *testing.T, path, version string) []byte {
	t.Helper()
	b := []byte("#!/bin/sh\necho storeagent " + version + "\n")
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestFleet_update: a signed update for the store's ring is downloaded over HTTPS, checked and
// swapped in keeping the previous binary; the new one, healthy, reports applied. A wrong SHA-256,
// another ring and a package-managed install are refused; a new binary that is not healthy in
// time is rolled back to the previous one.
func TestFleet_update(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the fake binaries are shell scripts")
	}
	r := newFleetRig(t, "")
	bin := filepath.Join(r.dir, "bin", "storeagent")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	v1 := fakeBinary(t, bin, "v1")
	v2 := []byte("#!/bin/sh\necho storeagent v2\n")
	v3 := []byte("#!/bin/sh\necho storeagent v3\n")
	files := map[string][]byte{"/v2": v2, "/v3": v3}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, ok := files[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	r.opts.Fleet = FleetOptions{Tick: 20 * time.Millisecond, Binary: bin, HTTPClient: srv.Client()}
	r.opts.Version = "v1"
	run, _ := r.start()
	run.waitOnline(t)
	ctx := r.ctx()

	// Another ring: refused, nothing downloaded.
	if err := r.console.OfferUpdate(ctx, fleetStore, fleet.UpdateAvailableData{Version: "v2", URL: srv.URL + "/v2", SHA256: sha256Hex(v2), Ring: "canary"}); err != nil {
		t.Fatal(err)
	}
	rep, err := r.console.WaitUpdate(ctx, fleetStore, "v2")
	if err != nil || rep.Status != fleet.StatusRejected || !strings.Contains(rep.Error, "ring") {
		t.Fatalf("update for another ring: %+v, %v; want rejected naming the ring", rep, err)
	}
	// A wrong SHA-256: refused after the download, the binary untouched.
	if err := r.console.OfferUpdate(ctx, fleetStore, fleet.UpdateAvailableData{Version: "v3", URL: srv.URL + "/v3", SHA256: sha256Hex(v2), Ring: "stable"}); err != nil {
		t.Fatal(err)
	}
	rep, err = r.console.WaitUpdate(ctx, fleetStore, "v3")
	if err != nil || rep.Status != fleet.StatusRejected || !strings.Contains(rep.Error, "sha256") {
		t.Fatalf("update with a wrong sha256: %+v, %v; want rejected naming sha256", rep, err)
	}
	if got, _ := os.ReadFile(bin); string(got) != string(v1) {
		t.Fatalf("the binary changed after a refused update: %q", got)
	}

	// The good one: swapped, previous kept, restart.
	if err := r.console.OfferUpdate(ctx, fleetStore, fleet.UpdateAvailableData{Version: "v2", URL: srv.URL + "/v2", SHA256: sha256Hex(v2), Ring: "stable"}); err != nil {
		t.Fatal(err)
	}
	if !run.waitExit(t, 10*time.Second) {
		t.Fatal("the update did not restart the agent")
	}
	if got, _ := os.ReadFile(bin); string(got) != string(v2) {
		t.Fatalf("binary after the swap = %q; want v2", got)
	}
	if got, _ := os.ReadFile(bin + ".prev"); string(got) != string(v1) {
		t.Fatalf("previous binary = %q; want v1", got)
	}
	r.opts.Version = "v2" // the service starts the new binary
	run, _ = r.start()
	rep, err = r.console.WaitUpdate(ctx, fleetStore, "v2", fleet.StatusApplied)
	if err != nil || rep.Running != "v2" {
		t.Fatalf("after the restart: %+v, %v; want applied, running v2", rep, err)
	}

	// v3 again with the right hash: installed; but after the restart the store cannot reach its
	// broker, so it is rolled back to v2.
	if err := r.console.OfferUpdate(ctx, fleetStore, fleet.UpdateAvailableData{Version: "v3", URL: srv.URL + "/v3", SHA256: sha256Hex(v3), Ring: "stable"}); err != nil {
		t.Fatal(err)
	}
	if !run.waitExit(t, 10*time.Second) {
		t.Fatal("update v3 did not restart the agent")
	}
	r.writeConfig("tcp://127.0.0.1:9", "") // the new binary cannot reach the broker
	r.opts.Version = "v3"
	run, _ = r.start()
	if !run.waitExit(t, 10*time.Second) {
		t.Fatal("the unhealthy v3 was not rolled back with a restart")
	}
	if got, _ := os.ReadFile(bin); string(got) != string(v2) {
		t.Fatalf("binary after the rollback = %q; want v2 back", got)
	}
	r.writeConfig(r.broker, "")
	r.opts.Version = "v2"
	run, _ = r.start()
	rep, err = r.console.WaitUpdate(ctx, fleetStore, "v3", fleet.StatusRolledBack)
	if err != nil || rep.Running != "v2" || !strings.Contains(rep.Error, "not healthy") {
		t.Fatalf("after the rollback: %+v, %v; want rolled_back, running v2", rep, err)
	}
	// The retained v3 comes again on connect, and after v2's own report: a version rolled back
	// is never tried again.
	run.waitOnline(t)
	if err := r.console.OfferUpdate(ctx, fleetStore, fleet.UpdateAvailableData{Version: "v3", URL: srv.URL + "/v3", SHA256: sha256Hex(v3), Ring: "stable"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-run.done:
		t.Fatalf("the agent stopped (%v) on a version it rolled back", err)
	default:
	}
	if got, _ := os.ReadFile(bin); string(got) != string(v2) {
		t.Fatalf("binary = %q; want v2", got)
	}
}

// TestFleet_updatePackageManaged: on a .deb/.rpm install the update is refused with what to do.
func TestFleet_updatePackageManaged(t *testing.T) {
	t.Parallel()
	r := newFleetRig(t, "")
	r.opts.Fleet.Binary = "/usr/bin/storeagent"
	r.opts.Version = "v1"
	run, _ := r.start()
	run.waitOnline(t)
	ctx := r.ctx()
	if err := r.console.OfferUpdate(ctx, fleetStore, fleet.UpdateAvailableData{Version: "v2", URL: "https://example.invalid/v2", SHA256: strings.Repeat("0", 64), Ring: "stable"}); err != nil {
		t.Fatal(err)
	}
	rep, err := r.console.WaitUpdate(ctx, fleetStore, "v2")
	if err != nil || rep.Status != fleet.StatusRejected || rep.Error != "package-managed: update through apt/dnf" {
		t.Fatalf("report = %+v, %v; want rejected, package-managed", rep, err)
	}
}

// TestFleet_reprintAndDiagnosticsURL: reprint sends a sale's receipt to the store's network
// printer through the print queue; with fleet.diagnostics_url the bundle is POSTed over HTTPS.
func TestFleet_reprintAndDiagnosticsURL(t *testing.T) {
	t.Parallel()
	printer, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer printer.Close()
	printed := make(chan []byte, 4)
	go func() {
		for {
			c, err := printer.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64<<10)
				var got []byte
				for {
					c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
					n, err := c.Read(buf)
					got = append(got, buf[:n]...)
					// Answer every real-time status request (DLE EOT n) with "ready" (0x12).
					for i := 0; i+1 < n; i++ {
						if buf[i] == 0x10 && buf[i+1] == 0x04 {
							c.Write([]byte{0x12})
						}
					}
					if err != nil {
						break
					}
				}
				if len(got) > 0 {
					printed <- got
				}
			}()
		}
	}()
	uploads := make(chan *http.Request, 1)
	bodies := make(chan int, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		uploads <- req
		bodies <- len(b)
	}))
	defer srv.Close()
	r := newFleetRig(t, "  diagnostics_url: "+srv.URL+"/bundles\ndevices:\n  - {name: p1, type: printer, transport: tcp, path: \""+printer.Addr().String()+"\"}\n")
	r.opts.Fleet.HTTPClient = srv.Client()
	run, _ := r.start()
	run.waitOnline(t)
	ctx := r.ctx()
	items, stock, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if err := run.a.POS.SeedCatalog(ctx, items, stock); err != nil {
		t.Fatal(err)
	}
	saleID := "01930000-0000-7000-8000-000000000001"
	body := fmt.Sprintf(`{"sale_id":%q,"terminal":"lane1","cashier":"t","lines":[{"code":%q,"qty":1}],"payments":[{"method":"card","amount_minor":%d}]}`,
		saleID, items[0].SKU, items[0].PriceMinor)
	req, _ := http.NewRequestWithContext(ctx, "POST", run.a.URL()+"/api/v1/sales", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("sale: %s %s", resp.Status, msg)
	}

	id, err := r.console.Command(ctx, fleetStore, fleet.CommandReprint, map[string]string{"sale_id": saleID})
	if err != nil {
		t.Fatal(err)
	}
	res := r.waitResultStatus(ctx, id, fleet.StatusOK, "")
	if !strings.Contains(string(res.Result), "job_id") {
		t.Errorf("reprint result = %s", res.Result)
	}
	select {
	case got := <-printed:
		if !bytes.Contains(got, []byte(items[0].Name)) {
			t.Errorf("the printer got %d bytes without the item's name %q", len(got), items[0].Name)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing reached the printer")
	}

	id, err = r.console.Command(ctx, fleetStore, fleet.CommandDiagnostics, nil)
	if err != nil {
		t.Fatal(err)
	}
	res = r.waitResultStatus(ctx, id, fleet.StatusOK, "")
	select {
	case up := <-uploads:
		if up.URL.Path != "/bundles" || up.Header.Get("X-Storeagent-Command") != id || up.Header.Get("Content-Type") != "application/gzip" {
			t.Errorf("upload: %s %v", up.URL.Path, up.Header)
		}
		if n := <-bodies; n == 0 || !strings.Contains(string(res.Result), srv.URL) {
			t.Errorf("upload of %d bytes, result %s", n, res.Result)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no bundle uploaded")
	}
}
