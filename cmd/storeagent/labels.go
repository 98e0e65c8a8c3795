package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/db"
)

// labelsCmd writes shelf labels for SKUs (or GTINs) from the replica: one PNG per label,
// label-<sku>.png, and A4 sheets of 24, sheet-<n>.png, into the output directory.
func (m *Main) labelsCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("labels", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file")
	outDir := fs.String("o", ".", "output directory")
	codes, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(codes) == 0 {
		return usagef("name at least one SKU or GTIN")
	}
	cfg, err := m.loadConfig(*configPath)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.DataDir, db.Options{Readers: 1})
	if err != nil {
		return err
	}
	defer d.Close()
	svc := pos.New(d, pos.Options{StoreID: cfg.StoreID, Currency: cfg.Currency})
	var prods []pos.Product
	for _, c := range codes {
		p, err := svc.Lookup(ctx, c)
		if err != nil {
			return fmt.Errorf("label for %q: %w", c, err)
		}
		prods = append(prods, svc.LabelProduct(ctx, p))
	}
	n, err := writeLabels(labelOptions(cfg), prods, *outDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s and %s written to %s\n", plural(len(prods), "label", "labels"), plural(n, "sheet", "sheets"), *outDir)
	return nil
}

// labelOptions are the page options labels need from the config.
func labelOptions(cfg *agent.Config) pos.PageOptions {
	return pos.PageOptions{StoreName: cfg.Store.Name, Locale: cfg.Locale, Currency: cfg.Currency, AisleBase: cfg.Links.AisleBase}
}

// unsafeName matches what may not appear in a label file name.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// writeLabels writes one PNG per product and the A4 sheets into dir; it returns the sheet count.
func writeLabels(opts pos.PageOptions, prods []pos.Product, dir string) (int, error) {
	lab, err := pos.NewLabeler(opts)
	if err != nil {
		return 0, err
	}
	if err := lab.CheckAisleBase(); err != nil {
		return 0, fmt.Errorf("no labels written: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("labels: %w", err)
	}
	for _, p := range prods {
		img, err := lab.Label(p)
		if err != nil {
			return 0, err
		}
		if err := writePNG(filepath.Join(dir, "label-"+unsafeName.ReplaceAllString(p.SKU, "_")+".png"), img); err != nil {
			return 0, err
		}
	}
	sheets, err := lab.Sheets(prods)
	if err != nil {
		return 0, err
	}
	for i, s := range sheets {
		if err := writePNG(filepath.Join(dir, fmt.Sprintf("sheet-%d.png", i+1)), s); err != nil {
			return 0, err
		}
	}
	return len(sheets), nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write label: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("write label %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write label %s: %w", path, err)
	}
	return nil
}
