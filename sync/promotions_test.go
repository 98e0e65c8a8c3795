package sync_test

import (
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos/promo"
	"github.com/storeagent/storeagent/sync/centralsim"
)

func testPromo(id string, version, bp int64) promo.Promotion {
	return promo.Promotion{ID: id, Version: version, Active: true, Name: map[string]string{"en": id}, Kind: promo.Percent,
		SKUs: []string{"SKU000001"}, Params: promo.Params{PercentBP: bp}}
}

func TestSyncer_Promotions(t *testing.T) {
	const store = "it-promo-001"
	url := startBroker(t)
	sim := startSim(t, url, centralsim.Options{Catalog: catalog(20), ChunkSize: 250})
	a := startAgent(t, openDB(t), testOptions(t, url, store))
	waitOnline(t, a)
	d := a.db
	stores := []string{store}
	wait := func(t *testing.T, what, query string, want int64) {
		t.Helper()
		eventually(t, 10*time.Second, func() (bool, string) {
			got := count(t, d, query)
			return got == want, what
		})
	}

	t.Run("delta stores promotions, newer versions only", func(t *testing.T) {
		if _, err := sim.PublishPromotions(t.Context(), stores, testPromo("p1", 2, 1000), testPromo("p2", 1, 2000)); err != nil {
			t.Fatal(err)
		}
		wait(t, "two promotions", `SELECT count(*) FROM promotions`, 2)
		if _, err := sim.PublishPromotions(t.Context(), stores, testPromo("p1", 1, 9000)); err != nil {
			t.Fatal(err)
		}
		wait(t, "the stale version seq applied", `SELECT last_seq FROM inbox_seq WHERE topic = 'promotions'`, 2)
		if v := count(t, d, `SELECT version FROM promotions WHERE promotion_id = 'p1'`); v != 2 {
			t.Errorf("p1 version %d after a stale delta, want 2", v)
		}
	})

	t.Run("an invalid promotion is dead-lettered and the stream goes on", func(t *testing.T) {
		bad := testPromo("bad", 1, 0) // percent without percent_bp
		if _, err := sim.PublishPromotions(t.Context(), stores, bad); err != nil {
			t.Fatal(err)
		}
		if _, err := sim.PublishPromotions(t.Context(), stores, testPromo("p3", 1, 500)); err != nil {
			t.Fatal(err)
		}
		wait(t, "p3 after the bad event", `SELECT count(*) FROM promotions WHERE promotion_id = 'p3'`, 1)
		wait(t, "one dead letter", `SELECT count(*) FROM dead_letters WHERE topic = 'promotions'`, 1)
		if n := count(t, d, `SELECT count(*) FROM promotions WHERE promotion_id = 'bad'`); n != 0 {
			t.Errorf("the invalid promotion was stored")
		}
		if n := count(t, d, `SELECT count(*) FROM meta WHERE key = 'sync_gap:promotions'`); n != 0 {
			t.Errorf("the dead-lettered delta left a gap")
		}
	})

	t.Run("a skipped seq asks central to resend", func(t *testing.T) {
		if _, _, err := sim.PromotionDeltaEvent(testPromo("lost", 1, 100)); err != nil {
			t.Fatal(err)
		}
		if _, err := sim.PublishPromotions(t.Context(), stores, testPromo("p4", 1, 100)); err != nil {
			t.Fatal(err)
		}
		wait(t, "p4", `SELECT count(*) FROM promotions WHERE promotion_id = 'p4'`, 1)
		// The agent asks central to resend; central answers with a snapshot that has the lost one.
		wait(t, "the lost promotion, resent", `SELECT count(*) FROM promotions WHERE promotion_id = 'lost'`, 1)
		wait(t, "the gap cleared", `SELECT count(*) FROM meta WHERE key = 'sync_gap:promotions'`, 0)
	})

	t.Run("a chunked snapshot replaces the set atomically", func(t *testing.T) {
		_, chunks, err := sim.PromotionSnapshotEvents(1, testPromo("p1", 3, 1500), testPromo("s1", 1, 100))
		if err != nil {
			t.Fatal(err)
		}
		if len(chunks) != 2 {
			t.Fatalf("%d chunks, want 2", len(chunks))
		}
		if err := sim.Publish(store, "promotions", chunks[0]); err != nil {
			t.Fatal(err)
		}
		wait(t, "the first chunk staged", `SELECT count(*) FROM promotion_snapshot_chunks`, 1)
		if n := count(t, d, `SELECT count(*) FROM promotions WHERE promotion_id = 's1'`); n != 0 {
			t.Error("a partial snapshot was applied")
		}
		if err := sim.Publish(store, "promotions", chunks[1]); err != nil {
			t.Fatal(err)
		}
		wait(t, "only the snapshot's promotions", `SELECT count(*) FROM promotions`, 2)
		if v := count(t, d, `SELECT version FROM promotions WHERE promotion_id = 'p1'`); v != 3 {
			t.Errorf("p1 version %d, want 3", v)
		}
		if n := count(t, d, `SELECT count(*) FROM meta WHERE key = 'sync_gap:promotions'`); n != 0 {
			t.Errorf("the snapshot did not clear the gap")
		}
	})
}
