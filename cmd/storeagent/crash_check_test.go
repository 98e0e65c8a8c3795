package main

// The checks the kill -9 scenarios run: after each kill (integrity, outbox), and at the end at
// central (every accepted sale once, gapless seq) and locally (stored once, exact stock).

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/centralsim"
)

// outboxState is the outbox as a kill left it.
type outboxState struct {
	maxRowID, acked, unackedUpTo int64
}

// openRO opens the agent's database read-only, so that looking does not checkpoint the WAL a
// restart must recover.
func openRO(t *testing.T, data string) *sql.DB {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+filepath.Join(data, "storeagent.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// integrityOK fails the test unless the database passes integrity_check.
func integrityOK(t *testing.T, d *sql.DB, when string) {
	t.Helper()
	var check string
	if err := d.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check %s: %q %v", when, check, err)
	}
}

// checkOutbox fails the test unless the stopped agent's database passes integrity_check, and
// reads the outbox: its last row, how many events central acked, and how many of the rows up to
// upTo are unacked.
func checkOutbox(t *testing.T, data string, upTo int64) outboxState {
	t.Helper()
	d := openRO(t, data)
	defer d.Close()
	integrityOK(t, d, "after a kill")
	var s outboxState
	if err := d.QueryRow(`SELECT coalesce(max(rowid), 0), count(*) FILTER (WHERE acked_at != ''),
		count(*) FILTER (WHERE acked_at = '' AND rowid <= ?1) FROM outbox`, upTo).Scan(&s.maxRowID, &s.acked, &s.unackedUpTo); err != nil {
		t.Fatal(err)
	}
	return s
}

// waitDrained waits until central acked the whole outbox of the running agent c.
func waitDrained(t *testing.T, data string, c *child) {
	t.Helper()
	d := openRO(t, data)
	defer d.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int
		if err := d.QueryRow(`SELECT count(*) FROM outbox WHERE acked_at = ''`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d outbox events still unacked by central\n%s", n, c.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkCentral compares central's store with the agent's and returns the sales and the events
// central holds.
func checkCentral(t *testing.T, sim *centralsim.Sim, data string, l *salesLoad) (sales, events int) {
	t.Helper()
	got, err := sim.Received(context.Background(), "it-mi-001", "")
	if err != nil {
		t.Fatal(err)
	}
	d := openRO(t, data)
	defer d.Close()
	local := map[string]bool{}
	rows, err := d.Query(`SELECT sale_id FROM sales`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		local[id] = true
	}
	rows.Close()
	var outboxRows int
	d.QueryRow(`SELECT count(*) FROM outbox`).Scan(&outboxRows)
	if len(got) != outboxRows {
		t.Errorf("central stored %d events, the outbox has %d", len(got), outboxRows)
	}
	atCentral := map[string]int{} // sale id → events naming it
	next := map[string]int64{}
	for _, r := range got {
		k := r.Epoch + "/" + r.Topic
		if next[k]++; r.Seq != next[k] {
			t.Errorf("central %s: seq %d, want %d (gapless)", k, r.Seq, next[k])
			next[k] = r.Seq
		}
		if r.Topic != "sales" {
			continue
		}
		var ev struct {
			Data struct {
				SaleID string `json:"sale_id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.Payload, &ev); err != nil || ev.Data.SaleID != r.ID {
			t.Errorf("central sale event %s: sale_id %q, %v", r.ID, ev.Data.SaleID, err)
		}
		atCentral[ev.Data.SaleID]++
		if !local[ev.Data.SaleID] {
			t.Errorf("central has sale %s, the store does not", ev.Data.SaleID)
		}
	}
	for id := range local {
		if atCentral[id] != 1 {
			t.Errorf("sale %s stored %d times at central, want once", id, atCentral[id])
		}
	}
	for id := range l.accepted {
		if !local[id] {
			t.Errorf("sale %s answered 201 is not stored", id)
		}
	}
	return len(atCentral), len(got)
}

// checkLocal checks the stopped agent's database against what the clients were answered and
// returns the number of sales stored.
func checkLocal(t *testing.T, data string, l *salesLoad) int {
	t.Helper()
	d := openRO(t, data)
	defer d.Close()
	integrityOK(t, d, "at the end")
	for id, k := range l.accepted {
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
	for id := range l.retried200 {
		if l.accepted[id] != 0 {
			t.Errorf("sale %s answered both 201 and, on retry, 200", id)
		}
	}
	if stored != len(l.accepted)+len(l.retried200) || lines != stored || movements != stored || moveEvents != stored {
		t.Errorf("stored %d sales, %d lines, %d movements, %d movement events; %d accepted, %d found on retry",
			stored, lines, movements, moveEvents, len(l.accepted), len(l.retried200))
	}
	var sold, onHand int64
	d.QueryRow(`SELECT coalesce(sum(qty), 0) FROM sale_lines`).Scan(&sold)
	d.QueryRow(`SELECT sum(on_hand) FROM stock`).Scan(&onHand)
	if onHand != 3*1_000_000-sold {
		t.Errorf("stock %d, want %d", onHand, 3*1_000_000-sold)
	}
	return stored
}
