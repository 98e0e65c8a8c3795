package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/pos"
)

func (m *Main) demoCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	httpAddr := fs.String("http", "127.0.0.1:0", "HTTP listen address (port 0: a free port)")
	dataDir := fs.String("data", "", "data directory (default: a new temporary directory)")
	verbose := fs.Bool("v", false, "debug logging")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	if *dataDir == "" {
		d, err := os.MkdirTemp("", "storeagent-demo-")
		if err != nil {
			return fmt.Errorf("temporary data dir: %w", err)
		}
		*dataDir = d
	}
	// Bind first so the printed URLs carry the real port.
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("-http %s: %w", *httpAddr, err)
	}
	ln.Close()
	scannerPath := ""
	vs, err := newVirtualScanner()
	if err != nil {
		fmt.Fprintf(m.Stderr, "storeagent demo: %v; running without it\n", err)
	} else {
		defer vs.Close()
		scannerPath = vs.Path()
	}
	log := agent.NewLogger(agent.LogConfig{Format: "text", Level: "warn"}, m.Stderr, *verbose)
	central, err := agent.StartDemoCentral(ctx, *dataDir, log)
	if err != nil {
		return err
	}
	defer central.Close()
	cfg, err := agent.DemoConfig(*dataDir, ln.Addr().String(), scannerPath, central.BrokerURL)
	if err != nil {
		return err
	}
	items, _, err := agent.DemoCatalog()
	if err != nil {
		return err
	}
	printer := &pos.DemoPrinter{Dir: filepath.Join(*dataDir, "receipts"), Printers: []string{"lane1-printer"}}
	if printer.Model, err = demoPrinterModel(); err != nil {
		return err
	}
	return m.runAgentWith(ctx, cfg, *verbose, agent.Options{PrintDriver: printer}, func(a *agent.Agent) error {
		registerDemoReceipts(a.API, printer)
		base := a.URL()
		if vs != nil {
			var codes []string
			for _, it := range items {
				codes = append(codes, it.GTINs[0])
			}
			vs.register(a.API, codes)
			fmt.Fprintf(m.Stdout, "Virtual scanner: %s (scan from %s/demo; lane1's POS receives it)\n", vs.Path(), base)
		}
		// The catalogue comes from central through the real sync path once the agent connects;
		// stock counts and two click-and-collect orders follow. The URLs are printed once the
		// store can sell.
		go func() {
			if err := waitForCatalog(ctx, a, items[0].SKU); err != nil {
				fmt.Fprintf(m.Stderr, "storeagent demo: %v\n", err)
				return
			}
			if err := central.Seed(ctx, cfg.StoreID); err != nil {
				fmt.Fprintf(m.Stderr, "storeagent demo: %v\n", err)
			}
			printDemoBanner(m.Stdout, cfg, base, central.BrokerURL, items)
		}()
		return nil
	})
}

// waitForCatalog waits until the replica knows sku, i.e. central's snapshot has been applied.
func waitForCatalog(ctx context.Context, a *agent.Agent, sku string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := a.POS.Lookup(ctx, sku); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the catalogue did not arrive from central within 30 s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// printDemoBanner tells a newcomer where everything is.
func printDemoBanner(w io.Writer, cfg *agent.Config, base, brokerURL string, items []pos.CatalogItem) {
	term := cfg.Terminals[0]
	code := items[0].GTINs[0]
	fmt.Fprintf(w, `storeagent demo: a store with %d products is running. Ctrl+C stops it.

  POS URL:     %s/pos
  POS token:   %s   (terminal %s; Authorization: Bearer <token>)
  Aisle URL:   %s/p/%s
  Product API: %s/api/v1/products/%s
  Status:      curl -H 'Authorization: Bearer %s' %s/api/v1/status
  Data dir:    %s
  Central:     embedded MQTT broker %s with the central simulator

Try a sale:
  curl -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' %s/api/v1/sales \
    -d '{"sale_id":"'$(cat /proc/sys/kernel/random/uuid)'","terminal":"%s","cashier":"demo","lines":[{"code":"%s","qty":2},{"code":"IT-PARMIGIANO","weight_g":350}],"payments":[{"method":"cash","amount_minor":5000}]}'
`, len(items), base, term.Token, term.ID, base, code, base, code, term.Token, base, cfg.DataDir, brokerURL,
		term.Token, base, term.ID, code)
}
