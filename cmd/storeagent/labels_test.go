package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos"
)

func TestWriteLabels(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	half := 0.5
	prods := []pos.Product{
		{SKU: "PASTA/500", GTIN: "08001234567897", Name: "Spaghetti n.5 500 g", PriceMinor: 129, Currency: "EUR", Unit: "kg", NetContent: &half},
		{SKU: "PANE", Name: "Pane", PriceMinor: 250, Currency: "EUR", Unit: "each"},
	}
	n, err := writeLabels(pos.PageOptions{Locale: "it-IT", Currency: "EUR", AisleBase: "http://store.local:8080"}, prods, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("sheets got %d, want 1", n)
	}
	for _, name := range []string{"label-PASTA_500.png", "label-PANE.png", "sheet-1.png"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cfg, err := png.DecodeConfig(f)
			if err != nil {
				t.Fatal(err)
			}
			want := pos.LabelWidth
			if name == "sheet-1.png" {
				want = pos.SheetWidth
			}
			if cfg.Width != want {
				t.Errorf("width got %d, want %d", cfg.Width, want)
			}
		})
	}
}

// TestWriteLabels_NeedsAisleBase checks that labels are refused, with the key named, when their QR
// codes would hold a relative path no phone can open.
func TestWriteLabels_NeedsAisleBase(t *testing.T) {
	prods := []pos.Product{{SKU: "PANE", Name: "Pane", PriceMinor: 250, Currency: "EUR", Unit: "each"}}
	for _, base := range []string{"", "/store", "store.local"} {
		dir := filepath.Join(t.TempDir(), "out")
		_, err := writeLabels(pos.PageOptions{Locale: "it-IT", Currency: "EUR", AisleBase: base}, prods, dir)
		if err == nil || !strings.Contains(err.Error(), "links.aisle_base") {
			t.Errorf("aisle_base %q: err %v; want a refusal naming links.aisle_base", base, err)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "*.png")); len(files) > 0 {
			t.Errorf("aisle_base %q: wrote %v", base, files)
		}
	}
}
