package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	stdsync "sync"
)

// fiscalKillReport is what fiscalKillRun did and checked.
type fiscalKillReport struct {
	Kills, Accepted, Tickets, Closes, Closures, Verifies int
}

// fiscalKillRun runs a French store's binary under four POS clients, with `storeagent fiscal
// close -period day` racing the sales, and kills the agent with SIGKILL at a random moment,
// kills times. After each kill `storeagent fiscal verify` must pass (every chain gapless and
// signed, every closure equal to its tickets); at the end every sale answered 201 is in the
// ticket chain exactly once and every ticket names a stored sale.
func fiscalKillRun(t *testing.T, kills int, budget time.Duration) fiscalKillReport {
	t.Helper()
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
	seed(t, data)
	l := &salesLoad{client: &http.Client{Timeout: 5 * time.Second}, addr: addr, accepted: map[string]int{}, retried200: map[string]bool{}}
	var rep fiscalKillReport
	start := time.Now()
	for rep.Kills < kills && (budget == 0 || time.Since(start) < budget) {
		l.burst(t, bin, cfg, func() {
			var wg stdsync.WaitGroup
			wg.Go(func() {
				time.Sleep(time.Duration(20+rep.Kills*37%150) * time.Millisecond)
				if out, err := exec.Command(bin, "fiscal", "close", "-config", cfg, "-period", "day").CombinedOutput(); err != nil {
					t.Errorf("fiscal close during sales: %v: %s", err, out)
				}
				rep.Closes++
			})
			sleepMS(100, 400)()
			wg.Wait()
		})
		rep.Kills++
		raw, err := exec.Command(bin, "fiscal", "verify", "-config", cfg).CombinedOutput()
		out := withoutEnvWarnings(string(raw))
		if err != nil || !strings.HasPrefix(out, "ok: ") {
			t.Fatalf("after kill %d: fiscal verify: %v: %s", rep.Kills, err, out)
		}
		rep.Verifies++
	}
	c := startAgent(t, bin, cfg, addr)
	l.retryUncertain(t)
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
	if out, err := exec.Command(bin, "fiscal", "verify", "-config", cfg).CombinedOutput(); err != nil {
		t.Fatalf("final fiscal verify: %v: %s", err, out)
	}
	rep.Verifies++
	d, err := sql.Open("sqlite", filepath.Join(data, "storeagent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	perSale := map[string]int{}
	rows, err := d.Query(`SELECT json_extract(data, '$.body.sale_id') FROM fiscal_records WHERE chain = 'ticket'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		perSale[id]++
		rep.Tickets++
	}
	rows.Close()
	for id := range l.accepted {
		if perSale[id] != 1 {
			t.Errorf("answered sale %s is %d times in the ticket chain, want once", id, perSale[id])
		}
	}
	var orphans int
	d.QueryRow(`SELECT count(*) FROM fiscal_records f WHERE chain = 'ticket'
		AND NOT EXISTS (SELECT 1 FROM sales s WHERE s.sale_id = json_extract(f.data, '$.body.sale_id'))`).Scan(&orphans)
	if orphans != 0 {
		t.Errorf("%d ticket records name no stored sale", orphans)
	}
	var sales int
	d.QueryRow(`SELECT count(*) FROM sales`).Scan(&sales)
	if sales != rep.Tickets {
		t.Errorf("%d sales stored, %d tickets: want one ticket per sale", sales, rep.Tickets)
	}
	d.QueryRow(`SELECT count(*) FROM fiscal_records WHERE chain = 'closure'`).Scan(&rep.Closures)
	rep.Accepted = len(l.accepted)
	return rep
}

// TestCrash_FiscalKill is the short form of the fiscal kill scenario (5 kills).
func TestCrash_FiscalKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the agent")
	}
	rep := fiscalKillRun(t, 5, 0)
	if rep.Accepted == 0 || rep.Closures == 0 {
		t.Fatalf("nothing exercised: %+v", rep)
	}
	t.Logf("%+v", rep)
}
