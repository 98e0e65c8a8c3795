package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
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

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/broker"
	"github.com/storeagent/storeagent/sync/centralsim"
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

// storeConfig writes dir/storeagent.yaml for store it-mi-001 with one terminal, selling from data
// on addr and syncing to brokerURL (tcp://127.0.0.1:9 refuses connections: an offline store).
func storeConfig(t *testing.T, dir, data, addr, brokerURL string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	return writeConfig(t, dir, fmt.Sprintf("store_id: it-mi-001\ndata_dir: %s\nhttp: {listen: %q}\nlog: {level: warn}\nmqtt: {broker: %q}\nterminals:\n  - {id: lane1, token: %s}\n",
		data, addr, brokerURL, crashToken))
}

// TestCrash_KillDuringSales runs the built binary syncing to a broker and a central simulator in
// the test, posts sales from 4 clients, kills it with SIGKILL at random moments 20 times
// ($STOREAGENT_CRASH_ROUNDS for more) and restarts it on the same data dir; see killRun for what
// is checked. It uses a private Mosquitto when one is installed, else the embedded broker.
func TestCrash_KillDuringSales(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the agent 20 times")
	}
	kills := 20
	if n, err := strconv.Atoi(os.Getenv("STOREAGENT_CRASH_ROUNDS")); err == nil && n > 0 {
		kills = n
	}
	r := killRun(t, killOptions{Kills: kills})
	t.Logf("%d kills (%s), %d sales answered 201, %d stored before the answer was lost (200 on retry), %d stored, %d events at central",
		r.Kills, r.Broker, r.Accepted, r.Retried200, r.Stored, r.CentralEvents)
}

// TestCrash_KillDuringDrain alternates an offline burst of sales (a backlog) and a start online
// during which the agent drains that backlog to central while selling; both are cut by SIGKILL.
// It needs a broker that survives the agent, so it runs with Mosquitto or the embedded broker.
func TestCrash_KillDuringDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the agent")
	}
	r := killRun(t, killOptions{Kills: 8, Drain: true})
	t.Logf("%d kills (%s), %d mid-drain; %d sales accepted, %d events at central", r.Kills, r.Broker, r.MidDrain, r.Accepted, r.CentralEvents)
}

// killOptions shape a kill -9 run.
type killOptions struct {
	// Kills is how many SIGKILLs to send.
	Kills int
	// Drain alternates offline bursts of sales (a backlog) with online starts cut mid-drain.
	Drain bool
	// Budget stops starting rounds after this long (zero: no limit); the report says so.
	Budget time.Duration
	// RequireMosquitto skips (or, with STOREAGENT_REQUIRE_MOSQUITTO=1, fails) without a mosquitto
	// binary instead of falling back to the embedded broker.
	RequireMosquitto bool
}

// killReport is what a kill run did and checked.
type killReport struct {
	Kills, MidDrain                int
	Accepted, Retried200, Stored   int
	CentralSales, CentralEvents    int
	Broker                         string
	BudgetHit                      bool
	IntegrityChecks, BacklogAtKill int
}

// syncBroker starts the broker of a kill run: a private Mosquitto when there is one, else the
// embedded broker, unless require (then it skips, or fails with STOREAGENT_REQUIRE_MOSQUITTO=1).
func syncBroker(t *testing.T, require bool) (url, kind string) {
	t.Helper()
	m, err := broker.NewMosquitto(t.TempDir(), "", "")
	switch {
	case err == nil:
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Stop)
		return m.URL("tcp"), "Mosquitto"
	case !errors.Is(err, broker.ErrNoMosquitto):
		t.Fatal(err)
	case require && os.Getenv("STOREAGENT_REQUIRE_MOSQUITTO") == "1":
		t.Fatal("no mosquitto binary and STOREAGENT_REQUIRE_MOSQUITTO=1")
	case require:
		t.Skip("no mosquitto binary")
	}
	url, stop, err := broker.Start(context.Background(), broker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url, "embedded broker"
}

// startCentral runs a central simulator on url until the test ends.
func startCentral(t *testing.T, url string) *centralsim.Sim {
	t.Helper()
	var items []pos.CatalogItem // seed's catalogue: central's snapshot must not withdraw it
	for i := range 3 {
		sku := fmt.Sprintf("SKU-%d", i)
		items = append(items, pos.CatalogItem{SKU: sku, Name: "Item " + sku, PriceMinor: 100, Currency: "EUR",
			TaxRateBP: 2200, Unit: "each", Active: true, Version: 1})
	}
	sim, err := centralsim.New(centralsim.Options{Broker: url, ClientID: "centralsim-" + uuid.NewString()[:8], Catalog: items,
		DBPath: filepath.Join(t.TempDir(), "central.db"), RepublishInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); sim.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; sim.Close() })
	select {
	case <-sim.Connected():
	case <-time.After(10 * time.Second):
		t.Fatal("central simulator did not connect")
	}
	return sim
}

// killRun kills the built agent with SIGKILL opts.Kills times while 4 clients post sales (and, with
// opts.Drain, while it drains a backlog built offline) and restarts it on the same data dir;
// sales whose answer was lost are retried after the restart, as a POS does. After each kill the
// database passes integrity_check. At the end the agent drains its outbox to central and: every
// sale answered 201 was answered so once, and it and every sale found by a retry (200) is stored
// once locally with its events and once at central; central has no sale the store lacks, and each
// (epoch, topic) stream at central is gapless; stock is exact.
func killRun(t *testing.T, opts killOptions) killReport {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	url, kind := syncBroker(t, opts.RequireMosquitto)
	sim := startCentral(t, url)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	online := storeConfig(t, filepath.Join(dir, "online"), data, addr, url)
	offline := storeConfig(t, filepath.Join(dir, "offline"), data, addr, "tcp://127.0.0.1:9")
	seed(t, data)
	l := &salesLoad{client: &http.Client{Timeout: 5 * time.Second}, addr: addr, accepted: map[string]int{}, retried200: map[string]bool{}}
	rep := killReport{Broker: kind}
	start := time.Now()
	last := checkOutbox(t, data, 0)
	for rep.Kills < opts.Kills {
		if opts.Budget > 0 && time.Since(start) > opts.Budget {
			rep.BudgetHit = true
			break
		}
		if opts.Drain {
			l.burst(t, bin, offline, sleepMS(200, 500)) // the backlog
			rep.Kills++
			last = checkOutbox(t, data, 0)
			rep.IntegrityChecks++
			if rep.Kills == opts.Kills {
				break
			}
		}
		wait := sleepMS(50, 300)
		if opts.Drain {
			acked := last.acked
			wait = func() { waitAcked(t, data, acked); sleepMS(0, 15)() }
		}
		l.burst(t, bin, online, wait)
		rep.Kills++
		after := checkOutbox(t, data, last.maxRowID)
		rep.IntegrityChecks++
		if opts.Drain && after.acked > last.acked && after.unackedUpTo > 0 {
			rep.MidDrain++ // central had part of the backlog when the agent died
			rep.BacklogAtKill += int(after.unackedUpTo)
		}
		last = after
	}
	c := startAgent(t, bin, online, addr)
	l.retryUncertain(t)
	waitDrained(t, data, c)
	rep.CentralSales, rep.CentralEvents = checkCentral(t, sim, data, l)
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("graceful stop: %v\n%s", err, c.logs)
	}
	rep.Stored = checkLocal(t, data, l)
	rep.Accepted, rep.Retried200 = len(l.accepted), len(l.retried200)
	return rep
}

// sent is a sale posted whose answer was lost.
type sent struct {
	id string
	i  int
}

// salesLoad is four POS clients posting sales and what they were answered.
type salesLoad struct {
	client     *http.Client
	addr       string
	mu         stdsync.Mutex
	n          int
	accepted   map[string]int  // sale id → number of 201s
	retried200 map[string]bool // stored before a kill lost the answer, confirmed by a retry
	uncertain  []sent          // sent, answer lost
}

// retryUncertain posts again what was in flight at the last kill, as a POS would.
func (l *salesLoad) retryUncertain(t *testing.T) {
	t.Helper()
	for _, u := range l.uncertain {
		code, err := postSale(l.client, l.addr, u.id, u.i)
		switch {
		case err != nil || (code != 200 && code != 201):
			t.Fatalf("retry of %s: %d %v", u.id, code, err)
		case code == 201:
			l.accepted[u.id]++
		default:
			l.retried200[u.id] = true
		}
	}
	l.uncertain = nil
}

// sleepMS returns a wait of a random time in [lo, hi) milliseconds.
func sleepMS(lo, hi int) func() {
	return func() { time.Sleep(time.Duration(lo+rand.IntN(hi-lo+1)) * time.Millisecond) }
}

// waitAcked waits (up to 10 s) until the running agent records more than acked events acked by
// central: the drain has begun.
func waitAcked(t *testing.T, data string, acked int64) {
	t.Helper()
	d := openRO(t, data)
	defer d.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var n int64
		if err := d.QueryRow(`SELECT count(*) FROM outbox WHERE acked_at != ''`).Scan(&n); err == nil && n > acked {
			return
		}
	}
	t.Errorf("the agent drained nothing to central within 10s")
}

// burst starts the agent with cfg, retries the uncertain sales, posts sales from 4 clients and
// kills the agent with SIGKILL once wait returns.
func (l *salesLoad) burst(t *testing.T, bin, cfg string, wait func()) {
	t.Helper()
	c := startAgent(t, bin, cfg, l.addr)
	l.retryUncertain(t)
	stop := make(chan struct{})
	var wg stdsync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				l.mu.Lock()
				l.n++
				i := l.n + w
				l.mu.Unlock()
				id := uuid.Must(uuid.NewV7()).String()
				code, err := postSale(l.client, l.addr, id, i)
				l.mu.Lock()
				switch {
				case err != nil:
					l.uncertain = append(l.uncertain, sent{id, i})
				case code == 201:
					l.accepted[id]++
				default:
					t.Errorf("sale %s: status %d", id, code)
				}
				l.mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wait()
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.cmd.Wait()
	close(stop)
	wg.Wait()
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
