package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	stdsync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite"
)

// buildBinary builds storeagent once per test binary run.
var buildOnce = stdsync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "storeagent-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "storeagent")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type child struct {
	cmd  *exec.Cmd
	addr string
	logs *bytes.Buffer
}

func startAgent(t testing.TB, bin, cfg, addr string) *child {
	t.Helper()
	c := &child{addr: addr, logs: &bytes.Buffer{}}
	c.cmd = exec.Command(bin, "run", "-config", cfg)
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			c.cmd.Process.Kill()
			c.cmd.Wait()
			t.Fatalf("agent did not become healthy: %v\n%s", err, c.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const crashToken = "lane1-token-0123456789abcdef"

func postSale(client *http.Client, addr, id string, i int) (int, error) {
	body := fmt.Sprintf(`{"sale_id":%q,"terminal":"lane1","cashier":"crash","lines":[{"code":"SKU-%d","qty":%d}],"payments":[{"method":"card","amount_minor":%d}]}`,
		id, i%3, 1+i%2, 100*(1+i%2))
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/sales", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+crashToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestCrash_KillDuringSales runs the built binary, posts sales from 4 clients, kills it with SIGKILL
// at random moments 20 times ($STOREAGENT_CRASH_ROUNDS for more) and restarts it on the same data dir. Every sale that got a 201 is
// stored exactly once with its events; sales whose answer was lost are retried after the restart
// (as a POS does) and answer 200 or 201, never twice; the database passes integrity_check.
func TestCrash_KillDuringSales(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the agent 20 times")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	cfg := writeConfig(t, dir, fmt.Sprintf("store_id: it-mi-001\ndata_dir: %s\nhttp: {listen: %q}\nlog: {level: warn}\nterminals:\n  - {id: lane1, token: %s}\n", data, addr, crashToken))
	seed(t, data)

	rounds := 20
	if n, err := strconv.Atoi(os.Getenv("STOREAGENT_CRASH_ROUNDS")); err == nil && n > 0 {
		rounds = n // the reliability runs ask for hundreds
	}
	accepted := map[string]int{}    // sale id → number of 201s
	retried200 := map[string]bool{} // sales stored before a kill lost their answer, confirmed by a retry
	type sent struct {
		id string
		i  int
	}
	var uncertain []sent // sent, answer lost
	var mu stdsync.Mutex
	n := 0
	client := &http.Client{Timeout: 5 * time.Second}
	for round := range rounds {
		c := startAgent(t, bin, cfg, addr)
		// Retry what was in flight at the last kill, as a POS would.
		for _, u := range uncertain {
			code, err := postSale(client, addr, u.id, u.i)
			if err != nil || (code != 200 && code != 201) {
				t.Fatalf("round %d: retry of %s: %d %v", round, u.id, code, err)
			}
			if code == 201 {
				accepted[u.id]++
			} else {
				retried200[u.id] = true
			}
		}
		uncertain = nil
		stop := make(chan struct{})
		var wg stdsync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					n++
					i := n
					mu.Unlock()
					id := uuid.Must(uuid.NewV7()).String()
					code, err := postSale(client, addr, id, i+w)
					mu.Lock()
					switch {
					case err != nil:
						uncertain = append(uncertain, sent{id, i + w})
					case code == 201:
						accepted[id]++
					default:
						t.Errorf("sale %s: status %d", id, code)
					}
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
		time.Sleep(time.Duration(50+rand.IntN(250)) * time.Millisecond)
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
		close(stop)
		wg.Wait()
	}
	c := startAgent(t, bin, cfg, addr)
	for _, u := range uncertain {
		if code, err := postSale(client, addr, u.id, u.i); err != nil || (code != 200 && code != 201) {
			t.Fatalf("final retry of %s: %d %v", u.id, code, err)
		} else if code == 201 {
			accepted[u.id]++
		} else {
			retried200[u.id] = true
		}
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("graceful stop: %v\n%s", err, c.logs)
	}

	d, err := sql.Open("sqlite", filepath.Join(data, "storeagent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var check string
	if err := d.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	for id, k := range accepted {
		if k != 1 {
			t.Errorf("sale %s answered 201 %d times", id, k)
		}
		var sales, events int
		d.QueryRow(`SELECT count(*) FROM sales WHERE sale_id = ?`, id).Scan(&sales)
		d.QueryRow(`SELECT count(*) FROM outbox WHERE event_id = ?`, id).Scan(&events)
		if sales != 1 || events != 1 {
			t.Errorf("sale %s: %d stored, %d events; want 1 and 1", id, sales, events)
		}
	}
	var stored, lines, movements, moveEvents int
	d.QueryRow(`SELECT count(*) FROM sales`).Scan(&stored)
	d.QueryRow(`SELECT count(*) FROM sale_lines`).Scan(&lines)
	d.QueryRow(`SELECT count(*) FROM stock_movements`).Scan(&movements)
	d.QueryRow(`SELECT count(*) FROM outbox WHERE topic = 'stock/movements'`).Scan(&moveEvents)
	for id := range retried200 {
		if accepted[id] != 0 {
			t.Errorf("sale %s answered both 201 and, on retry, 200", id)
		}
	}
	if stored != len(accepted)+len(retried200) || lines != stored || movements != stored || moveEvents != stored {
		t.Errorf("stored %d sales, %d lines, %d movements, %d movement events; %d accepted", stored, lines, movements, moveEvents, len(accepted))
	}
	var maxSeq, count int
	d.QueryRow(`SELECT max(seq), count(*) FROM outbox WHERE topic = 'sales'`).Scan(&maxSeq, &count)
	if maxSeq != count {
		t.Errorf("sales seq has gaps: max %d, count %d", maxSeq, count)
	}
	var sold int64
	d.QueryRow(`SELECT coalesce(sum(qty), 0) FROM sale_lines`).Scan(&sold)
	var onHand int64
	d.QueryRow(`SELECT sum(on_hand) FROM stock`).Scan(&onHand)
	if onHand != 3*1_000_000-sold {
		t.Errorf("stock %d, want %d", onHand, 3*1_000_000-sold)
	}
	t.Logf("%d kills, %d sales answered 201, %d stored before the answer was lost (200 on retry), %d stored", rounds, len(accepted), len(retried200), stored)
}

// seed writes a three-item catalogue through the CLI's own packages (the agent must be stopped).
func seed(t *testing.T, data string) {
	t.Helper()
	initDB(t, data)
	d, err := sql.Open("sqlite", filepath.Join(data, "storeagent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := range 3 {
		sku := fmt.Sprintf("SKU-%d", i)
		if _, err := d.Exec(`INSERT INTO products (sku, name, price_minor, currency, tax_rate_bp, unit, updated_at)
			VALUES (?, ?, 100, 'EUR', 2200, 'each', '2026-01-01T00:00:00Z')`, sku, "Item "+sku); err != nil {
			t.Fatal(err)
		}
		d.Exec(`INSERT INTO stock (sku, on_hand) VALUES (?, 1000000)`, sku)
	}
}
