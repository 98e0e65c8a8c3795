package sync_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"

	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// queueSales appends n sale events (and one movement each) the way pos does, one transaction each.
func queueSales(t testing.TB, d *db.DB, store string, n int) []string {
	t.Helper()
	w := outbox.Writer{StoreID: store, Epoch: d.Epoch}
	ctx := context.Background()
	ids := make([]string, n)
	for i := range ids {
		tx, err := d.W.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		id := uuid.Must(uuid.NewV7()).String()
		ids[i] = id
		if _, err := w.Append(ctx, tx, outbox.TopicSales, "retail.sale.completed", id, time.Now(),
			map[string]any{"sale_id": id, "total_minor": 100 + i}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Append(ctx, tx, outbox.TopicMovements, "retail.stock.movement", uuid.Must(uuid.NewV7()).String(), time.Now(),
			map[string]any{"movement_id": id, "sku": "SOLD", "delta": -1, "reason": "sale", "ref": id,
				"occurred_at": time.Now().UTC().Format(time.RFC3339Nano)}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// checkExactlyOnce asserts that the simulator stored every event of the store's outbox once and
// that each (epoch, topic) stream's seqs are 1..n without gaps.
func checkExactlyOnce(t testing.TB, sim *centralsim.Sim, d *db.DB, store string) {
	t.Helper()
	got, err := sim.Received(context.Background(), store, "")
	if err != nil {
		t.Fatal(err)
	}
	want := count(t, d, `SELECT count(*) FROM outbox`)
	if int64(len(got)) != want {
		t.Fatalf("simulator stored %d events, want %d (the outbox)", len(got), want)
	}
	next := map[string]int64{}
	for _, r := range got {
		k := r.Epoch + "/" + r.Topic
		next[k]++
		if r.Seq != next[k] {
			t.Fatalf("%s: seq %d, want %d (gapless)", k, r.Seq, next[k])
		}
	}
}

func TestSyncer_OutboxDrain(t *testing.T) {
	t.Run("embedded broker", func(t *testing.T) { drainScenario(t, startBroker(t), "it-test-001") })
	t.Run("system mosquitto", func(t *testing.T) {
		// The machine's Mosquitto on 127.0.0.1:1883 (interop with a real broker's defaults).
		c, err := net.DialTimeout("tcp", "127.0.0.1:1883", time.Second)
		if err != nil {
			if os.Getenv("STOREAGENT_REQUIRE_MOSQUITTO") == "1" {
				t.Fatalf("no Mosquitto on 127.0.0.1:1883: %v", err)
			}
			t.Skip("no Mosquitto on 127.0.0.1:1883")
		}
		c.Close()
		store := fmt.Sprintf("it-sys-%d", time.Now().UnixNano())
		t.Cleanup(func() { clearRetained("tcp://127.0.0.1:1883", "retail/stores/"+store+"/status") })
		drainScenario(t, "tcp://127.0.0.1:1883", store)
	})
}

// drainScenario queues sales before and after the agent starts and checks that central stores each
// once, in gapless seq order, and that central's acks empty the outbox.
func drainScenario(t *testing.T, url, store string) {
	sim := startSim(t, url, centralsim.Options{Group: "sim-" + store})
	d := openDB(t)
	queueSales(t, d, store, 150)
	a := startAgent(t, d, testOptions(t, url, store))
	waitOnline(t, a)
	eventually(t, 15*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d outbox events unacked", n)
	})
	queueSales(t, d, store, 20)
	a.Notify()
	eventually(t, 10*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d outbox events unacked after Notify", n)
	})
	checkExactlyOnce(t, sim, d, store)
}

func TestSyncer_AckIsNotPuback(t *testing.T) {
	// No simulator: the broker PUBACKs every publish but nobody acks, so nothing is cleared and the
	// events are published again after the ack timeout.
	url := startBroker(t)
	d := openDB(t)
	const store = "it-test-002"
	queueSales(t, d, store, 5)
	opts := testOptions(t, url, store)
	opts.AckTimeout = 300 * time.Millisecond
	a := startAgent(t, d, opts)
	waitOnline(t, a)
	eventually(t, 10*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT min(attempts) FROM outbox`)
		return n >= 1, fmt.Sprintf("min attempts %d, want ≥ 1 unacked publication before the republish", n)
	})
	if n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at != ''`); n != 0 {
		t.Errorf("%d events acked without central's retail.ack, want 0", n)
	}
	// Now central comes: everything clears, once each at central.
	sim := startSim(t, url, centralsim.Options{})
	eventually(t, 10*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d outbox events unacked", n)
	})
	checkExactlyOnce(t, sim, d, store)
}

func TestSyncer_StartsOffline(t *testing.T) {
	d := openDB(t)
	opts := testOptions(t, "tcp://127.0.0.1:1", "it-test-003")
	a := startAgent(t, d, opts)
	time.Sleep(300 * time.Millisecond)
	if a.Online() {
		t.Fatal("Online() = true with no broker")
	}
	queueSales(t, d, "it-test-003", 3)
	a.Notify()
	a.stop() // Run returns nil on cancel even though it never connected

	t.Run("unreadable TLS files do not stop the agent", func(t *testing.T) {
		o := testOptions(t, "ssl://127.0.0.1:1", "it-test-003")
		o.CAFile = "/nonexistent/ca.pem"
		a := startAgent(t, openDB(t), o)
		time.Sleep(200 * time.Millisecond)
		if a.Online() {
			t.Error("online without a CA file")
		}
		a.stop() // fails the test if Run returned an error
	})
}

// TestSyncer_SharedCentral: two simulators in one $share group split the store's events; together
// they store each exactly once.
func TestSyncer_SharedCentral(t *testing.T) {
	url := startBroker(t)
	sims := []*centralsim.Sim{startSim(t, url, centralsim.Options{}), startSim(t, url, centralsim.Options{})}
	d := openDB(t)
	const store = "it-share-001"
	queueSales(t, d, store, 100)
	a := startAgent(t, d, testOptions(t, url, store))
	waitOnline(t, a)
	eventually(t, 15*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d outbox events unacked", n)
	})
	seen := map[string]int{}
	for i, sim := range sims {
		got, err := sim.Received(context.Background(), store, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Errorf("simulator %d received nothing: the load is not shared", i)
		}
		for _, r := range got {
			seen[r.ID]++
		}
	}
	if want := int(count(t, d, `SELECT count(*) FROM outbox`)); len(seen) != want {
		t.Errorf("%d distinct events at central, want %d", len(seen), want)
	}
}

// clearRetained removes a retained message (an empty retained publish) from a shared broker.
func clearRetained(url, topic string) {
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID("cleanup-" + uuid.NewString()[:8]))
	if tok := c.Connect(); !tok.WaitTimeout(2*time.Second) || tok.Error() != nil {
		return
	}
	c.Publish(topic, 1, true, []byte{}).WaitTimeout(2 * time.Second)
	c.Disconnect(100)
}

func TestSyncer_Prune(t *testing.T) {
	url := startBroker(t)
	const store = "it-prune-001"
	sim := startSim(t, url, centralsim.Options{})
	d := openDB(t)
	queueSales(t, d, store, 5)
	clk := newClock(time.Now())
	opts := testOptions(t, url, store)
	opts.Now = clk.Now
	opts.Retention = time.Hour
	a := startAgent(t, d, opts)
	waitOnline(t, a)
	ctx := context.Background()
	if _, err := sim.Send(ctx, store, "stock", centralsim.TypeStockAdjustment, centralsim.StockAdjustment{
		MovementID: "p1", SKU: "A", Delta: 1, OccurredAt: clk.Now().Format(time.RFC3339Nano)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`) +
			count(t, d, `SELECT count(*) FROM inbox WHERE acked_at = '' OR applied_at = ''`)
		in := count(t, d, `SELECT count(*) FROM inbox`) // the adjustment and the initial snapshot
		return n == 0 && in == 2, fmt.Sprintf("%d rows not acked or applied yet, %d inbox rows", n, in)
	})
	a.stop()
	queueSales(t, d, store, 1) // pending: never pruned
	if n, err := a.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("Prune within retention = %d, %v; want 0", n, err)
	}
	clk.Advance(2 * time.Hour)
	n, err := a.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(10 + 1 + 1); n != want { // 5 sales × 2 events, the adjustment, the initial snapshot
		t.Errorf("pruned %d rows, want %d", n, want)
	}
	if got := count(t, d, `SELECT count(*) FROM outbox`); got != 2 {
		t.Errorf("%d outbox rows left, want the 2 unacked ones", got)
	}
	if got := count(t, d, `SELECT last_seq FROM outbox_seq WHERE topic = 'sales'`); got != 6 {
		t.Errorf("sales last_seq = %d, want 6 (counters survive pruning)", got)
	}
}
