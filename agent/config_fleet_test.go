package agent

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/sync/fleet"
)

func fleetTestConfig(t *testing.T, extra string) *Config {
	t.Helper()
	dir := t.TempDir()
	if err := fleet.WriteKeyPair(filepath.Join(dir, "c.key"), filepath.Join(dir, "c.pub")); err != nil {
		t.Fatal(err)
	}
	y := `store_id: it-mi-001
data_dir: data
mqtt:
  broker: tcp://broker.example:1883
terminals:
  - {id: lane1, token: ` + testToken + `}
  - {id: lane2, token: ` + testToken + `-2}
fleet:
  central_public_key_file: c.pub
` + extra
	p := filepath.Join(dir, "storeagent.yaml")
	if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := LoadConfig(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConfig_WithOverlay: the overlay merges key by key over the file, lists replace, pinned keys
// (IT's and the always-pinned) keep the file's values and are listed, and the result is
// validated like a file.
func TestConfig_WithOverlay(t *testing.T) {
	c := fleetTestConfig(t, "  pinned: [mqtt.broker]\n")
	got, ignored, err := c.WithOverlay([]byte(`{"mqtt":{"broker":"tcp://evil:1","topic_prefix":"shop"},
		"store_id":"other","fleet":{"ring":"canary"},"log":{"level":"debug"},
		"terminals":[{"id":"lane9","token":"` + testToken + `-9"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ignored)
	if want := []string{"fleet", "mqtt.broker", "store_id"}; !slices.Equal(ignored, want) {
		t.Errorf("ignored = %v; want %v", ignored, want)
	}
	if got.MQTT.Broker != "tcp://broker.example:1883" || got.MQTT.TopicPrefix != "shop" || got.StoreID != "it-mi-001" ||
		got.Fleet.Ring != "stable" || got.Log.Level != "debug" {
		t.Errorf("merged: broker %s prefix %s store %s ring %s log %s", got.MQTT.Broker, got.MQTT.TopicPrefix, got.StoreID, got.Fleet.Ring, got.Log.Level)
	}
	if len(got.Terminals) != 1 || got.Terminals[0].ID != "lane9" {
		t.Errorf("terminals = %+v; want the overlay's list", got.Terminals)
	}
	if c.Log.Level != "info" || len(c.Terminals) != 2 {
		t.Errorf("the file config changed: log %s, %d terminals", c.Log.Level, len(c.Terminals))
	}
	// A second overlay is merged over the file, not over the first.
	got2, _, err := got.WithOverlay([]byte(`{}`))
	if err != nil || got2.Log.Level != "info" || len(got2.Terminals) != 2 {
		t.Errorf("empty overlay: %v, log %s, %d terminals; want the file's", err, got2.Log.Level, len(got2.Terminals))
	}
	for ov, want := range map[string]string{
		`{"mqtt":{"brokr":"x"}}`:        "mqtt.brokr: unknown key",
		`{"log":{"level":"loud"}}`:      "log.level",
		`{"customers":{"cache_ttl":5}}`: "customers.cache_ttl",
		`[1]`:                           "not an object",
	} {
		if _, _, err := c.WithOverlay([]byte(ov)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("WithOverlay(%s) = %v; want an error with %q", ov, err, want)
		}
	}
}

func TestConfig_validateFleet(t *testing.T) {
	c := fleetTestConfig(t, "")
	c.Fleet.Ring = "Canary"
	c.Fleet.Pinned = []string{"mqtt.brokr", "http"}
	c.Fleet.DiagnosticsURL = "http://x"
	c.Fleet.HealthTimeout = 0
	c.Fleet.CentralPublicKeyFile = filepath.Join(t.TempDir(), "missing.pub")
	err := c.Validate()
	for _, want := range []string{"fleet.ring", "fleet.pinned[0]", "fleet.diagnostics_url", "fleet.central_public_key_file"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v; want a problem with %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "fleet.pinned[1]") || strings.Contains(err.Error(), "health_timeout") {
		t.Errorf("Validate = %v; http is a valid pin and health_timeout takes its default", err)
	}
}
