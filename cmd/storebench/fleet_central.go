package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"time"

	"github.com/storeagent/storeagent/sync/centralsim"
)

// fleetCentral is K central simulators in one $share group over one database, as a central
// platform would run K consumers over one store: an event one consumer stored is a duplicate for
// all of them, so a republish that the broker hands to another consumer is still stored once.
type fleetCentral struct {
	path   string
	sims   []*centralsim.Sim
	cancel context.CancelFunc
	done   chan error
}

// startFleetCentral starts n simulators, simulator k on broker urlOf(k), and waits until each has
// subscribed. noShare: each subscribes to every store itself (a broker without $share).
func startFleetCentral(ctx context.Context, urlOf func(int) string, dir string, n int, noShare bool, log *slog.Logger) (*fleetCentral, error) {
	c := &fleetCentral{path: filepath.Join(dir, "central.db"), done: make(chan error, n)}
	runCtx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	for i := 0; i < n; i++ {
		sim, err := centralsim.New(centralsim.Options{Broker: urlOf(i), ClientID: fmt.Sprintf("storebench-central-%d", i),
			Group: "storebench", NoShare: noShare, DBPath: c.path, RepublishInterval: -1, Logger: log})
		if err != nil {
			c.stop()
			return nil, err
		}
		c.sims = append(c.sims, sim)
		go func() { c.done <- sim.Run(runCtx) }()
	}
	for i, sim := range c.sims {
		select {
		case <-sim.Connected():
		case <-time.After(15 * time.Second):
			c.stop()
			return nil, fmt.Errorf("central simulator %d did not connect to %s", i, urlOf(i))
		case <-ctx.Done():
			c.stop()
			return nil, ctx.Err()
		}
	}
	return c, nil
}

// stop stops the simulators and closes their database; it may be called twice.
func (c *fleetCentral) stop() {
	if c.cancel == nil {
		return
	}
	c.cancel()
	c.cancel = nil
	for range c.sims {
		<-c.done
	}
	for _, sim := range c.sims {
		sim.Close()
	}
}

// centralEvent is one event central stored.
type centralEvent struct {
	store, topic, epoch string
	seq                 int64
	deliveries          int
}

// received reads every event central stored, by event id (after stop).
func (c *fleetCentral) received(ctx context.Context) (map[string]centralEvent, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	d, err := sql.Open("sqlite", "file:"+(&url.URL{Path: c.path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, `SELECT event_id, store, topic, epoch, seq, deliveries FROM received`)
	if err != nil {
		return nil, fmt.Errorf("read central's events: %w", err)
	}
	defer rows.Close()
	out := map[string]centralEvent{}
	for rows.Next() {
		var id string
		var e centralEvent
		if err := rows.Scan(&id, &e.store, &e.topic, &e.epoch, &e.seq, &e.deliveries); err != nil {
			return nil, err
		}
		out[id] = e
	}
	return out, rows.Err()
}
