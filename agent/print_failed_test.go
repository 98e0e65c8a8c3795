package agent

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// TestAgent_PrintFailedReachesItsLanes: a print job the queue gave up on is an event "print" on
// the screens of the lanes that print on that printer (its own lane and a lane allowed to use it),
// not on the others; on a French store a failed copy is flagged as a duplicate.
func TestAgent_PrintFailedReachesItsLanes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := db.Open(ctx, dir, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	svc := pos.New(d, pos.Options{StoreID: "fr-par-001", Currency: "EUR",
		Terminals: []pos.Terminal{{ID: "lane1", Token: "a"}, {ID: "lane2", Token: "b"}, {ID: "office", Token: "c"}}})
	a := &Agent{POS: svc, cfg: &Config{Terminals: []Terminal{
		{ID: "lane1", Printer: "p1"}, {ID: "lane2", Printer: "p2"}, {ID: "office", Printer: "p3", Printers: []string{"p1"}}}}}
	var mu sync.Mutex
	got := map[string]PrintFailure{}
	svc.Events().Tap(func(term string, ev pos.Event) {
		if ev.Name != "print" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		got[term] = ev.Data.(PrintFailure)
	})
	job := pos.PrintJob{JobID: "j1", SaleID: "s1", Printer: "p1", Copy: true, Kind: "receipt", Status: pos.JobFailed, LastError: pos.ErrDuplicateFaulted}

	a.printFailed(job)
	mu.Lock()
	if len(got) != 2 || got["lane1"].JobID != "j1" || got["office"].JobID != "j1" {
		t.Fatalf("print failure published to %v, want lane1 and office only", got)
	}
	if got["lane1"].Duplicate {
		t.Errorf("a store without the French journal flagged the copy as a fiscal duplicate")
	}
	clear(got)
	mu.Unlock()

	key, err := fiscal.LoadOrCreateKey(filepath.Join(dir, "k.pem"), true)
	if err != nil {
		t.Fatal(err)
	}
	a.Fiscal = fiscal.NewJournal(key, outbox.Writer{StoreID: "fr-par-001", Epoch: d.Epoch}, nil)
	a.printFailed(job)
	mu.Lock()
	defer mu.Unlock()
	if f := got["lane1"]; !f.Duplicate || f.Reason != pos.ErrDuplicateFaulted || f.Status != pos.JobFailed || f.Printer != "p1" {
		t.Errorf("French store's failure event %+v, want a failed duplicate on p1 with the reason", f)
	}
	if _, ok := got["lane2"]; ok {
		t.Errorf("lane2 (printer p2) was told of p1's job")
	}
}
