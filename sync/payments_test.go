package sync_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/outbox"
)

// TestSyncer_PaymentEvents: every retail.payment.* event pos queues on the payments topic reaches
// central once, in seq order, and central's acks clear the outbox.
func TestSyncer_PaymentEvents(t *testing.T) {
	url := startBroker(t)
	const store = "fr-pay-001"
	sim := startSim(t, url, centralsim.Options{Group: "sim-" + store})
	d := openDB(t)
	types := []string{agentsync.TypePaymentApproved, agentsync.TypePaymentDeclined, agentsync.TypePaymentCancelled,
		agentsync.TypePaymentUnknown, agentsync.TypePaymentResolved, agentsync.TypePaymentUnclaimed}
	w := outbox.Writer{StoreID: store, Epoch: d.Epoch}
	ctx := context.Background()
	for i, typ := range types {
		tx, err := d.W.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Append(ctx, tx, outbox.TopicPayments, typ, uuid.Must(uuid.NewV7()).String(), time.Now(),
			map[string]any{"payment_id": uuid.Must(uuid.NewV7()).String(), "amount_minor": 100 + i}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	a := startAgent(t, d, testOptions(t, url, store))
	waitOnline(t, a)
	eventually(t, 15*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d outbox events unacked", n)
	})
	got, err := sim.Received(ctx, store, outbox.TopicPayments)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(types) {
		t.Fatalf("central stored %d payment events, want %d", len(got), len(types))
	}
	for i, r := range got {
		if r.Type != types[i] || r.Seq != int64(i+1) {
			t.Errorf("event %d: %s seq %d, want %s seq %d", i, r.Type, r.Seq, types[i], i+1)
		}
	}
}
