// Package sync is the agent's link to the central platform over MQTT (CONTRACT.md, MQTT section):
// it publishes the outbox that pos fills, stores and applies what central sends (catalogue, stock,
// reservations), answers customer lookups through central with a local cache, and keeps the
// store's retained status. Only agent (the wiring) and tests import it; pos imports only
// sync/outbox.
//
//	pos ──tx──▶ outbox table ──publisher──▶ MQTT ──▶ central ──retail.ack──▶ acked_at
//	central ──▶ MQTT ──handler──▶ storer (inbox row, then PUBACK) ──▶ applier (catalogue,
//	            stock, reservations; applied_at) ──▶ inbox/acks
//
// Wiring (agent/sync.go):
//
//	s, err := agentsync.New(db, agentsync.Options{StoreID: ..., Broker: ..., ...})
//	// pos.Options{Online: s.Online, Customers: s, OnCommit: s.Notify}
//	g.Go(func() error { return s.Run(ctx) }) // once per Syncer
//
// Sub-packages: sync/outbox (the writer pos uses), sync/broker (embedded broker for the demo and
// tests), sync/centralsim (the central simulator). sync/asyncapi.yaml documents every channel.
package sync

import (
	"context"
	"fmt"
	"log/slog"
	gosync "sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"golang.org/x/sync/errgroup"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// Syncer runs the MQTT link for one store over the agent's database.
type Syncer struct {
	db      *db.DB
	opts    Options
	log     *slog.Logger
	out     outbox.Writer
	metrics *metrics

	online atomic.Bool
	client atomic.Pointer[mqtt.Client]
	// gen counts connections, so the publisher notices a reconnect it slept through.
	gen atomic.Uint64

	notify    chan struct{}
	connWake  chan struct{}
	applyWake chan struct{}
	ackWake   chan struct{}
	inboxCh   chan mqtt.Message
	done      chan struct{}

	mu gosync.Mutex
	// centralAcks are event ids central's retail.ack named, not yet marked in the outbox.
	centralAcks []string
	// extraAcks are dead-lettered central event ids to name in inbox/acks, so central stops
	// republishing them.
	extraAcks []string
	// ackedUnsaved are event ids central acked whose acked_at is not committed yet.
	ackedUnsaved map[string]bool
	persistCh    chan persistJob
	// applyFails counts failed applies per inbox event id (see failedTooOften).
	applyFails map[string]int
	// waiters are customer lookups waiting for their reply, by request id.
	waiters map[string]chan *CustomerResultData
}

var _ pos.CustomerDirectory = (*Syncer)(nil)

// New returns a Syncer over an open database. It does not connect: Run does, and the store keeps
// selling while the broker is unreachable.
func New(d *db.DB, opts Options) (*Syncer, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	s := &Syncer{
		db:        d,
		opts:      opts,
		log:       opts.Logger.With("component", "sync"),
		out:       outbox.Writer{StoreID: opts.StoreID, Epoch: d.Epoch},
		metrics:   m,
		notify:    make(chan struct{}, 1),
		connWake:  make(chan struct{}, 1),
		applyWake: make(chan struct{}, 1),
		ackWake:   make(chan struct{}, 1),
		inboxCh:   make(chan mqtt.Message, 1024),
		done:      make(chan struct{}),
		waiters:   map[string]chan *CustomerResultData{},

		ackedUnsaved: map[string]bool{},
		persistCh:    make(chan persistJob, 4096),
	}
	return s, nil
}

// Online reports whether the agent is connected to the broker.
func (s *Syncer) Online() bool { return s.online.Load() }

// Notify tells the publisher that a transaction committed new outbox events. It never blocks.
func (s *Syncer) Notify() { wake(s.notify) }

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run connects (retrying with backoff and jitter), publishes the outbox, stores and applies
// central's events and runs the timers, until ctx is cancelled; then it says offline and returns
// nil. A broker that is down is not an error.
func (s *Syncer) Run(ctx context.Context) error {
	defer close(s.done)
	if err := s.prepare(ctx); err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.connLoop(ctx) })
	g.Go(func() error { return s.storeLoop(ctx) })
	g.Go(func() error { return s.applyLoop(ctx) })
	g.Go(func() error { return s.inboxAckLoop(ctx) })
	g.Go(func() error { return s.publishLoop(ctx) })
	g.Go(func() error { return s.persistLoop(ctx) })
	if s.opts.TimerInterval > 0 {
		g.Go(func() error { return s.timerLoop(ctx) })
	}
	err := g.Wait()
	if ctx.Err() != nil && (err == nil || err == context.Canceled) {
		return nil
	}
	return err
}

// prepare records, on a replica that never received a catalogue seq, that the whole catalogue
// must be asked for once connected.
func (s *Syncer) prepare(ctx context.Context) error {
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO meta (key, value)
		SELECT 'sync_gap:catalog', '1' WHERE NOT EXISTS (SELECT 1 FROM inbox_seq WHERE topic = 'catalog')
		ON CONFLICT (key) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("sync: prepare: %w", db.Explain(err))
	}
	return nil
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (s *Syncer) now() string { return s.opts.Now().UTC().Format(time.RFC3339Nano) }
