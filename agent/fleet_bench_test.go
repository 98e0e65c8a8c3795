package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/fleet"
)

// benchOverlay publishes one overlay version per iteration (made by overlay) and waits until the
// store reports it applied: the time from central's publish to the applied report, through the
// embedded broker, the fleet loop (its 20 ms tick), the apply and the health gate.
func benchOverlay(b *testing.B, overlay func(i int) string, want []string) {
	r := newFleetRig(b, "")
	run, _ := r.start()
	run.waitOnline(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	v := int64(0)
	for b.Loop() {
		v++
		if err := r.console.SetConfig(ctx, fleetStore, v, json.RawMessage(overlay(int(v)))); err != nil {
			b.Fatal(err)
		}
		rep, err := r.console.WaitConfig(ctx, fleetStore, v, fleet.StatusApplied, fleet.StatusRolledBack)
		if err != nil || rep.Status != fleet.StatusApplied || fmt.Sprint(append(rep.Restarted, rep.Reloaded...)) != fmt.Sprint(want) {
			b.Fatalf("version %d: %+v, %v; want applied by %v", v, rep, err, want)
		}
	}
	run.stillRunning(b)
}

// BenchmarkFleet_overlayInPlace: quick keys swapped in place.
func BenchmarkFleet_overlayInPlace(b *testing.B) {
	benchOverlay(b, func(i int) string { return fmt.Sprintf(`{"pos":{"quick_keys":["SKU-%d"]}}`, i) }, []string{fleet.PartPOS})
}

// BenchmarkFleet_overlaySyncReconnect: mqtt.client_id changed, the MQTT link reconnected.
func BenchmarkFleet_overlaySyncReconnect(b *testing.B) {
	benchOverlay(b, func(i int) string { return fmt.Sprintf(`{"mqtt":{"client_id":"storeagent-bench-%d"}}`, i) }, []string{fleet.PartSync})
}

// BenchmarkFleet_overlayWholeRestart: store.name changed, the agent stopped and started again
// in the process (as storeagent run does after exit 75, less the process start) until applied.
func BenchmarkFleet_overlayWholeRestart(b *testing.B) {
	r := newFleetRig(b, "")
	run, _ := r.start()
	run.waitOnline(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	v := int64(0)
	for b.Loop() {
		v++
		if err := r.console.SetConfig(ctx, fleetStore, v, json.RawMessage(fmt.Sprintf(`{"store":{"name":"Store %d"}}`, v))); err != nil {
			b.Fatal(err)
		}
		if !run.waitExit(b, time.Minute) {
			b.Fatal("no exit for a restart")
		}
		run, _ = r.start()
		rep, err := r.console.WaitConfig(ctx, fleetStore, v, fleet.StatusApplied, fleet.StatusRolledBack)
		if err != nil || rep.Status != fleet.StatusApplied || !rep.Whole() {
			b.Fatalf("version %d: %+v, %v", v, rep, err)
		}
	}
}
