package centralsim

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos"
)

// TestSim_CheckTill stores a session's events as the agent sends them and checks that a Z equal to
// its sales passes, and that a Z off by one cent, a second Z for the session and a reused Z
// number are each reported.
func TestSim_CheckTill(t *testing.T) {
	ctx := context.Background()
	sim, err := New(Options{Broker: "tcp://127.0.0.1:9", DBPath: filepath.Join(t.TempDir(), "central.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	n := 0
	put := func(typ, topic string, data any) {
		t.Helper()
		raw, _ := json.Marshal(map[string]any{"type": typ, "data": data})
		n++
		if _, err := sim.db.ExecContext(ctx, `INSERT INTO received (event_id, store, topic, type, seq, payload, received_at)
			VALUES (?1, 'it-mi-001', ?2, ?3, ?4, ?5, 'now')`, typ+string(rune('a'+n)), topic, typ, n, raw); err != nil {
			t.Fatal(err)
		}
	}
	sale := pos.Sale{SaleID: "s1", TillSessionID: "S", TotalMinor: 1000, TaxMinor: 180, ChangeMinor: 500,
		Payments: []pos.Payment{{Method: "cash", AmountMinor: 1500}}}
	put("retail.sale.completed", "sales", sale)
	put("retail.till.movement", "till", pos.TillMovement{MovementID: "m1", SessionID: "S", Kind: pos.MoveDrop, AmountMinor: 200})
	z := pos.TillReport{SessionID: "S", Terminal: "lane1", Status: "closed", ZNo: 1,
		Sales:   pos.TillSales{Count: 1, GrossMinor: 1000, TaxMinor: 180},
		Tenders: []pos.TillTender{{Method: "cash", SalesMinor: 1000, DropsMinor: 200}}}
	put("retail.till.closed", "till", z)
	c, err := sim.CheckTill(ctx, "it-mi-001")
	if err != nil || c.Closed != 1 || c.Sales != 1 || len(c.Problems) != 0 {
		t.Fatalf("a Z equal to its sales: %+v %v", c, err)
	}

	bad := z
	bad.SessionID, bad.ZNo, bad.Sales.GrossMinor = "T", 2, 1001
	put("retail.till.closed", "till", bad)
	again := z
	again.ZNo = 2
	put("retail.till.closed", "till", again)
	c, err = sim.CheckTill(ctx, "it-mi-001")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.Problems, "\n")
	for _, want := range []string{"sales.gross_minor 1001, central's sum 0", "session S has two Z events", "Z lane1/2 is used by sessions"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q do not report %q", got, want)
		}
	}
}
