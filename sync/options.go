package sync

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Options configure a Syncer. Zero durations take the defaults documented on each field; a
// negative interval turns that background loop off (tests drive it by hand).
type Options struct {
	// StoreID is the store, [a-z0-9-]{1,64}; topics are <TopicPrefix>/stores/<StoreID>/…
	StoreID string
	// TopicPrefix is the first topic level; default "retail".
	TopicPrefix string
	// Broker is the broker URL: tcp://, ssl://, tls://, ws:// or wss://.
	Broker string
	// ClientID is the MQTT client id; default storeagent-<StoreID>.
	ClientID string
	// Username and Password authenticate to the broker (optional).
	Username string
	Password string
	// CAFile is a PEM bundle of the CAs that sign the broker's certificate (TLS); empty means the
	// system roots. Verification is always on.
	CAFile string
	// CertFile and KeyFile are the agent's client certificate and key (mutual TLS), both or neither.
	CertFile string
	KeyFile  string
	// AgentVersion is reported in the status event.
	AgentVersion string
	// LookupTimeout bounds a customer lookup at central; default 2s.
	LookupTimeout time.Duration
	// CacheTTL is how long a cached customer is served without asking central; default 24h.
	CacheTTL time.Duration
	// Logger receives the component's logs; default slog.Default().
	Logger *slog.Logger
	// Registerer receives the metrics; nil registers nothing.
	Registerer prometheus.Registerer
	// Now is the clock; default time.Now.
	Now func() time.Time

	// Window is the most outbox events published and not yet acked by central; default 2000.
	Window int
	// AckTimeout is how long a published event waits for central's ack before it is republished;
	// default 30s.
	AckTimeout time.Duration
	// PollInterval is how often the outbox is read when nobody calls Notify; default 2s.
	PollInterval time.Duration
	// TimerInterval is how often expired reservations and due catalogue items are looked for;
	// default 1s.
	TimerInterval time.Duration
	// Retention is how long acked outbox events and applied, acked inbox events are kept (the
	// outbox_seq and inbox_seq counters are kept regardless); default 7 days, negative keeps all.
	Retention time.Duration
	// Backoff paces reconnects; zero fields take the DefaultBackoff* constants and
	// DefaultReconnectWindow.
	Backoff Backoff
	// ConnectTimeout bounds one connection attempt; default 10s.
	ConnectTimeout time.Duration
	// KeepAlive is the MQTT keep-alive; default 30s.
	KeepAlive time.Duration
	// OnConnect, if set, is called after each successful connection (connected and subscribed,
	// before the online status goes out), from the connection loop; it must not block. The fleet
	// simulator (storebench fleet) counts reconnects with it.
	OnConnect func()
	// Fleet, if set, receives the fleet topics (CONTRACT.md, "Fleet operations"), retained
	// messages included, from paho's handler (see FleetHandler).
	Fleet FleetHandler
}

func (o *Options) setDefaults() error {
	if o.StoreID == "" {
		return errors.New("sync: store_id is required")
	}
	if o.TopicPrefix == "" {
		o.TopicPrefix = "retail"
	}
	if strings.ContainsAny(o.TopicPrefix+o.StoreID, "+#") {
		return fmt.Errorf("sync: topic prefix %q and store id %q must not contain MQTT wildcards", o.TopicPrefix, o.StoreID)
	}
	if o.Broker == "" {
		return errors.New("sync: mqtt.broker is required")
	}
	u, err := url.Parse(o.Broker)
	if err != nil {
		return fmt.Errorf("sync: mqtt.broker %q: %w", o.Broker, err)
	}
	switch u.Scheme {
	case "tcp", "mqtt", "ssl", "tls", "mqtts", "ws", "wss":
	default:
		return fmt.Errorf("sync: mqtt.broker %q: scheme must be tcp, ssl, tls, ws or wss", o.Broker)
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return errors.New("sync: mqtt.cert_file and mqtt.key_file go together")
	}
	if o.ClientID == "" {
		o.ClientID = "storeagent-" + o.StoreID
	}
	if o.LookupTimeout == 0 {
		o.LookupTimeout = 2 * time.Second
	}
	if o.CacheTTL == 0 {
		o.CacheTTL = 24 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Window <= 0 {
		o.Window = 2000
	}
	if o.AckTimeout == 0 {
		o.AckTimeout = 30 * time.Second
	}
	if o.PollInterval == 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.TimerInterval == 0 {
		o.TimerInterval = time.Second
	}
	if o.Retention == 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	o.Backoff = o.Backoff.withDefaults()
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.KeepAlive == 0 {
		o.KeepAlive = 30 * time.Second
	}
	return nil
}

// base is <prefix>/stores/<store_id>/.
func (o *Options) base() string { return o.TopicPrefix + "/stores/" + o.StoreID + "/" }
