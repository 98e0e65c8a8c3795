package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/sync/broker"
	"github.com/storeagent/storeagent/sync/fleet"
)

// testBroker is Mosquitto on 127.0.0.1:1883 when it answers (as in CI), else an embedded broker.
func testBroker(t *testing.T) string {
	t.Helper()
	if c, err := net.DialTimeout("tcp", "127.0.0.1:1883", 300*time.Millisecond); err == nil {
		c.Close()
		return "tcp://127.0.0.1:1883"
	}
	if os.Getenv("STOREAGENT_REQUIRE_MOSQUITTO") == "1" {
		t.Fatal("STOREAGENT_REQUIRE_MOSQUITTO=1 but nothing answers on 127.0.0.1:1883")
	}
	url, stop, err := broker.Start(t.Context(), broker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url
}

// supervise runs the store's agent as a service manager would: started again whenever it exits
// for a fleet restart, until ctx ends.
func supervise(ctx context.Context, t *testing.T, cfgPath string, version string) <-chan error {
	done := make(chan error, 1)
	go func() {
		for {
			cfg, _, err := agent.LoadConfig(cfgPath, nil)
			if err == nil {
				var restart bool
				cfg, restart, err = agent.PrepareFleet(cfg)
				if err == nil && restart {
					continue
				}
			}
			if err != nil {
				done <- err
				return
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				done <- err
				return
			}
			a, err := agent.New(ctx, cfg, agent.Options{Listener: ln, Version: version, ShutdownTimeout: 2 * time.Second,
				Fleet: agent.FleetOptions{Binary: "-", Tick: 20 * time.Millisecond}})
			if err != nil {
				done <- err
				return
			}
			err = a.Run(ctx)
			if errors.Is(err, fleet.ErrRestart) && ctx.Err() == nil {
				continue
			}
			done <- err
			return
		}
	}()
	return done
}

// TestFleetConsole drives the whole loop through the CLI against a real broker: keygen, a store
// running with the public key, a command, a config overlay applied across the restart it needs,
// and the status table.
func TestFleetConsole(t *testing.T) {
	url := testBroker(t)
	dir := t.TempDir()
	key, pub := filepath.Join(dir, "central.key"), filepath.Join(dir, "central.pub")
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	fleetCLI := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := runFleet(ctx, append(args[:1:1], append([]string{"-broker", url, "-key", key}, args[1:]...)...), &out)
		return out.String(), err
	}
	if out, err := fleetCLI("keygen", "-pub", pub); err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	store := "t-" + uuid.NewString()[:8]
	cfgPath := filepath.Join(dir, "storeagent.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store_id: %s
data_dir: data
http: {listen: "127.0.0.1:0"}
mqtt: {broker: "%s", reconnect_window: 0s}
fleet: {central_public_key_file: central.pub, idle_for: 0s, health_timeout: 5s}
`, store, url)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { clearRetained(url, store) })
	actx, stop := context.WithCancel(ctx)
	done := supervise(actx, t, cfgPath, "v-test")
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("agent: %v", err)
		}
	}()

	// Commands are not retained: send them once the store is online (its retained status says so).
	for i := 0; ; i++ {
		out, err := fleetCLI("status", "-stores", store, "-wait", "500ms")
		if err == nil && strings.Contains(out, "true") {
			break
		}
		if i == 40 {
			t.Fatalf("the store did not come online:\n%s", out)
		}
	}
	out, err := fleetCLI("command", "-stores", store, "-name", "resync", "-args", `{"topic":"catalog"}`, "-wait", "20s")
	if err != nil || !strings.Contains(out, "resync\tok") {
		t.Fatalf("fleet command: %v\n%s", err, out)
	}
	out, err = fleetCLI("config", "-stores", store, "-version", "1", "-overlay", `{"customers":{"cache_ttl":"3h"}}`, "-wait", "30s")
	if err != nil || !strings.Contains(out, "v1\tapplied") {
		t.Fatalf("fleet config: %v\n%s", err, out)
	}
	out, err = fleetCLI("config", "-stores", store, "-version", "2", "-overlay", `{"log":{"level":"loud"}}`, "-wait", "20s")
	if err == nil || !strings.Contains(out, "v2\trejected") || !strings.Contains(out, "log.level") {
		t.Fatalf("fleet config (invalid): %v\n%s", err, out)
	}
	out, err = fleetCLI("status", "-stores", store, "-wait", "1s")
	if err != nil || !strings.Contains(out, store) || !strings.Contains(out, "v-test") || !strings.Contains(out, "v2 rejected") {
		t.Fatalf("fleet status: %v\n%s", err, out)
	}
}

// clearRetained removes the test store's retained messages from a shared broker.
func clearRetained(url, store string) {
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID("clear-" + store))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		return
	}
	defer c.Disconnect(100)
	for _, rel := range []string{"status", fleet.TopicConfigDesired, fleet.TopicConfigReported, fleet.TopicUpdate, fleet.TopicUpdateReported} {
		c.Publish("retail/stores/"+store+"/"+rel, 1, true, []byte{}).WaitTimeout(5 * time.Second)
	}
}
