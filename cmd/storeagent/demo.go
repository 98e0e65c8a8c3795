package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
)

func (m *Main) demoCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	httpAddr := fs.String("http", "127.0.0.1:0", "HTTP listen address (port 0: a free port)")
	dataDir := fs.String("data", "", "data directory, created if missing and kept (default: a new temporary directory, removed on stop)")
	country := fs.String("country", "it", "the demo store's country, with its own products and VAT rates: "+strings.Join(agent.DemoCountries(), ", "))
	verbose := fs.Bool("v", false, "debug logging")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	store, err := agent.DemoStoreFor(*country)
	if err != nil {
		return usagef("-country: %v", err)
	}
	dir, cleanup, err := demoDataDir(*dataDir, m.Stdout)
	if err != nil {
		return err
	}
	defer cleanup()
	*dataDir = dir
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
	central, err := agent.StartDemoCentral(ctx, store, *dataDir, log)
	if err != nil {
		return err
	}
	defer central.Close()
	cfg, err := agent.DemoConfig(store, *dataDir, ln.Addr().String(), scannerPath, central.BrokerURL)
	if err != nil {
		return err
	}
	if strings.HasPrefix(store.Locale, "it") {
		// An Italian store registers every sale on its RT: the demo runs the fpmate emulator.
		rt := fpmateemu.New("")
		url, _, err := rt.Start(ctx, "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("RT emulator: %w", err)
		}
		if err := agent.DemoRT(cfg, url); err != nil {
			return err
		}
	}
	stopTerminal, eptAddr, err := startDemoTerminal(cfg)
	if err != nil {
		return err
	}
	defer stopTerminal()
	items := store.Items
	printer := &devices.DemoPrinter{Dir: filepath.Join(*dataDir, "receipts"), Printers: []string{"lane1-printer"}}
	if printer.Model, err = demoPrinterModel(); err != nil {
		return err
	}
	return m.runAgentWith(ctx, cfg, *verbose, agent.Options{PrintDriver: printer}, func(a *agent.Agent) error {
		registerDemoReceipts(a.API, printer)
		base := a.URL()
		if vs != nil {
			var codes []demoCode
			for _, it := range items {
				codes = append(codes, demoCode{Code: it.GTINs[0], Name: it.Name})
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
			printDemoBanner(m.Stdout, cfg, base, central.BrokerURL, store)
			fmt.Fprintf(m.Stdout, "  Card terminal: Caisse-AP emulator on %s (the POS card button waits %s for its approval)\n", eptAddr, demoTerminalDelay)
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

// demoCode is one entry of the /demo scan list: the code to scan and the product's name.
type demoCode struct{ Code, Name string }

// demoDataDir returns the demo's data directory. An explicit dir is created when missing and kept;
// without one the demo makes a temporary directory, and cleanup removes it and says so on w.
func demoDataDir(dir string, w io.Writer) (path string, cleanup func(), err error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", nil, fmt.Errorf("-data %s: %w", dir, err)
		}
		return dir, func() { fmt.Fprintf(w, "storeagent demo: stopped; data kept in %s\n", dir) }, nil
	}
	d, err := os.MkdirTemp("", "storeagent-demo-")
	if err != nil {
		return "", nil, fmt.Errorf("temporary data dir: %w", err)
	}
	return d, func() {
		if err := os.RemoveAll(d); err != nil {
			fmt.Fprintf(w, "storeagent demo: stopped; could not remove the temporary data dir %s: %v\n", d, err)
			return
		}
		fmt.Fprintf(w, "storeagent demo: stopped; removed the temporary data dir %s\n", d)
	}, nil
}

// printDemoBanner tells a newcomer where everything is: the URLs, the token, the codes to scan or
// type, the loyalty ids central knows and the page of printed receipts.
func printDemoBanner(w io.Writer, cfg *agent.Config, base, brokerURL string, store *agent.DemoStore) {
	items := store.Items
	term := cfg.Terminals[0]
	code := items[0].GTINs[0]
	var b strings.Builder
	fmt.Fprintf(&b, "storeagent demo: %s, a store in %s with %s. Ctrl+C stops it.\n\n",
		cfg.Store.Name, cfg.Store.Address, plural(len(items), "product", "products"))
	fmt.Fprintf(&b, "Products (scan at %s/demo, or type the code or SKU at the POS):\n", base)
	for _, it := range items {
		fmt.Fprintf(&b, "  %-14s %-20s %-44s VAT %s %%\n", it.GTINs[0], it.SKU, it.Name, bpString(it.TaxRateBP))
	}
	b.WriteString("Loyalty ids (a sale's customer_id, or GET /api/v1/customers/{id}):\n")
	for _, c := range store.Customers {
		fmt.Fprintf(&b, "  %-14s %s, %s, %d points\n", c.CustomerID, c.Name, c.Tier, c.Points)
	}
	printArg := "true"
	if cfg.FiscalIT() {
		fmt.Fprintf(&b, "\n  RT:          the Epson fpmate emulator at %s registers every sale (its \"fiscal\" object on GET /api/v1/sales/{id})\n",
			cfg.Fiscal.Printer.URL)
		// The RT prints the documento commerciale; the virtual printer prints only when named.
		printArg = strconv.Quote(term.Printer)
	}
	fmt.Fprintf(&b, `
  POS URL:     %s/pos
  POS token:   %s   (terminal %s; Authorization: Bearer <token>)
  Aisle URL:   %s/p/%s
  Product API: %s/api/v1/products/%s
  Receipts:    %s/demo/receipts   (what the virtual printer printed)
  Status:      curl -H 'Authorization: Bearer %s' %s/api/v1/status
  Central:     embedded MQTT broker %s with the central simulator
  Data dir:    %s

Try a sale:
  curl -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' %s/api/v1/sales \
    -d '{"sale_id":"'$(cat /proc/sys/kernel/random/uuid)'","terminal":"%s","cashier":"demo","lines":[{"code":"%s","qty":2},{"code":"%s","weight_g":%d}],"payments":[{"method":"cash","amount_minor":10000}],"customer_id":"%s","print":%s}'
`, base, term.Token, term.ID, base, code, base, code, base, term.Token, base, brokerURL, cfg.DataDir,
		term.Token, base, term.ID, code, store.Weighed.SKU, store.Weighed.WeightG, store.Customers[0].CustomerID, printArg)

	io.WriteString(w, b.String())
}

// bpString writes basis points as a percentage with a decimal point only where needed: 2200 → "22",
// 550 → "5.5", 2550 → "25.5".
func bpString(bp int64) string {
	s := fmt.Sprintf("%d", bp/100)
	if r := bp % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", r), "0")
	}
	return s
}
