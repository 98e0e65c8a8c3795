package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"

	"github.com/storeagent/storeagent/agent"
)

func (m *Main) demoCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	httpAddr := fs.String("http", "127.0.0.1:0", "HTTP listen address (port 0: a free port)")
	dataDir := fs.String("data", "", "data directory (default: a new temporary directory)")
	verbose := fs.Bool("v", false, "debug logging")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
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
	cfg, err := agent.DemoConfig(*dataDir, ln.Addr().String(), scannerPath)
	if err != nil {
		return err
	}
	items, stock, err := agent.DemoCatalog()
	if err != nil {
		return err
	}
	return m.runAgent(ctx, cfg, *verbose, func(a *agent.Agent) error {
		if err := a.POS.SeedCatalog(ctx, items, stock); err != nil {
			return fmt.Errorf("seed demo catalogue: %w", err)
		}
		base := a.URL()
		if vs != nil {
			var codes []string
			for _, it := range items {
				codes = append(codes, it.GTINs[0])
			}
			vs.register(a.API, codes)
			fmt.Fprintf(m.Stdout, "Virtual scanner: %s (scan from %s/demo; lane1's POS receives it)\n", vs.Path(), base)
		}
		fmt.Fprintf(m.Stdout, `storeagent demo: a store with %d products is running. Ctrl+C stops it.

  POS URL:     %s/pos
  POS token:   %s   (terminal %s; Authorization: Bearer <token>)
  Aisle URL:   %s/p/%s
  Product API: %s/api/v1/products/%s
  Status:      curl -H 'Authorization: Bearer %s' %s/api/v1/status
  Data dir:    %s

Try a sale:
  curl -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' %s/api/v1/sales \
    -d '{"sale_id":"'$(cat /proc/sys/kernel/random/uuid)'","terminal":"%s","cashier":"demo","lines":[{"code":"%s","qty":2},{"code":"IT-PARMIGIANO","weight_g":350}],"payments":[{"method":"cash","amount_minor":5000}]}'
`, len(items), base, cfg.Terminals[0].Token, cfg.Terminals[0].ID, base, items[0].GTINs[0], base, items[0].GTINs[0],
			cfg.Terminals[0].Token, base, cfg.DataDir, cfg.Terminals[0].Token, base, cfg.Terminals[0].ID, items[0].GTINs[0])
		return nil
	})
}
