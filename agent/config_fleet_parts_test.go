package agent

import (
	"slices"
	"testing"

	"github.com/storeagent/storeagent/sync/fleet"
)

// TestConfigPlan: each key an overlay changes maps to the part that applies it (docs/fleet.md's
// table): quick keys in place, mqtt and customers by a reconnect, scanners by a device manager
// restart, and anything else — a printer, the listen address, fiscal, logging — by a restart of
// the whole agent. The same values again change nothing.
func TestConfigPlan(t *testing.T) {
	base := fleetTestConfig(t, `devices:
  - {name: s1, type: scanner, transport: serial, path: /dev/ttyACM0}
  - {name: p1, type: printer, transport: tcp, path: "127.0.0.1:9100"}
pos:
  quick_keys: [A]
`)
	const devs = `{"name":"p1","type":"printer","transport":"tcp","path":"127.0.0.1:9100"}`
	whole := fleet.Plan{Restarted: []string{fleet.PartAgent}}
	for _, tc := range []struct {
		name, overlay string
		want          fleet.Plan
	}{
		{"nothing", `{}`, fleet.Plan{}},
		{"same value", `{"pos":{"quick_keys":["A"]}}`, fleet.Plan{}},
		{"quick keys", `{"pos":{"quick_keys":["A","B"]}}`, fleet.Plan{Reloaded: []string{fleet.PartPOS}}},
		{"broker", `{"mqtt":{"broker":"tcp://other:1883"}}`, fleet.Plan{Restarted: []string{fleet.PartSync}}},
		{"customers", `{"customers":{"cache_ttl":"1h"}}`, fleet.Plan{Restarted: []string{fleet.PartSync}}},
		{"scanner path", `{"devices":[{"name":"s1","type":"scanner","transport":"serial","path":"/dev/ttyACM1"},` + devs + `]}`,
			fleet.Plan{Restarted: []string{fleet.PartDevices}}},
		{"scanner baud", `{"devices":[{"name":"s1","type":"scanner","transport":"serial","path":"/dev/ttyACM0","baud":115200},` + devs + `]}`,
			fleet.Plan{Restarted: []string{fleet.PartDevices}}},
		{"scanner added", `{"devices":[{"name":"s1","type":"scanner","transport":"serial","path":"/dev/ttyACM0"},` + devs +
			`,{"name":"s2","type":"scanner","transport":"serial","path":"/dev/ttyACM1"}]}`, fleet.Plan{Restarted: []string{fleet.PartDevices}}},
		{"printer changed", `{"devices":[{"name":"s1","type":"scanner","transport":"serial","path":"/dev/ttyACM0"},` +
			`{"name":"p1","type":"printer","transport":"tcp","path":"127.0.0.1:9101"}]}`, whole},
		{"scanner and quick keys and broker", `{"pos":{"quick_keys":["B"]},"mqtt":{"client_id":"x"},"devices":[{"name":"s1","type":"scanner","transport":"serial","path":"/dev/ttyACM1"},` + devs + `]}`,
			fleet.Plan{Restarted: []string{fleet.PartDevices, fleet.PartSync}, Reloaded: []string{fleet.PartPOS}}},
		{"quick keys and log level", `{"pos":{"quick_keys":["B"]},"log":{"level":"debug"}}`,
			fleet.Plan{Reloaded: []string{fleet.PartLog, fleet.PartPOS}}},
		{"log format", `{"log":{"format":"json"}}`, whole},
		{"listen", `{"http":{"listen":"127.0.0.1:8081"}}`, whole},
		{"locale", `{"locale":"it-IT"}`, whole},
		{"store name", `{"store":{"name":"Milano 1"}}`, whole},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, _, err := base.WithOverlay([]byte(tc.overlay))
			if err != nil {
				t.Fatal(err)
			}
			got := configPlan(base, next, true)
			if !slices.Equal(got.Restarted, tc.want.Restarted) || !slices.Equal(got.Reloaded, tc.want.Reloaded) {
				t.Errorf("plan = %+v (changes %v); want %+v", got, configChanges(base, next), tc.want)
			}
		})
	}
	// Without the logger's level (the CLI's -v forces debug), log.level restarts the agent.
	next, _, err := base.WithOverlay([]byte(`{"log":{"level":"debug"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := configPlan(base, next, false); !got.Whole() {
		t.Errorf("log.level without a level var: plan %+v; want a whole restart", got)
	}
}
