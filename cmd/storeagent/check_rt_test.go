package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
)

// TestMain_CheckRT: for an Italian store `check` asks the RT (the fpmate emulator) for its status
// and names each VAT rate of the catalogue that has no RT department.
func TestMain_CheckRT(t *testing.T) {
	emu := fpmateemu.New("")
	url, _, err := emu.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfg := writeConfig(t, dir, minimalConfig(data)+"mqtt: {broker: tcp://"+listenTCP(t)+"}\n"+
		fmt.Sprintf("fiscal:\n  country: IT\n  printer: {driver: epson-fpmate, url: %q, timeout: 2s, departments: {2200: 1}, payments: {cash: [0, 0]}}\n", url))
	seed(t, data) // three items at 22 %
	code, out, stderr := runCLI(t, nil, "check", "-config", cfg)
	if code != 0 || !strings.Contains(out, "✓ rt: "+url+" answers: printer ok") || !strings.Contains(out, "✓ rt departments: every VAT rate of the catalogue (1)") {
		t.Fatalf("check with the RT ready: %d\n%s\n%s", code, out, stderr)
	}
	d, err := sql.Open("sqlite", filepath.Join(data, "storeagent.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`INSERT INTO products (sku, name, price_minor, currency, tax_rate_bp, unit, updated_at)
		VALUES ('PANE', 'Pane', 250, 'EUR', 400, 'each', '2026-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	emu.SetPaper(false, true)
	code, out, _ = runCLI(t, nil, "check", "-config", cfg)
	if code == 0 || !strings.Contains(out, "✗ rt: "+url+" answers, but cannot register now: printer offline") ||
		!strings.Contains(out, "✗ rt departments: the catalogue sells at VAT rates (basis points) 400, which") {
		t.Errorf("check with a rate unmapped and no paper: %d\n%s", code, out)
	}
}
