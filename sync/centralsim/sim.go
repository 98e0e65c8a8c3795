// Package centralsim is a reference implementation of the central platform's side of the MQTT
// contract (CONTRACT.md, MQTT section), for `storeagent demo`, cmd/centralsim and tests. It
// publishes catalogue snapshots (chunked) and deltas, stock and reservation events (republished
// until the store names them in inbox/acks); stores the agents' events deduped by id in its own
// SQLite database and acks them after the commit; answers sync requests and customer lookups. It
// subscribes through $share/<group>/ so several instances split the load. It imports no agent code
// except pos's item and customer types, so it documents the contract from the outside.
package centralsim

import (
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/promo"
	"github.com/storeagent/storeagent/sync/mqttconn"
	"github.com/storeagent/storeagent/sync/outbox"
)

// Customer is a loyalty customer central knows.
type Customer struct {
	CustomerID string `json:"customer_id"`
	Name       string `json:"name"`
	Tier       string `json:"tier"`
	Points     int64  `json:"points"`
}

// Options configure a simulator.
type Options struct {
	// Broker is the broker URL (tcp://, ssl://, ws://...).
	Broker string
	// ClientID defaults to centralsim-<random>.
	ClientID string
	// Username and Password authenticate to the broker.
	Username, Password string
	// TLS configures ssl:// and wss:// connections (nil: system roots, no client certificate).
	TLS *tls.Config
	// TopicPrefix defaults to "retail".
	TopicPrefix string
	// Group is the $share group; default "centralsim".
	Group string
	// NoShare subscribes without $share (for brokers without shared subscriptions).
	NoShare bool
	// DBPath is the simulator's SQLite file; empty means a file in a new temporary directory.
	DBPath string
	// Catalog is the starting catalogue, as of catalogue seq 1.
	Catalog []pos.CatalogItem
	// Customers answer lookups, by customer id.
	Customers map[string]Customer
	// ChunkSize is the number of items per snapshot chunk; default 500.
	ChunkSize int
	// RepublishInterval is how often unacked stock and reservation events are sent again; default
	// 5s; negative turns it off.
	RepublishInterval time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Sim is one simulator instance.
type Sim struct {
	opts Options
	db   *sql.DB
	log  *slog.Logger

	client    atomic.Pointer[mqtt.Client] // the current connection's client; nil before the first
	connected chan struct{}
	inbound   chan mqtt.Message

	mu      gosync.Mutex
	catalog map[string]pos.CatalogItem
	catSeq  int64
	history []catalogChange
	// promoSeq is the last seq on the promotions topic; promos the promotions as central has them.
	promoSeq int64
	promos   map[string]promo.Promotion
}

type catalogChange struct {
	seq   int64
	items []pos.CatalogItem
}

// New opens the simulator's database; Run connects.
func New(opts Options) (*Sim, error) {
	if opts.Broker == "" {
		return nil, errors.New("centralsim: broker is required")
	}
	if opts.TopicPrefix == "" {
		opts.TopicPrefix = "retail"
	}
	if opts.Group == "" {
		opts.Group = "centralsim"
	}
	if opts.ClientID == "" {
		opts.ClientID = "centralsim-" + uuid.NewString()[:8]
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 500
	}
	if opts.RepublishInterval == 0 {
		opts.RepublishInterval = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DBPath == "" {
		dir, err := os.MkdirTemp("", "centralsim-")
		if err != nil {
			return nil, fmt.Errorf("centralsim: %w", err)
		}
		opts.DBPath = filepath.Join(dir, "central.db")
	}
	d, err := openDB(opts.DBPath)
	if err != nil {
		return nil, err
	}
	s := &Sim{opts: opts, db: d, log: opts.Logger.With("component", "centralsim"),
		connected: make(chan struct{}), inbound: make(chan mqtt.Message, 4096),
		catalog: map[string]pos.CatalogItem{}, catSeq: 1}
	for _, it := range opts.Catalog {
		if cur, ok := s.catalog[it.SKU]; !ok || it.Version > cur.Version {
			s.catalog[it.SKU] = it
		}
	}
	return s, nil
}

// Close closes the database. Call it after Run returned.
func (s *Sim) Close() error { return s.db.Close() }

// Connected is closed once the simulator has connected and subscribed the first time.
func (s *Sim) Connected() <-chan struct{} { return s.connected }

func (s *Sim) storeTopic(store, rel string) string {
	return s.opts.TopicPrefix + "/stores/" + store + "/" + rel
}

// Run connects, subscribes and serves until ctx ends, reconnecting with a fresh client after a
// lost connection. Not paho's own auto-reconnect: its reconnect path races with its own shutdown
// (eclipse-paho/paho.mqtt.golang#550, seen here under -race when the broker restarts), and the
// agent reconnects the same way.
func (s *Sim) Run(ctx context.Context) error {
	errc := make(chan error, 3)
	go func() { errc <- s.connLoop(ctx) }()
	go func() { errc <- s.inboundLoop(ctx) }()
	if s.opts.RepublishInterval > 0 {
		go func() { errc <- s.republishLoop(ctx) }()
	} else {
		errc <- nil
	}
	<-ctx.Done()
	return errors.Join(<-errc, <-errc, <-errc)
}

// mq is the current client, or nil before the first connection.
func (s *Sim) mq() mqtt.Client {
	if p := s.client.Load(); p != nil {
		return *p
	}
	return nil
}

// online reports whether the current client is connected.
func (s *Sim) online() bool {
	c := s.mq()
	return c != nil && c.IsConnectionOpen()
}

// connLoop keeps one connection up until ctx ends: connect, subscribe, wait for the loss, retry
// from 200 ms doubling to 2 s.
func (s *Sim) connLoop(ctx context.Context) error {
	var once gosync.Once
	wait := 200 * time.Millisecond
	for ctx.Err() == nil {
		lost := make(chan struct{}, 1)
		o := mqtt.NewClientOptions().AddBroker(s.opts.Broker).SetClientID(s.opts.ClientID).
			SetCleanSession(false).SetProtocolVersion(4).SetAutoReconnect(false).SetConnectRetry(false).
			SetConnectTimeout(5 * time.Second).SetOrderMatters(false).SetDefaultPublishHandler(s.handle).
			SetConnectionLostHandler(func(mqtt.Client, error) {
				select {
				case lost <- struct{}{}:
				default:
				}
			})
		if s.opts.TLS != nil {
			o.SetTLSConfig(s.opts.TLS)
		}
		if s.opts.Username != "" {
			o.SetUsername(s.opts.Username).SetPassword(s.opts.Password)
		}
		c := mqtt.NewClient(mqttconn.Use(o))
		tok := c.Connect()
		err := error(nil)
		if !tok.WaitTimeout(10 * time.Second) {
			err = errors.New("connect: no answer from the broker")
		} else if err = tok.Error(); err == nil {
			s.client.Store(&c)
			if err = s.subscribe(c); err == nil {
				once.Do(func() { close(s.connected) })
				wait = 200 * time.Millisecond
				select {
				case <-ctx.Done():
				case <-lost:
					s.log.Info("connection lost; reconnecting")
				}
			} else {
				s.log.Error("subscribe", "err", err)
			}
		}
		c.Disconnect(250)
		if err != nil {
			s.log.Debug("connect", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
	return nil
}

func (s *Sim) subscribe(c mqtt.Client) error {
	filters := map[string]byte{}
	for _, rel := range []string{outbox.TopicSales, outbox.TopicMovements, outbox.TopicReservations, outbox.TopicTill, outbox.TopicFiscal,
		outbox.TopicPayments,
		"inbox/acks", "customers/lookup", "sync/request"} {
		f := s.opts.TopicPrefix + "/stores/+/" + rel
		if !s.opts.NoShare {
			f = "$share/" + s.opts.Group + "/" + f
		}
		filters[f] = 1
	}
	tok := c.SubscribeMultiple(filters, nil)
	if !tok.WaitTimeout(10 * time.Second) {
		return errors.New("subscribe: no answer from the broker")
	}
	return tok.Error()
}

// publish sends one event to a store's topic and waits for the PUBACK.
func (s *Sim) publish(store, rel string, payload []byte) error {
	c := s.mq()
	if c == nil {
		return fmt.Errorf("publish %s: not connected", rel)
	}
	tok := c.Publish(s.storeTopic(store, rel), 1, false, payload)
	if !tok.WaitTimeout(10 * time.Second) {
		return fmt.Errorf("publish %s: no answer from the broker", rel)
	}
	return tok.Error()
}

// envelope builds a central CloudEvent; seq 0 means none.
func (s *Sim) envelope(id, typ string, seq int64, data any) ([]byte, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	ev := outbox.Event{SpecVersion: "1.0", ID: id, Source: "/central", Type: typ,
		Time: s.opts.Now().UTC().Format(time.RFC3339Nano), DataContentType: "application/json", Data: raw}
	if seq > 0 {
		ev.Seq = &seq
	}
	return json.Marshal(ev)
}
