package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/broker"
)

// haveMosquitto reports whether a mosquitto binary is installed; without one it fails the test
// when STOREAGENT_REQUIRE_MOSQUITTO=1 (as sync/mosquitto_test.go).
func haveMosquitto(t *testing.T) bool {
	t.Helper()
	if _, err := broker.MosquittoBinary(); errors.Is(err, broker.ErrNoMosquitto) {
		if os.Getenv("STOREAGENT_REQUIRE_MOSQUITTO") == "1" {
			t.Fatal("no mosquitto binary and STOREAGENT_REQUIRE_MOSQUITTO=1")
		}
		return false
	}
	return true
}

// needMosquitto skips without a mosquitto binary: the fleet kills and restarts its broker.
func needMosquitto(t *testing.T) {
	t.Helper()
	if !haveMosquitto(t) {
		t.Skip("no mosquitto binary (the fleet restarts a private Mosquitto)")
	}
}

// smallFleet is a fleet that runs in seconds: 20 stores selling twice a second, a 2 s outage,
// a 3 s reconnect window.
func smallFleet(t *testing.T) fleetConfig {
	return fleetConfig{Stores: 20, Rate: 500 * time.Millisecond, StartSpread: time.Second, Warmup: 2 * time.Second,
		Outage: 2 * time.Second, After: time.Second, Consumers: 2, Window: 3 * time.Second, AckTimeout: 5 * time.Second,
		DataDir: t.TempDir(), Timeout: 60 * time.Second}
}

// TestRunFleetSim: a small fleet loses its broker (SIGKILL) and gets it back: nothing is lost or
// stored twice, every outbox drains, every store reconnects once and the histogram adds up to them,
// spread over the window.
func TestRunFleetSim(t *testing.T) {
	needMosquitto(t)
	if testing.Short() {
		t.Skip("-short")
	}
	cfg := smallFleet(t)
	res, err := runFleetSim(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Restarted {
		t.Fatal("the broker was not restarted")
	}
	if res.Lost != 0 || res.AckedLost != 0 {
		t.Errorf("%d events lost (%d of them acked), want 0", res.Lost, res.AckedLost)
	}
	if res.Appended == 0 || res.DuringDown == 0 || res.Stored != int(res.Appended) {
		t.Errorf("appended %d (%d from the kill on), central stored %d; want every event, some from the outage",
			res.Appended, res.DuringDown, res.Stored)
	}
	if res.Drained == 0 || res.Unacked != 0 {
		t.Errorf("drained after %s with %d unacked; want every outbox acked", res.Drained, res.Unacked)
	}
	if res.Duplicates != 0 || res.Gaps != 0 {
		t.Errorf("%d duplicates and %d seq gaps at central, want 0", res.Duplicates, res.Gaps)
	}
	if res.Reconnected != cfg.Stores {
		t.Errorf("%d of %d stores reconnected", res.Reconnected, cfg.Stores)
	}
	if got := res.ReconnectSum(); got != res.Reconnected {
		t.Errorf("histogram %v sums to %d, want the %d stores that reconnected", res.Reconnects, got, res.Reconnected)
	}
	// Spread: the first slot is 3 s, so the stores come back over more than one second.
	if _, peak := res.Peak(); peak == cfg.Stores {
		t.Errorf("every store reconnected in the same second (%v)", res.Reconnects)
	}
	if res.SaleErrors != 0 {
		t.Errorf("%d sales failed during the outage, want 0 (the store sells offline)", res.SaleErrors)
	}
}

// TestRunFleet_report runs storebench fleet end to end with -o and checks the table and files.
func TestRunFleet_report(t *testing.T) {
	needMosquitto(t)
	if testing.Short() {
		t.Skip("-short")
	}
	out := t.TempDir() + "/fleet"
	var stdout, stderr bytes.Buffer
	code := runFleet(context.Background(), []string{"-stores", "10", "-rate", "500ms", "-start-spread", "500ms",
		"-warmup", "1s", "-outage", "1s", "-after", "500ms", "-window", "2s", "-ack-timeout", "4s",
		"-data", t.TempDir(), "-timeout", "60s", "-o", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"reconnects in the busiest second", "time until every outbox drained", "events lost", "events stored twice"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report has no row %q:\n%s", want, stdout.String())
		}
	}
	for _, ext := range []string{".md", ".json"} {
		if b, err := os.ReadFile(out + ext); err != nil || len(b) == 0 {
			t.Errorf("%s%s: %v", out, ext, err)
		}
	}
}

func TestRunFleet_usage(t *testing.T) {
	for _, args := range [][]string{{"-stores", "0"}, {"-rate", "0s"}, {"extra"}, {"-nosuchflag"}, {"-broker-cluster", "kafka"}} {
		var stdout, stderr bytes.Buffer
		if code := runFleet(context.Background(), args, &stdout, &stderr); code != 2 {
			t.Errorf("runFleet(%q) = %d, want 2", args, code)
		}
	}
}

func TestFleetHistogram(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	kill, back := t0.Add(10*time.Second), t0.Add(20*time.Second)
	all := []fleetConnect{{0, t0}, {1, t0.Add(time.Second)}, {1, t0.Add(5 * time.Second)}, // store 1 lost its link once
		{0, back.Add(300 * time.Millisecond)}, {1, back.Add(2500 * time.Millisecond)}, {1, back.Add(2900 * time.Millisecond)}}
	hist, reconnected, allBack, unexpected := fleetHistogram(all, 2, kill, back)
	if want := []int{1, 0, 2}; !equalInts(hist, want) {
		t.Errorf("histogram %v, want %v", hist, want)
	}
	if reconnected != 2 || unexpected != 1 || allBack != 2900*time.Millisecond {
		t.Errorf("reconnected %d, unexpected %d, all back after %s; want 2, 1, 2.9s", reconnected, unexpected, allBack)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRunFleetSim_NATS runs the small fleet on a private 3-node NATS cluster and kills node 1: the
// stores on it (every third) reconnect, nothing is lost or stored twice, and the retained message
// published on node 1 before the kill is read from it after the restart. About 30 s, so it runs
// only with STOREAGENT_FLEET_NATS=1 (the cluster runs are a documented bench, docs/scaling.md).
func TestRunFleetSim_NATS(t *testing.T) {
	if os.Getenv("STOREAGENT_FLEET_NATS") != "1" {
		t.Skip("set STOREAGENT_FLEET_NATS=1 to run the fleet on a private NATS cluster")
	}
	if _, err := broker.NATSBinary(); err != nil {
		t.Skip(err)
	}
	cfg := smallFleet(t)
	cfg.Cluster = "nats"
	res, err := runFleetSim(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Nodes != 3 || res.Shared || res.KilledStores != 7 {
		t.Errorf("nodes %d, shared %v, stores on the killed node %d; want 3, false, 7 (of 20)", res.Nodes, res.Shared, res.KilledStores)
	}
	if res.Lost != 0 || res.Duplicates != 0 || res.Gaps != 0 || res.Stored != int(res.Appended) || res.Appended == 0 {
		t.Errorf("appended %d, stored %d, lost %d, duplicates %d, gaps %d; want all stored once", res.Appended, res.Stored, res.Lost, res.Duplicates, res.Gaps)
	}
	if res.Drained == 0 || res.Reconnected < res.KilledStores {
		t.Errorf("drained after %s, %d reconnected; want drained and the %d stores of node 1 back", res.Drained, res.Reconnected, res.KilledStores)
	}
	if res.Retained != "kept" {
		t.Errorf("retained message across the kill: %s, want kept", res.Retained)
	}
}
