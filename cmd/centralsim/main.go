// Command centralsim runs the central platform simulator (package sync/centralsim) against an MQTT
// broker: it serves the catalogue and promotions from JSON files, answers customer lookups from another, stores
// the stores' events in its own SQLite file and acks them.
//
//	centralsim -broker tcp://127.0.0.1:1883 -catalog catalog.json -customers customers.json \
//	    -promotions promotions.json -db central.db -stores it-mi-001,it-mi-002
//
// Run several with the same -group to split the load ($share subscriptions).
//
// `centralsim fleet keygen|status|config|command|update` is IT's fleet console (docs/fleet.md):
//
//	centralsim fleet keygen -key central.key -pub central.pub
//	centralsim fleet config -stores it-mi-001 -version 2 -overlay '{"log":{"level":"debug"}}'
//	centralsim fleet command -stores it-mi-001 -name diagnostics -o bundle.json
//	centralsim fleet update -stores it-mi-001 -version v1.4.0 -url https://… -file storeagent -ring canary
//	centralsim fleet status -wait 2s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/storeagent/storeagent/pos/promo"
	"github.com/storeagent/storeagent/sync/centralsim"
)

func main() {
	err := run(os.Args[1:])
	var usage usageError
	switch {
	case err == nil:
	case errors.As(err, &usage):
		os.Exit(2) // flag has printed the problem and the usage
	default:
		fmt.Fprintln(os.Stderr, "centralsim:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "fleet" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runFleet(ctx, args[1:], os.Stdout)
	}
	fs := flag.NewFlagSet("centralsim", flag.ContinueOnError)
	broker := fs.String("broker", "tcp://127.0.0.1:1883", "MQTT broker URL")
	prefix := fs.String("prefix", "retail", "topic prefix")
	group := fs.String("group", "centralsim", "$share group")
	clientID := fs.String("client-id", "", "MQTT client id (default centralsim-<random>)")
	username := fs.String("username", "", "MQTT username")
	catalogFile := fs.String("catalog", "", "catalogue JSON file: an array of items as in retail.catalog.delta")
	customersFile := fs.String("customers", "", "customers JSON file: an array of {customer_id, name, tier, points}")
	promotionsFile := fs.String("promotions", "", "promotions JSON file: an array of promotions as in retail.promotion.delta, sent to -stores at start")
	dbPath := fs.String("db", "centralsim.db", "SQLite file for received events")
	stores := fs.String("stores", "", "comma-separated store ids to send a catalogue snapshot to at start")
	chunk := fs.Int("chunk", 500, "items per snapshot chunk")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	opts := centralsim.Options{Broker: *broker, TopicPrefix: *prefix, Group: *group, ClientID: *clientID,
		Username: *username, Password: os.Getenv("CENTRALSIM_PASSWORD"), DBPath: *dbPath, ChunkSize: *chunk,
		Customers: map[string]centralsim.Customer{}}
	if *catalogFile != "" {
		if err := readJSON(*catalogFile, &opts.Catalog); err != nil {
			return err
		}
	}
	if *customersFile != "" {
		var cs []centralsim.Customer
		if err := readJSON(*customersFile, &cs); err != nil {
			return err
		}
		for _, c := range cs {
			opts.Customers[c.CustomerID] = c
		}
	}
	for _, it := range opts.Catalog {
		if err := it.Validate(); err != nil {
			return fmt.Errorf("%s: %w", *catalogFile, err)
		}
	}
	var promotions []promo.Promotion
	if *promotionsFile != "" {
		if err := readJSON(*promotionsFile, &promotions); err != nil {
			return err
		}
		for _, p := range promotions {
			if err := p.Validate(); err != nil {
				return fmt.Errorf("%s: %w", *promotionsFile, err)
			}
		}
	}
	sim, err := centralsim.New(opts)
	if err != nil {
		return err
	}
	defer sim.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		select {
		case <-ctx.Done():
			return
		case <-sim.Connected():
		}
		slog.Info("connected", "broker", *broker, "items", len(opts.Catalog), "promotions", len(promotions))
		var targets []string
		for _, st := range strings.Split(*stores, ",") {
			if st = strings.TrimSpace(st); st == "" {
				continue
			}
			targets = append(targets, st)
			if err := sim.PublishSnapshot(ctx, st); err != nil {
				slog.Error("snapshot", "store", st, "err", err)
			}
		}
		if len(promotions) > 0 {
			if _, err := sim.PublishPromotions(ctx, targets, promotions...); err != nil {
				slog.Error("promotions", "err", err)
			}
		}
	}()
	return sim.Run(ctx)
}

// usageError is a bad command line (exit status 2).
type usageError struct{ error }

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
