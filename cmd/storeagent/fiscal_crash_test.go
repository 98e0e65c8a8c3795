package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/devices/escpos"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
	"github.com/storeagent/storeagent/pos"

	stdsync "sync"
)

// fiscalKillReport is what fiscalKillRun did and checked.
type fiscalKillReport struct {
	Kills, Accepted, Tickets, Closes, Closures, Verifies int
	// Reprints (copies) answered 202, and duplicate records in the journal.
	Reprints, Duplicates int
	// DuplicatePapers is how many "DUPLICATA n° N" papers (complete or cut off) came out of the
	// printer; Interrupted how many duplicates a kill cut off, failed instead of printed again.
	DuplicatePapers, Interrupted int
}

// fiscalKillRun runs a French store's binary under four POS clients, with `storeagent fiscal
// close -period day` racing the sales, and kills the agent with SIGKILL at a random moment,
// kills times. After each kill `storeagent fiscal verify` must pass (every chain gapless and
// signed, every closure equal to its tickets); at the end every sale answered 201 is in the
// ticket chain exactly once and every ticket names a stored sale. A fifth client reprints
// answered sales on the lane's (TCP) printer: every answered reprint is in the duplicate chain
// exactly once, every duplicate record names its print job, each sale's copies are numbered
// 1, 2, … without a gap or a repeat, and the printer's paper shows each duplicate at most once
// (exactly once when its job is done).
func fiscalKillRun(t *testing.T, kills int, budget time.Duration) fiscalKillReport {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	printer := devtest.NewTCPPrinter(t)
	for n := byte(1); n <= 4; n++ {
		printer.SetStatus(n, 0x12) // on-line, paper, cover closed: the printer prints
	}
	cfg := writeConfig(t, dir, fmt.Sprintf("store_id: fr-par-001\ndata_dir: %s\nlocale: fr-FR\nstore: {name: Épicerie, timezone: Europe/Paris}\n"+
		"http: {listen: %q}\nlog: {level: warn}\nmqtt: {broker: \"tcp://127.0.0.1:9\"}\nterminals:\n  - {id: lane1, token: %s, printer: p1}\n"+
		"devices:\n  - {name: p1, type: printer, transport: tcp, path: %q, profile: generic-80mm}\n"+
		"fiscal: {country: FR, siret: \"12345678900011\"}\n", data, addr, crashToken, printer.Addr))
	seed(t, data)
	l := &salesLoad{client: &http.Client{Timeout: 5 * time.Second}, addr: addr, accepted: map[string]int{}, retried200: map[string]bool{}}
	var rep fiscalKillReport
	var reprints []string // job ids of reprints answered 202
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
			wg.Go(func() { reprints = append(reprints, reprintWhile(t, l, 300*time.Millisecond)...) })
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
	waitPrinted(t, filepath.Join(data, "storeagent.db"), 90*time.Second)
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
	checkDuplicates(t, d, reprints, &rep)
	checkDuplicatePapers(t, d, printer.Bytes(), &rep)
	rep.Accepted = len(l.accepted)
	return rep
}

// TestCrash_FiscalKill is the short form of the fiscal kill scenario (5 kills).
func TestCrash_FiscalKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the agent")
	}
	rep := fiscalKillRun(t, 5, 0)
	if rep.Accepted == 0 || rep.Closures == 0 || rep.Reprints == 0 {
		t.Fatalf("nothing exercised: %+v", rep)
	}
	t.Logf("%+v", rep)
}

// reprintWhile reprints answered sales for about d (until the agent dies) and returns the job
// ids of the reprints answered 202.
func reprintWhile(t *testing.T, l *salesLoad, d time.Duration) []string {
	var ids []string
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		l.mu.Lock()
		var sale string
		for id := range l.accepted { // map order: a random answered sale
			sale = id
			break
		}
		l.mu.Unlock()
		if sale == "" {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		for range 3 { // the first print of a sale sold without printing is its original; then copies
			req, _ := http.NewRequest("POST", "http://"+l.addr+"/api/v1/sales/"+sale+"/print", nil)
			req.Header.Set("Authorization", "Bearer "+crashToken)
			resp, err := l.client.Do(req)
			if err != nil {
				return ids // the agent was killed: the answer is lost, the reprint may or may not be recorded
			}
			var body struct {
				JobID string `json:"job_id"`
			}
			json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted || body.JobID == "" {
				t.Errorf("reprint of %s: %d", sale, resp.StatusCode)
				return ids
			}
			ids = append(ids, body.JobID)
		}
		time.Sleep(15 * time.Millisecond)
	}
	return ids
}

// checkDuplicates checks the duplicate chain against the answered reprints and the print jobs.
func checkDuplicates(t *testing.T, d *sql.DB, answered []string, rep *fiscalKillReport) {
	t.Helper()
	rows, err := d.Query(`SELECT json_extract(data, '$.body.job_id'), json_extract(data, '$.body.sale_id'), json_extract(data, '$.body.copy_no')
		FROM fiscal_records WHERE chain = 'duplicate' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	perJob := map[string]int{}
	copies := map[string][]int64{}
	for rows.Next() {
		var job, sale string
		var no int64
		rows.Scan(&job, &sale, &no)
		perJob[job]++
		copies[sale] = append(copies[sale], no)
		rep.Duplicates++
	}
	rows.Close()
	for _, id := range answered {
		// The first print of a sale (sold without printing) is its original, not a duplicate.
		var isCopy int
		if err := d.QueryRow(`SELECT copy FROM print_jobs WHERE job_id = ?1`, id).Scan(&isCopy); err != nil {
			t.Errorf("answered print %s: no print job: %v", id, err)
			continue
		}
		if want := isCopy; perJob[id] != want {
			t.Errorf("answered print %s (copy %d) is %d times in the duplicate chain, want %d", id, isCopy, perJob[id], want)
		}
		rep.Reprints += isCopy
	}
	for sale, nos := range copies {
		for i, no := range nos {
			if no != int64(i+1) {
				t.Errorf("sale %s: duplicates numbered %v, want 1, 2, … in chain order", sale, nos)
				break
			}
		}
	}
	var orphans int
	d.QueryRow(`SELECT count(*) FROM fiscal_records f WHERE chain = 'duplicate' AND NOT EXISTS
		(SELECT 1 FROM print_jobs j WHERE j.job_id = json_extract(f.data, '$.body.job_id') AND j.copy = 1)`).Scan(&orphans)
	if orphans != 0 {
		t.Errorf("%d duplicate records name no reprint job", orphans)
	}
}

// papersOf cuts the printer's byte stream into jobs (each begins with ESC @) and counts, per
// ticket number and duplicate number, the papers that show "DUPLICATA n° N" and "Ticket n° T",
// whether complete or cut off by a kill after those lines.
func papersOf(t *testing.T, stream []byte) map[[2]int64]int {
	t.Helper()
	profs, err := escpos.LoadProfiles(firmwareprofiles.FS, "printers")
	if err != nil {
		t.Fatal(err)
	}
	prof := profs["generic-80mm"]
	dupRe := regexp.MustCompile(`DUPLICATA n° ([0-9]+)`)
	ticketRe := regexp.MustCompile(`Ticket n° ([0-9]+)`)
	out := map[[2]int64]int{}
	for _, job := range bytes.Split(stream, []byte{0x1b, '@'}) {
		if len(job) == 0 {
			continue
		}
		doc, err := escpos.DecodeProfile(append([]byte{0x1b, '@'}, job...), prof)
		if err != nil {
			t.Fatalf("printer output does not decode: %v", err)
		}
		text := strings.Join(doc.Lines(), "\n")
		dm, tm := dupRe.FindStringSubmatch(text), ticketRe.FindStringSubmatch(text)
		if dm == nil || tm == nil {
			continue
		}
		k, _ := strconv.ParseInt(dm[1], 10, 64)
		n, _ := strconv.ParseInt(tm[1], 10, 64)
		out[[2]int64{n, k}]++
	}
	return out
}

// checkDuplicatePapers checks the paper against the duplicate chain: no duplicate printed twice
// (a second paper with the same DUPLICATA n° for one journal record), every done duplicate job on
// paper once, and a duplicate a kill cut off failed with the reason rather than sent again.
func checkDuplicatePapers(t *testing.T, d *sql.DB, stream []byte, rep *fiscalKillReport) {
	t.Helper()
	papers := papersOf(t, stream)
	for key, n := range papers {
		rep.DuplicatePapers += n
		if n > 1 {
			t.Errorf("ticket n° %d: DUPLICATA n° %d is on paper %d times, want once", key[0], key[1], n)
		}
	}
	rows, err := d.Query(`SELECT json_extract(s.body, '$.fiscal.seq'), json_extract(f.data, '$.body.copy_no'), j.status, j.last_error
		FROM fiscal_records f JOIN print_jobs j ON j.job_id = json_extract(f.data, '$.body.job_id')
		JOIN sales s ON s.sale_id = json_extract(f.data, '$.body.sale_id') WHERE f.chain = 'duplicate'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ticket, copyNo int64
		var status, lastErr string
		if err := rows.Scan(&ticket, &copyNo, &status, &lastErr); err != nil {
			t.Fatal(err)
		}
		n := papers[[2]int64{ticket, copyNo}]
		switch status {
		case "done":
			if n != 1 {
				t.Errorf("ticket n° %d: duplicate n° %d is done but on paper %d times, want once", ticket, copyNo, n)
			}
		case "failed":
			if lastErr != pos.ErrDuplicateInterrupted {
				t.Errorf("ticket n° %d: duplicate n° %d failed: %s", ticket, copyNo, lastErr)
			}
			rep.Interrupted++
		}
	}
}

// waitPrinted waits until the running agent has no print job queued or sending, so the paper
// holds everything it will print.
func waitPrinted(t *testing.T, dbPath string, d time.Duration) {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var left int
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if err := db.QueryRow(`SELECT count(*) FROM print_jobs WHERE status IN ('queued', 'sending')`).Scan(&left); err == nil && left == 0 {
			return
		}
	}
	t.Errorf("%d print jobs still not printed after %s", left, d)
}
