package sync_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/storeagent/storeagent/sync/centralsim"
)

// TestSyncer_HostileBroker reproduces issue 16 item 7 against a real broker: a 3 MB packet on an
// inbound topic is skipped before it is read (the link stays up, the broker does not redeliver it),
// a retained garbage message adds no dead letter on any connect, and a dead letter keeps only a
// bounded excerpt of its payload.
func TestSyncer_HostileBroker(t *testing.T) {
	url := startBroker(t)
	const store = "it-hostile-002"
	sim := startSim(t, url, centralsim.Options{})
	// A retained garbage message on the store's stock topic, there before the agent connects.
	raw := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("hostile-%d", time.Now().UnixNano())))
	if tok := raw.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer raw.Disconnect(100)
	topic := "retail/stores/" + store + "/stock"
	if tok := raw.Publish(topic, 1, true, []byte("garbage, retained")); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish retained: %v", tok.Error())
	}
	t.Cleanup(func() { raw.Publish(topic, 1, true, []byte{}).WaitTimeout(time.Second) })

	d := openDB(t)
	reg := prometheus.NewRegistry()
	opts := testOptions(t, url, store)
	opts.Registerer = reg
	a := startAgent(t, d, opts)
	waitOnline(t, a)
	ctx := context.Background()

	big := bytes.Repeat([]byte("x"), 3<<20)
	if err := sim.Publish(store, "stock", big); err != nil {
		t.Fatal(err)
	}
	// A malformed event of 900 KB: refused, kept as a bounded excerpt.
	if err := sim.Publish(store, "stock", append([]byte("{"), bytes.Repeat([]byte("y"), 900<<10)...)); err != nil {
		t.Fatal(err)
	}
	_, p, err := sim.PrepareEvent(ctx, store, "stock", centralsim.TypeStockAdjustment,
		centralsim.StockAdjustment{MovementID: "after", SKU: "A", Delta: 3, OccurredAt: "2026-11-01T10:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Publish(store, "stock", p); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		on, _ := stockOf(t, a, "A")
		return on == 3, "the event after the 3 MB packet did not apply"
	})
	if !a.Online() {
		t.Errorf("the agent went offline")
	}
	// Reconnect: neither the skipped packet nor the retained message comes back as a dead letter.
	a.stop()
	again := opts // the same client id: the persistent session would redeliver an unacked packet
	again.Registerer = prometheus.NewRegistry()
	a = startAgent(t, d, again)
	waitOnline(t, a)
	time.Sleep(300 * time.Millisecond)
	if n := count(t, d, `SELECT count(*) FROM dead_letters`); n != 1 {
		t.Errorf("%d dead letters, want 1 (the malformed event; none for the retained one)", n)
	}
	if n := count(t, d, `SELECT max(length(payload)) FROM dead_letters`); n > 4<<10 {
		t.Errorf("a dead letter keeps %d bytes of payload, want at most 4 KiB", n)
	}
	m := deadLetterMetric(t, reg)
	if m["stock/too_large"] != 1 || m["stock/retained"] != 1 {
		t.Errorf("dead-letter metric %v, want stock/too_large 1 and stock/retained 1", m)
	}
}

// TestSyncer_DeadLetterOncePerEventID: central republishing a refused event, or the broker redelivering
// it, adds no second dead letter and does not count twice in the metric; another event id with the same
// fault is its own dead letter. Both refusal paths are covered: an envelope refused on arrival (a type
// not expected on the topic) and bad data under a valid envelope with a seq (refused when applied).
func TestSyncer_DeadLetterOncePerEventID(t *testing.T) {
	url := startBroker(t)
	const store = "it-deadonce-003"
	sim := startSim(t, url, centralsim.Options{})
	d := openDB(t)
	reg := prometheus.NewRegistry()
	opts := testOptions(t, url, store)
	opts.Registerer = reg
	a := startAgent(t, d, opts)
	waitOnline(t, a)
	ctx := context.Background()

	wrongType := func(id string) []byte {
		return []byte(`{"specversion":"1.0","id":"` + id + `","source":"central","type":"retail.no.such.type",` +
			`"time":"2026-11-01T10:00:00Z","datacontenttype":"application/json","data":{}}`)
	}
	// A stock adjustment whose SKU is far too long: a valid envelope with a seq, refused as bad data.
	_, badData, err := sim.PrepareEvent(ctx, store, "stock", centralsim.TypeStockAdjustment,
		centralsim.StockAdjustment{MovementID: "m-bad", SKU: string(bytes.Repeat([]byte("S"), 5000)), Delta: 1, OccurredAt: "2026-11-01T10:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][]byte{wrongType("dl-a"), wrongType("dl-a"), badData, wrongType("dl-b"), badData, wrongType("dl-a")} {
		if err := sim.Publish(store, "stock", p); err != nil {
			t.Fatal(err)
		}
	}
	// Then a good event: once it applied, every copy before it has been handled.
	_, good, err := sim.PrepareEvent(ctx, store, "stock", centralsim.TypeStockAdjustment,
		centralsim.StockAdjustment{MovementID: "m-good", SKU: "A", Delta: 2, OccurredAt: "2026-11-01T10:01:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Publish(store, "stock", good); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		on, _ := stockOf(t, a, "A")
		return on == 2, "the good event after the copies did not apply"
	})
	eventually(t, 5*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM dead_letters`)
		return n == 3, fmt.Sprintf("%d dead letters, want 3 (dl-a, dl-b and the bad stock adjustment, each once)", n)
	})
	for _, id := range []string{"dl-a", "dl-b"} {
		if n := count(t, d, `SELECT count(*) FROM dead_letters WHERE event_id = ?1`, id); n != 1 {
			t.Errorf("event %s has %d dead letters, want 1", id, n)
		}
	}
	m := deadLetterMetric(t, reg)
	if got := m["stock/"+"unknown_type"]; got != 2 {
		t.Errorf("storeagent_sync_dead_letters_total{stock,unknown_type} = %v, want 2 (copies not counted): %v", got, m)
	}
	if got := m["stock/"+"bad_data"]; got != 1 {
		t.Errorf("storeagent_sync_dead_letters_total{stock,bad_data} = %v, want 1: %v", got, m)
	}
	// The lookup that skips a copy uses the index of migration 0011, not a scan.
	var plan, detail string
	var id, parent, notused int
	rows, err := d.R.Query(`EXPLAIN QUERY PLAN SELECT count(*) FROM dead_letters WHERE event_id = ?1 AND topic = ?2`, "x", "stock")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "; "
	}
	rows.Close()
	if !bytes.Contains([]byte(plan), []byte("dead_letters_event_id")) {
		t.Errorf("the copy lookup does not use the index: %s", plan)
	}
}
