package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
)

// runFleet runs the fleet simulation (storebench fleet) and returns the exit code: 0; 1 when a row
// could not be measured (or, with -strict, missed its goal); 2 on bad usage — as the main bench.
//
// A fleet is N lightweight stores in this one process: each its own SQLite file and the agent's
// real sync engine (Syncer), selling at a steady pace, against one broker and K central simulators
// in a $share group. Mid-run the broker is killed (SIGKILL) and started again; the report says how
// the reconnects spread, how long until every outbox drained, and whether any event was lost.
func runFleet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("storebench fleet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fleetConfig{}
	fs.IntVar(&cfg.Stores, "stores", 1000, "simulated stores")
	fs.DurationVar(&cfg.Rate, "rate", 5*time.Second, "each store makes a sale (a sale and a stock movement event) this often")
	fs.DurationVar(&cfg.StartSpread, "start-spread", 20*time.Second, "stores start evenly over this long")
	fs.DurationVar(&cfg.Warmup, "warmup", 10*time.Second, "selling with every store online before the broker is killed")
	fs.DurationVar(&cfg.Outage, "outage", 10*time.Second, "how long the broker stays down")
	fs.DurationVar(&cfg.After, "after", 5*time.Second, "selling goes on this long after the broker is back")
	fs.IntVar(&cfg.Consumers, "consumers", 2, "central simulators sharing one $share group")
	fs.StringVar(&cfg.Broker, "broker", "", "an existing broker URL (then it is not restarted); default a private one (-broker-cluster)")
	fs.StringVar(&cfg.Cluster, "broker-cluster", "mosquitto", "the private broker: mosquitto (one node), nats (3 nodes, JetStream + MQTT; node 1 is killed) or rabbitmq (one node, rabbitmq_mqtt)")
	fs.StringVar(&cfg.NATSMQTT, "nats-mqtt", "", "with -broker-cluster nats: extra lines inside each node's mqtt { } block, e.g. 'consumer_replicas: 1'")
	fs.DurationVar(&cfg.Probe, "probe", 0, "first probe the private broker (retained, offline queue, QoS 1 redelivery, $share, max payload), waiting up to this long per message (NATS redelivers after its 30s ack_wait: use 35s)")
	fs.DurationVar(&cfg.Window, "window", 0, "the stores' reconnect window (mqtt.reconnect_window); 0 the default 45s, negative off")
	fs.DurationVar(&cfg.AckTimeout, "ack-timeout", 0, "the stores' ack timeout; 0 the default 30s")
	fs.StringVar(&cfg.DataDir, "data", "", "folder for the stores' databases; default /dev/shm when present, else the temp dir")
	out := fs.String("o", "", "also write the report to `PATH`.md and PATH.json (PATH may end in .md or .json)")
	strict := fs.Bool("strict", false, "exit 1 when a goal is missed, too")
	fs.DurationVar(&cfg.Timeout, "timeout", 15*time.Minute, "give up after this long")
	verbose := fs.Bool("v", false, "the stores' and central's warnings on stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || cfg.Stores < 1 || cfg.Consumers < 1 || cfg.Rate <= 0 || cfg.Outage < 0 || cfg.Timeout <= 0 {
		fmt.Fprintln(stderr, "storebench fleet: -stores, -consumers, -rate and -timeout must be positive, -outage not negative, and no arguments")
		return 2
	}
	switch cfg.Cluster {
	case "mosquitto", "nats", "rabbitmq":
	default:
		fmt.Fprintf(stderr, "storebench fleet: -broker-cluster %q: want mosquitto, nats or rabbitmq\n", cfg.Cluster)
		return 2
	}
	if cfg.DataDir == "" {
		cfg.DataDir = os.TempDir()
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			cfg.DataDir = "/dev/shm"
		}
	}
	cfg.Progress = stderr
	level := slog.LevelError + 1
	if *verbose {
		level = slog.LevelWarn
	}
	cfg.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	res, err := runFleetSim(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "storebench fleet: %v\n", err)
		return 1
	}
	rep := fleetReport(cfg, res)
	if err := rep.WriteMarkdown(stdout); err != nil {
		fmt.Fprintf(stderr, "storebench fleet: %v\n", err)
		return 1
	}
	if len(res.Probe) > 0 {
		fmt.Fprintf(stdout, "\nBroker probe (%s):\n\n", res.Broker)
		for _, f := range res.Probe {
			ok := "as the contract needs"
			if !f.OK {
				ok = "**differs from the contract**"
			}
			fmt.Fprintf(stdout, "- %s: %s — %s\n", f.Name, ok, f.Detail)
		}
	}
	if *out != "" {
		if err := writeOutputs(rep, *out); err != nil {
			fmt.Fprintf(stderr, "storebench fleet: %v\n", err)
			return 1
		}
	}
	return exitCode(rep, *strict, stderr)
}

// fleetReport turns a run into the bench's table: reconnect spread, drain time, lost and doubled
// events.
func fleetReport(cfg fleetConfig, r *fleetResult) *Report {
	title := fmt.Sprintf("storebench fleet — %d stores, broker killed for %s", r.Stores, cfg.Outage)
	if r.Nodes > 1 {
		title = fmt.Sprintf("storebench fleet — %d stores on a %d-node cluster, one node killed for %s", r.Stores, r.Nodes, cfg.Outage)
	}
	rep := &Report{Title: title,
		Version: version(), Date: time.Now(), Machine: ThisMachine(r.Broker)}
	second, peak := r.Peak()
	// A store is back within two windows of the loss (sync.Backoff.Slot), then drains within an
	// ack timeout even if its first publish found no central consumer subscribed yet.
	limit := 2*max(r.Window, 0) + r.AckTimeout
	label := fmt.Sprintf("≤ 2 × window + ack timeout (%s)", limit)
	window := r.Window.String()
	if r.Window < 0 {
		label, window = fmt.Sprintf("≤ ack timeout (%s)", limit), "off"
	}
	recon := Row{Measure: "reconnects in the busiest second after the broker restart, share of the stores",
		Value: 100 * float64(peak) / float64(r.Stores), Unit: "%",
		Goal: Goal{On: "value", Op: "<=", Limit: 5, Label: "≤ 5 % of the stores"},
		Notes: fmt.Sprintf("%d in second %d after the broker came back; %d of %d stores reconnected (%d were on the killed node), %d connections in all, the last %.1f s after; reconnect window %s; per second: %s; start: busiest second %d first connections (stores started over %s), %d lost links before the kill; a retained message on the killed node: %s",
			peak, second, r.Reconnected, r.Stores, r.KilledStores, r.ReconnectSum(), r.AllBack.Seconds(), window, fleetHistText(r.Reconnects),
			r.InitialPeak, cfg.StartSpread, r.Unexpected, r.Retained)}
	if !r.Restarted {
		recon.Err = "the broker was not restarted (-broker names an existing one)"
	}
	drain := Row{Measure: "time until every outbox drained after the broker came back", Value: r.Drained.Seconds(), Unit: "s",
		Goal:  Goal{On: "value", Op: "<=", Limit: limit.Seconds(), Label: label},
		Notes: fmt.Sprintf("selling stopped %s after the broker came back; %d events unacked at the end", cfg.After, r.Unacked)}
	if r.Drained == 0 {
		drain.Err = fmt.Sprintf("not drained within -timeout %s: %d outbox events unacked", cfg.Timeout, r.Unacked)
	}
	lost := Row{Measure: "events lost (stored at a store, never at central)", Value: float64(r.Lost), Unit: "events",
		Goal: Goal{On: "value", Op: "<=", Limit: 0, Label: "0"},
		Notes: fmt.Sprintf("%d sales = %d events accepted (%d from the kill until selling stopped), %d stored at central by %d consumers (%s); %d lost although acked; %d sales failed",
			r.Sales, r.Appended, r.DuringDown, r.Stored, cfg.Consumers, consumersText(r), r.AckedLost, r.SaleErrors)}
	dups := Row{Measure: "events stored twice at central (same store, topic, epoch and seq)", Value: float64(r.Duplicates), Unit: "events",
		Goal: Goal{On: "value", Op: "<=", Limit: 0, Label: "0"},
		Notes: fmt.Sprintf("%d redeliveries absorbed by central's dedup on event id; %d seq gaps; this process at peak: %d goroutines, %d open files, %.0f MB RSS (%.1f MB per store); broker %.0f MB RSS after the restart; run took %s",
			r.Redeliveries, r.Gaps, r.PeakGoroutines, r.PeakFDs, r.PeakRSSMB, r.PeakRSSMB/float64(r.Stores), r.BrokerRSSMB,
			r.Elapsed.Round(time.Second))}
	if r.Gaps > 0 {
		dups.Err = fmt.Sprintf("%d seq gaps at central", r.Gaps)
	}
	rep.Rows = []Row{recon, drain, lost, dups}
	return rep
}

// fleetHistText prints a histogram as "12 30 28 …", trailing zeros dropped.
func fleetHistText(h []int) string {
	if len(h) == 0 {
		return "none"
	}
	parts := make([]string, len(h))
	for i, n := range h {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, " ")
}

// consumersText says how central's consumers shared the stores.
func consumersText(r *fleetResult) string {
	how := "one $share group"
	if !r.Shared {
		how = "no $share on this broker: each consumer subscribed to every store, dedup kept one copy"
	}
	if r.Nodes > 1 {
		how += fmt.Sprintf(", spread over the %d nodes like the stores", r.Nodes)
	}
	return how
}
