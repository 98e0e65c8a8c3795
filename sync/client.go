package sync

import (
	"context"
	crand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"

	"github.com/storeagent/storeagent/sync/mqttconn"
	"github.com/storeagent/storeagent/sync/outbox"
)

// errOffline is returned by publish while no connection is up.
var errOffline = errors.New("not connected to the broker")

// TLSConfig builds the client TLS configuration from a CA file and an optional client certificate.
// Verification is always on: there is no option to skip it.
func TLSConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt ca_file %s: no PEM certificates", caFile)
		}
		cfg.RootCAs = pool
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt cert_file/key_file: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func newRand() *rand.Rand {
	var seed [16]byte
	_, _ = crand.Read(seed[:])
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:])))
}

// envelope wraps data in a CloudEvent from this store (no seq: not an outbox event).
func (s *Syncer) envelope(typ string, data any) ([]byte, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", typ, err)
	}
	return json.Marshal(outbox.Event{SpecVersion: "1.0", ID: uuid.Must(uuid.NewV7()).String(),
		Source: "/stores/" + s.opts.StoreID, Type: typ, Time: s.now(), DataContentType: "application/json", Data: raw})
}

func (s *Syncer) clientOptions(lost chan<- error) (*mqtt.ClientOptions, error) {
	o := mqtt.NewClientOptions().AddBroker(s.opts.Broker).SetClientID(s.opts.ClientID).
		SetProtocolVersion(4).SetCleanSession(false).SetAutoReconnect(false).SetConnectRetry(false).
		SetAutoAckDisabled(true).SetOrderMatters(true).SetResumeSubs(false).
		SetKeepAlive(s.opts.KeepAlive).SetConnectTimeout(s.opts.ConnectTimeout).SetWriteTimeout(s.opts.ConnectTimeout).
		SetMessageChannelDepth(1024).
		SetDefaultPublishHandler(s.handle).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			select {
			case lost <- err:
			default:
			}
		})
	if s.opts.Username != "" {
		o.SetUsername(s.opts.Username).SetPassword(s.opts.Password)
	}
	if strings.HasPrefix(s.opts.Broker, "ssl:") || strings.HasPrefix(s.opts.Broker, "tls:") ||
		strings.HasPrefix(s.opts.Broker, "mqtts:") || strings.HasPrefix(s.opts.Broker, "wss:") {
		cfg, err := TLSConfig(s.opts.CAFile, s.opts.CertFile, s.opts.KeyFile)
		if err != nil {
			return nil, err
		}
		o.SetTLSConfig(cfg)
	}
	will, err := s.envelope(TypeStatus, StatusData{Online: false, AgentVersion: s.opts.AgentVersion})
	if err != nil {
		return nil, err
	}
	o.SetBinaryWill(s.opts.base()+TopicStatus, will, 1, true)
	return mqttconn.UseLimit(o, mqttconn.MaxPacket, func(topic string, size int) {
		rel, _ := strings.CutPrefix(topic, s.opts.base())
		s.log.Warn("oversized MQTT packet skipped unread and acked", "topic", rel, "bytes", size, "max", mqttconn.MaxPacket)
		s.metrics.deadLetters.WithLabelValues(truncate(rel, 64), ReasonTooLarge).Inc()
	}), nil
}

// connLoop keeps one connection up, reconnecting with backoff and jitter, until ctx ends. It never
// returns an error: the store sells offline. After a lost connection the retries follow the
// Backoff's slots, so a fleet that lost the same broker comes back spread over its Window.
func (s *Syncer) connLoop(ctx context.Context) error {
	rng := newRand()
	next := 0            // index of the next retry since the last loss (or since start)
	var lostAt time.Time // when the last connection was lost; zero before the first one or without slots
	for {
		lost := make(chan error, 1)
		o, err := s.clientOptions(lost)
		if err == nil {
			c := mqtt.NewClient(o)
			err = s.connect(ctx, c)
			if err == nil {
				if !s.serve(ctx, c, lost) {
					return nil
				}
				next, lostAt = 0, time.Time{}
				if s.opts.Backoff.Spread() {
					lostAt = time.Now()
				}
				d := s.retryDelay(lostAt, next, rng)
				s.log.Info("reconnecting", "broker", s.opts.Broker, "in", d.Round(time.Millisecond))
				if !lostAt.IsZero() {
					next++
				}
				if !sleep(ctx, d) {
					return nil
				}
				continue
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		// Also a TLS file that cannot be read: logged and retried, never fatal, so the store
		// keeps selling while IT fixes it.
		d := s.retryDelay(lostAt, next, rng)
		s.log.Warn("broker unreachable", "broker", s.opts.Broker, "err", err, "retry_in", d.Round(time.Millisecond))
		next++
		if !sleep(ctx, d) {
			return nil
		}
	}
}

// retryDelay is the wait before retry n: in its slot after a loss at lostAt, or the exponential
// Delay when no connection was lost (lostAt zero).
func (s *Syncer) retryDelay(lostAt time.Time, n int, rng *rand.Rand) time.Duration {
	if lostAt.IsZero() {
		return s.opts.Backoff.Delay(n, rng)
	}
	return max(0, time.Until(lostAt.Add(s.opts.Backoff.SlotAttempt(n, rng))))
}

// serve waits while connected; false when ctx ended (after saying offline).
func (s *Syncer) serve(ctx context.Context, c mqtt.Client, lost <-chan error) bool {
	s.log.Info("connected to broker", "broker", s.opts.Broker, "client_id", s.opts.ClientID)
	select {
	case <-ctx.Done():
		s.goOffline(c)
		return false
	case err := <-lost:
		s.online.Store(false)
		s.client.Store(nil)
		s.metrics.online.Set(0)
		s.log.Warn("connection to broker lost", "err", err)
		return true
	}
}

// connect opens the connection, subscribes, and says online.
func (s *Syncer) connect(ctx context.Context, c mqtt.Client) error {
	if err := wait(ctx, c.Connect(), s.opts.ConnectTimeout); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	filters := map[string]byte{}
	for _, t := range []string{TopicCatalog, TopicPromotions, TopicStock, TopicReservationsIn, TopicCustomerReply, TopicAcks} {
		filters[s.opts.base()+t] = 1
	}
	if s.opts.Fleet != nil {
		for _, t := range s.opts.Fleet.Topics() {
			filters[s.opts.base()+t] = 1
		}
	}
	tok := c.SubscribeMultiple(filters, nil)
	if err := wait(ctx, tok, s.opts.ConnectTimeout); err != nil {
		c.Disconnect(100)
		return fmt.Errorf("subscribe: %w", err)
	}
	if st, ok := tok.(*mqtt.SubscribeToken); ok {
		for topic, code := range st.Result() {
			if code == 0x80 { // MQTT 3.1.1 §3.9.3: failure, e.g. refused by the broker's ACL
				c.Disconnect(100)
				return fmt.Errorf("subscribe %s: refused by the broker (check its ACL for this client)", topic)
			}
		}
	}
	s.client.Store(&c)
	s.gen.Add(1)
	s.online.Store(true)
	s.metrics.online.Set(1)
	s.metrics.connects.Inc()
	if s.opts.OnConnect != nil {
		s.opts.OnConnect()
	}
	if err := s.publishStatus(ctx, true); err != nil {
		s.log.Warn("publish status", "err", err)
	}
	wake(s.connWake)
	wake(s.notify)
	wake(s.ackWake)
	return nil
}

// goOffline publishes the retained offline status (a clean disconnect sends no will) and
// disconnects.
func (s *Syncer) goOffline(c mqtt.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.publishStatus(ctx, false); err != nil {
		s.log.Warn("publish offline status", "err", err)
	}
	s.online.Store(false)
	s.client.Store(nil)
	s.metrics.online.Set(0)
	c.Disconnect(250)
}

func (s *Syncer) publishStatus(ctx context.Context, online bool) error {
	st := StatusData{Online: online, AgentVersion: s.opts.AgentVersion}
	_ = s.db.R.QueryRowContext(ctx, `SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'catalog_seq'), 0)`).Scan(&st.CatalogSeq)
	n, _, err := outbox.Pending(ctx, s.db.R, s.opts.Now())
	if err == nil {
		st.OutboxPending = n
	}
	payload, err := s.envelope(TypeStatus, st)
	if err != nil {
		return err
	}
	tok, err := s.publish(TopicStatus, payload, true)
	if err != nil {
		return err
	}
	return wait(ctx, tok, s.opts.ConnectTimeout)
}

// publish sends payload on a topic relative to the store's prefix, QoS 1.
func (s *Syncer) publish(topic string, payload []byte, retained bool) (mqtt.Token, error) {
	cp := s.client.Load()
	if cp == nil {
		return nil, errOffline
	}
	return (*cp).Publish(s.opts.base()+topic, 1, retained, payload), nil
}

// publishWait publishes and waits for the PUBACK (not central's ack).
func (s *Syncer) publishWait(ctx context.Context, topic string, typ string, data any) error {
	payload, err := s.envelope(typ, data)
	if err != nil {
		return err
	}
	tok, err := s.publish(topic, payload, false)
	if err != nil {
		return err
	}
	return wait(ctx, tok, s.opts.ConnectTimeout)
}

// wait waits for a paho token, a timeout or ctx.
func wait(ctx context.Context, tok mqtt.Token, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-tok.Done():
		return tok.Error()
	case <-t.C:
		return fmt.Errorf("no answer from the broker in %s", timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}
