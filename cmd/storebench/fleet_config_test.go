package main

import (
	"context"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/broker"
)

// TestFleetConfigBench: 20 simulated stores all get a signed overlay, restart on it and report it
// applied; the row is measured and meets its goal (scaled to 20 stores).
func TestFleetConfigBench(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	url, stop, err := broker.Start(t.Context(), broker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	b := fleetConfigBench{Stores: 20, Broker: url, DataDir: t.TempDir(), Timeout: 60 * time.Second}
	res, err := b.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 20 || res.Restarts < 20 {
		t.Fatalf("applied %d of 20 after %d restarts", res.Applied, res.Restarts)
	}
	rep := fleetConfigReport(res)
	if st := rep.Rows[0].Status(); st != "ok" {
		t.Errorf("row status %s: %+v", st, rep.Rows[0])
	}
}
