package main

import (
	"context"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/broker"
)

// TestFleetConfigBench: 5 simulated stores all get a signed overlay, restart on it and report it
// applied, and the row is measured (its speed goal is the bench's business, not this test's).
func TestFleetConfigBench(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	url, stop, err := broker.Start(t.Context(), broker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	b := fleetConfigBench{Stores: 5, Broker: url, DataDir: t.TempDir(), Timeout: 60 * time.Second}
	res, err := b.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 5 || res.Restarts < 5 {
		t.Fatalf("applied %d of 5 after %d restarts", res.Applied, res.Restarts)
	}
	rep := fleetConfigReport(res)
	if st := rep.Rows[0].Status(); st == "error" {
		t.Errorf("row status %s: %+v", st, rep.Rows[0])
	}
}
