package fiscal_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// closureEnv is a journal on a real database with a clock the test moves, in Paris with the
// business day turning at 04:00.
type closureEnv struct {
	t     *testing.T
	d     *db.DB
	j     *fiscal.Journal
	clock time.Time
}

func newClosureEnv(t *testing.T, start time.Time) *closureEnv {
	t.Helper()
	d, err := db.Open(context.Background(), t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	key, err := fiscal.LoadOrCreateKey(filepath.Join(t.TempDir(), "k.pem"), true)
	if err != nil {
		t.Fatal(err)
	}
	e := &closureEnv{t: t, d: d, clock: start}
	e.j = fiscal.NewJournal(key, outbox.Writer{StoreID: "fr", Epoch: d.Epoch}, func() time.Time { return e.clock })
	paris, _ := time.LoadLocation("Europe/Paris")
	e.j.SetCalendar(fiscal.Calendar{Location: paris, DayStart: 4 * time.Hour})
	return e
}

func (e *closureEnv) sell(kind string, total, rate, tax int64) fiscal.Record {
	e.t.Helper()
	return appendRec(e.t, e.d, e.j, fiscal.ChainTicket, map[string]any{"kind": kind, "body": map[string]any{
		"total_minor": total, "taxes": []map[string]any{{"tax_rate_bp": rate, "gross_minor": total, "tax_minor": tax}}}})
}

func (e *closureEnv) closures() []fiscal.Closure {
	e.t.Helper()
	rows, err := e.d.R.Query(`SELECT data FROM fiscal_records WHERE chain = 'closure' ORDER BY seq`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []fiscal.Closure
	for rows.Next() {
		var raw string
		rows.Scan(&raw)
		var c fiscal.Closure
		json.Unmarshal([]byte(raw), &c)
		out = append(out, c)
	}
	return out
}

func TestClosures_AutomaticDaysMonthsAndPerpetual(t *testing.T) {
	// 30 Nov 2026 10:00 Paris (09:00 UTC).
	e := newClosureEnv(t, time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	e.sell("sale", 1000, 2000, 167)
	e.sell("sale", 550, 550, 29)
	// 00:30 Paris on 1 Dec still belongs to the business day of 30 Nov.
	e.clock = time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
	e.sell("refund", 550, 550, 29)
	if n := len(e.closures()); n != 0 {
		t.Fatalf("%d closures before the day turned, want 0", n)
	}
	// 3 Dec 12:00 Paris: days 30 Nov, 1 Dec (no sale), 2 Dec (no sale) and the month of November close.
	e.clock = time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)
	e.sell("sale", 200, 2000, 33)
	cs := e.closures()
	var kinds []string
	for _, c := range cs {
		kinds = append(kinds, c.Kind+":"+c.Period)
	}
	want := []string{"day:2026-11-30", "day:2026-12-01", "day:2026-12-02", "month:2026-11"}
	if len(kinds) != len(want) {
		t.Fatalf("closures %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("closures %v, want %v", kinds, want)
		}
	}
	if d := cs[0]; d.TotalMinor != 1000 || d.Tickets != 3 || d.PerpetualMinor != 1000 || len(d.Taxes) != 2 || d.Taxes[1].GrossMinor != 1000 || d.Taxes[0].GrossMinor != 0 {
		t.Fatalf("day 30 Nov = %+v, want 1000 over 3 tickets (550 sold and refunded at 5.5 %%)", d)
	}
	if d := cs[1]; d.TotalMinor != 0 || d.Tickets != 0 || d.PerpetualMinor != 1000 || d.From != cs[0].To {
		t.Fatalf("day 1 Dec = %+v, want an empty closure starting where 30 Nov ended, perpetual 1000", d)
	}
	if m := cs[3]; m.TotalMinor != 1000 || m.PerpetualMinor != 1000 || m.To != "2026-12-01T03:00:00Z" {
		t.Fatalf("month Nov = %+v, want 1000 ending at 1 Dec 04:00 Paris", m)
	}
	if err := fiscal.VerifyClosures(context.Background(), e.d.R); err != nil {
		t.Fatal(err)
	}

	// The clock moved back an hour across the turn: the record is dated at the end of the closed day, not inside it.
	e.clock = time.Date(2026, 12, 4, 3, 10, 0, 0, time.UTC) // 04:10 Paris, 4 Dec: closes 3 Dec
	e.sell("sale", 100, 2000, 17)
	e.clock = e.clock.Add(-time.Hour) // 03:10 Paris: inside the closed 3 Dec
	r := e.sell("sale", 100, 2000, 17)
	if r.RecordedAt != "2026-12-04T03:00:00Z" {
		t.Fatalf("a record after the clock moved back is dated %s, want the closed day's end 2026-12-04T03:00:00Z", r.RecordedAt)
	}
	if err := fiscal.VerifyClosures(context.Background(), e.d.R); err != nil {
		t.Fatal(err)
	}
	if _, err := fiscal.Verify(context.Background(), e.d.R, e.j.PublicKey()); err != nil {
		t.Fatal(err)
	}
}

func TestClosures_CloseNowAndTamper(t *testing.T) {
	e := newClosureEnv(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e.sell("sale", 1000, 2000, 167)
	e.clock = e.clock.Add(time.Hour)
	var got []fiscal.Closure
	err := e.d.Group.Do(context.Background(), func(tx *sql.Tx) error {
		var err error
		got, err = e.j.CloseNow(context.Background(), tx, fiscal.PeriodDay)
		return err
	})
	if err != nil || len(got) != 1 || got[0].TotalMinor != 1000 || got[0].Period != "2026-12-01" {
		t.Fatalf("close now: %+v %v, want the day 2026-12-01 with 1000", got, err)
	}
	e.sell("sale", 300, 2000, 50)
	// A second manual close of a day already closed closes nothing: the day is never closed twice.
	e.clock = e.clock.Add(time.Hour)
	err = e.d.Group.Do(context.Background(), func(tx *sql.Tx) error {
		var err error
		got, err = e.j.CloseNow(context.Background(), tx, fiscal.PeriodDay)
		return err
	})
	if err != nil || len(got) != 0 {
		t.Fatalf("second close of 1 Dec: %+v %v, want nothing closed", got, err)
	}
	// What was sold after the manual close belongs to the next business day, 2 Dec, whose
	// closure comes at its usual end (3 Dec 04:00 Paris).
	e.clock = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	e.sell("sale", 1, 2000, 0)
	if cs := e.closures(); len(cs) != 1 {
		t.Fatalf("closures %+v, want only 1 Dec's while 2 Dec is open", cs)
	}
	e.clock = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	e.sell("sale", 1, 2000, 0)
	cs := e.closures()
	if len(cs) != 2 || cs[1].Period != "2026-12-02" || cs[1].From != cs[0].To || cs[1].To != "2026-12-03T03:00:00Z" ||
		cs[1].TotalMinor != 301 || cs[1].PerpetualMinor != 1301 {
		t.Fatalf("closures %+v, want 2 Dec from the manual close to 3 Dec 04:00 Paris with 301, perpetual 1301", cs)
	}
	if err := fiscal.VerifyClosures(context.Background(), e.d.R); err != nil {
		t.Fatal(err)
	}
	tamper(t, e.d, `UPDATE fiscal_records SET data = replace(data, '"total_minor":300', '"total_minor":3000') WHERE chain = 'ticket' AND seq = 2`)
	err = fiscal.VerifyClosures(context.Background(), e.d.R)
	if b, ok := err.(*fiscal.BrokenError); !ok || b.Chain != "closure" || b.Seq != 2 {
		t.Fatalf("got %v, want closure 2 named", err)
	}
}
