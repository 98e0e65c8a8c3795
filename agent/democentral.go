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
	stock  map[string]int64
	stop   func()
	cancel context.CancelFunc
	done   chan error
}

// StartDemoCentral starts the broker and the simulator; Close stops both.
func StartDemoCentral(ctx context.Context, dataDir string, log *slog.Logger) (*DemoCentral, error) {
	items, stock, err := DemoCatalog()
	if err != nil {
		return nil, err
	}
	// The broker outlives the agent so its offline status goes out; Close stops it.
	url, stop, err := broker.Start(context.WithoutCancel(ctx), broker.Options{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("demo broker: %w", err)
	}
	sim, err := centralsim.New(centralsim.Options{
		Broker: url, DBPath: filepath.Join(dataDir, "central.db"), Catalog: items, Logger: log,
		Customers: map[string]centralsim.Customer{
			"LOY-0001": {CustomerID: "LOY-0001", Name: "Giulia Rossi", Tier: "gold", Points: 1250},
			"LOY-0002": {CustomerID: "LOY-0002", Name: "Émilie Laurent", Tier: "silver", Points: 310},
			"LOY-0003": {CustomerID: "LOY-0003", Name: "Aino Virtanen", Tier: "basic", Points: 40},
		},
	})
	if err != nil {
		stop()
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	d := &DemoCentral{BrokerURL: url, Sim: sim, stock: stock, stop: stop, cancel: cancel, done: make(chan error, 1)}
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

// Seed sends the store its starting stock counts and two click-and-collect orders (one paid, one to
// be paid at the till) through the simulator.
func (d *DemoCentral) Seed(ctx context.Context, storeID string) error {
	now := time.Now().UTC()
	asOf := now.Add(-time.Minute).Format(time.RFC3339)
	for sku, n := range d.stock {
		if _, err := d.Sim.Send(ctx, storeID, "stock", centralsim.TypeStockCount,
			centralsim.StockCount{CountID: "demo-count-" + sku, SKU: sku, OnHand: n, AsOf: asOf}); err != nil {
			return fmt.Errorf("demo stock: %w", err)
		}
	}
	orders := []centralsim.Reservation{
		{ReservationID: uuid.NewString(), OrderRef: "WEB-10042", CustomerName: "Giulia Rossi", Paid: true,
			Lines:     []pos.ReservationLine{{SKU: "IT-OLIO-EVO", Qty: 2, UnitPriceMinor: 1190}, {SKU: "IT-PASTA-SPAGH5", Qty: 3, UnitPriceMinor: 189}},
			ExpiresAt: now.Add(48 * time.Hour).Format(time.RFC3339)},
		{ReservationID: uuid.NewString(), OrderRef: "APP-20077", CustomerName: "Aino Virtanen", Paid: false,
			Lines:     []pos.ReservationLine{{SKU: "FI-RUISLEIPA", Qty: 2, UnitPriceMinor: 229}, {SKU: "FR-BRIE", Qty: 1, UnitPriceMinor: 459}},
			ExpiresAt: now.Add(24 * time.Hour).Format(time.RFC3339)},
	}
	for _, r := range orders {
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
