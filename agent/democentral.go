package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/broker"
	"github.com/storeagent/storeagent/sync/centralsim"
)

// DemoCentral is the demo's head office in the same process: an embedded MQTT broker on loopback
// and the central simulator with the sample catalogue. The agent reaches it through its real sync
// path, exactly as it reaches a real platform.
type DemoCentral struct {
	// BrokerURL is the embedded broker's tcp:// URL.
	BrokerURL string
	// Sim is the central simulator.
	Sim    *centralsim.Sim
	store  *DemoStore
	stop   func()
	cancel context.CancelFunc
	done   chan error
}

// StartDemoCentral starts the broker and the simulator with store's catalogue and customers;
// Close stops both.
func StartDemoCentral(ctx context.Context, store *DemoStore, dataDir string, log *slog.Logger) (*DemoCentral, error) {
	customers := map[string]centralsim.Customer{}
	for _, c := range store.Customers {
		customers[c.CustomerID] = centralsim.Customer{CustomerID: c.CustomerID, Name: c.Name, Tier: c.Tier, Points: c.Points}
	}
	// The broker outlives the agent so its offline status goes out; Close stops it.
	url, stop, err := broker.Start(context.WithoutCancel(ctx), broker.Options{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("demo broker: %w", err)
	}
	sim, err := centralsim.New(centralsim.Options{
		Broker: url, DBPath: filepath.Join(dataDir, "central.db"), Catalog: store.Items, Logger: log,
		Customers: customers,
	})
	if err != nil {
		stop()
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	d := &DemoCentral{BrokerURL: url, Sim: sim, store: store, stop: stop, cancel: cancel, done: make(chan error, 1)}
	go func() { d.done <- sim.Run(rctx) }()
	select {
	case <-sim.Connected():
	case err := <-d.done:
		d.Close()
		return nil, fmt.Errorf("central simulator: %w", err)
	case <-time.After(10 * time.Second):
		d.Close()
		return nil, errors.New("central simulator did not connect to the embedded broker in 10 s")
	}
	return d, nil
}

// Seed sends the store its starting stock counts and its click-and-collect orders (one paid, one
// to be paid at the till) through the simulator.
func (d *DemoCentral) Seed(ctx context.Context, storeID string) error {
	now := time.Now().UTC()
	asOf := now.Add(-time.Minute).Format(time.RFC3339)
	for sku, n := range d.store.Stock {
		if _, err := d.Sim.Send(ctx, storeID, "stock", centralsim.TypeStockCount,
			centralsim.StockCount{CountID: "demo-count-" + sku, SKU: sku, OnHand: n, AsOf: asOf}); err != nil {
			return fmt.Errorf("demo stock: %w", err)
		}
	}
	for _, o := range d.store.Orders {
		r := centralsim.Reservation{ReservationID: uuid.NewString(), OrderRef: o.OrderRef, CustomerName: o.CustomerName,
			Paid: o.Paid, ExpiresAt: now.Add(time.Duration(o.Hours) * time.Hour).Format(time.RFC3339)}
		for _, l := range o.Lines {
			it, ok := d.store.Item(l.SKU)
			if !ok {
				return fmt.Errorf("demo order %s: no item %s", o.OrderRef, l.SKU)
			}
			r.Lines = append(r.Lines, pos.ReservationLine{SKU: l.SKU, Qty: l.Qty, UnitPriceMinor: it.PriceMinor})
		}
		if _, err := d.Sim.Send(ctx, storeID, "reservations", centralsim.TypeReservationCreated, r); err != nil {
			return fmt.Errorf("demo reservation: %w", err)
		}
	}
	return nil
}

// Close stops the simulator and the broker.
func (d *DemoCentral) Close() {
	d.cancel()
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
	}
	d.Sim.Close()
	d.stop()
}
