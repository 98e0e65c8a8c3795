package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// runBin runs the built binary and returns its exit code, stdout and stderr.
func runBin(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), withoutEnvWarnings(errb.String())
}

// withoutEnvWarnings drops the warnings the CLI prints for STOREAGENT_* variables that name no
// config key (CI sets STOREAGENT_REQUIRE_MOSQUITTO and friends for the tests), so a test sees
// the command's own answer.
func withoutEnvWarnings(s string) string {
	var keep []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, "storeagent: warning: environment: ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// TestFiscalCLI runs a French store's agent (the built binary) to start and stop, adds ten
// sales to its journal, and checks fiscal verify, close, archive, verify-archive and restore
// from the binary, with tampering that each must detect.
func TestFiscalCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	cfg := writeConfig(t, dir, fmt.Sprintf("store_id: fr-par-001\ndata_dir: %s\nlocale: fr-FR\nstore: {name: Épicerie, timezone: Europe/Paris}\n"+
		"http: {listen: %q}\nlog: {level: warn}\nmqtt: {broker: \"tcp://127.0.0.1:9\"}\nterminals:\n  - {id: lane1, token: %s}\n"+
		"fiscal: {country: FR, siret: \"12345678900011\"}\n", data, addr, crashToken))
	c := startAgent(t, bin, cfg, addr)
	c.cmd.Process.Signal(os.Interrupt)
	c.cmd.Wait()
	st, err := os.Stat(filepath.Join(data, fiscal.KeyFileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("store key: %v, mode %v; want a 0600 key made at first start", err, st)
	}

	// Ten sales through the journal, as pos writes them.
	ctx := context.Background()
	d, err := db.Open(ctx, data, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := fiscal.LoadOrCreateKey(filepath.Join(data, fiscal.KeyFileName), false)
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: "fr-par-001", Epoch: d.Epoch}, nil)
	for i := 1; i <= 10; i++ {
		err := d.Group.Do(ctx, func(tx *sql.Tx) error {
			_, err := j.Append(ctx, tx, fiscal.ChainTicket, map[string]any{"kind": "sale", "body": map[string]any{"total_minor": 100 * i,
				"taxes": []map[string]any{{"tax_rate_bp": 2000, "gross_minor": 100 * i, "tax_minor": 17 * i}}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	d.Close()

	code, out, errOut := runBin(t, bin, "fiscal", "verify", "-config", cfg)
	if code != 0 || !strings.HasPrefix(out, "ok: 12 records in 2 chains") {
		t.Fatalf("verify: exit %d, %q %q; want ok: 12 records in 2 chains (10 tickets, start and stop)", code, out, errOut)
	}
	code, out, errOut = runBin(t, bin, "fiscal", "close", "-config", cfg, "-period", "day")
	if code != 0 || !strings.Contains(out, "closed day") || !strings.Contains(out, "total 5500") {
		t.Fatalf("close: exit %d, %q %q; want the day closed with 5500", code, out, errOut)
	}
	zipPath := filepath.Join(dir, "archive.zip")
	period := time.Now().In(mustParis(t)).Format("2006-01")
	if code, out, errOut = runBin(t, bin, "fiscal", "archive", "-config", cfg, "-period", period, "-o", zipPath); code != 0 {
		t.Fatalf("archive: exit %d, %q %q", code, out, errOut)
	}
	if code, out, errOut = runBin(t, bin, "fiscal", "verify-archive", zipPath); code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("verify-archive: exit %d, %q %q", code, out, errOut)
	}
	b, _ := os.ReadFile(zipPath)
	b[len(b)/2] ^= 0x10
	bad := filepath.Join(dir, "flipped.zip")
	os.WriteFile(bad, b, 0o600)
	if code, _, errOut = runBin(t, bin, "fiscal", "verify-archive", bad); code != 1 || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("verify-archive of a flipped byte: exit %d, %q; want exit 1 and one line", code, errOut)
	}

	// Restore refuses on a French store without -force.
	backup := filepath.Join(dir, "backup.db")
	if code, _, errOut = runBin(t, bin, "backup", backup, "-config", cfg); code != 0 {
		t.Fatalf("backup: %d %s", code, errOut)
	}
	if code, _, errOut = runBin(t, bin, "restore", backup, "-config", cfg); code != 1 || !strings.Contains(errOut, "-force") {
		t.Fatalf("restore without -force: exit %d, %q; want 1 naming -force", code, errOut)
	}
	if code, _, errOut = runBin(t, bin, "restore", backup, "-config", cfg, "-force"); code != 0 {
		t.Fatalf("restore -force: exit %d, %q", code, errOut)
	}
	if code, out, errOut = runBin(t, bin, "fiscal", "verify", "-config", cfg); code != 0 {
		t.Fatalf("verify after restore: exit %d, %q %q", code, out, errOut)
	}

	// An amount edited with the triggers dropped is named.
	w, err := sql.Open("sqlite", filepath.Join(data, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`DROP TRIGGER fiscal_records_no_update`,
		`UPDATE fiscal_records SET data = replace(data, '"total_minor":700', '"total_minor":70') WHERE chain = 'ticket' AND seq = 7`} {
		if _, err := w.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	code, out, errOut = runBin(t, bin, "fiscal", "verify", "-config", cfg)
	if code != 1 || !strings.Contains(errOut, "chain ticket seq 7: hash mismatch") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("verify of an edited amount: exit %d, %q %q; want exit 1 naming ticket 7", code, out, errOut)
	}
}

func mustParis(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
