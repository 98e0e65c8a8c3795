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

	client    mqtt.Client
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

// Run connects (paho's own reconnect: the simulator is not a fleet), subscribes and serves until
// ctx ends.
func (s *Sim) Run(ctx context.Context) error {
	var once gosync.Once
	o := mqtt.NewClientOptions().AddBroker(s.opts.Broker).SetClientID(s.opts.ClientID).
		SetCleanSession(false).SetProtocolVersion(4).SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(200 * time.Millisecond).SetMaxReconnectInterval(2 * time.Second).
		SetOrderMatters(false).SetDefaultPublishHandler(s.handle).
		SetOnConnectHandler(func(c mqtt.Client) {
			if err := s.subscribe(c); err != nil {
				s.log.Error("subscribe", "err", err)
				return
			}
			once.Do(func() { close(s.connected) })
		})
	if s.opts.TLS != nil {
		o.SetTLSConfig(s.opts.TLS)
	}
	if s.opts.Username != "" {
		o.SetUsername(s.opts.Username).SetPassword(s.opts.Password)
	}
	s.client = mqtt.NewClient(mqttconn.Use(o))
	s.client.Connect()
	errc := make(chan error, 2)
	go func() { errc <- s.inboundLoop(ctx) }()
	if s.opts.RepublishInterval > 0 {
		go func() { errc <- s.republishLoop(ctx) }()
	} else {
		errc <- nil
	}
	<-ctx.Done()
	err := errors.Join(<-errc, <-errc)
	s.client.Disconnect(250)
	return err
}

func (s *Sim) subscribe(c mqtt.Client) error {
	filters := map[string]byte{}
	for _, rel := range []string{outbox.TopicSales, outbox.TopicMovements, outbox.TopicReservations, outbox.TopicTill, outbox.TopicFiscal,
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
	tok := s.client.Publish(s.storeTopic(store, rel), 1, false, payload)
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
