package broker

import (
	"bytes"
	"fmt"
	"strings"
	gosync "sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"
)

// Finding is one thing Probe checked on a broker: what the contract needs (CONTRACT.md, MQTT
// section) and what the broker did.
type Finding struct {
	// Name is short: "retained", "offline-queue", "redelivery", "share", "max-payload".
	Name string
	// OK is whether the broker behaved as the contract needs.
	OK bool
	// Detail says what happened, in a sentence.
	Detail string
	// Took is how long the check ran.
	Took time.Duration
}

func (f Finding) String() string {
	ok := "ok"
	if !f.OK {
		ok = "DIFFERS"
	}
	return fmt.Sprintf("%-13s %-7s %s (%s)", f.Name, ok, f.Detail, f.Took.Round(100*time.Millisecond))
}

// Probe checks, on a running broker, the MQTT features the agent and central rely on: a retained
// message reaches a later subscriber; QoS 1 messages published while a persistent session is
// offline are delivered when it comes back; a QoS 1 message received but not acked is delivered
// again after a reconnect; a $share group splits messages between its members; and the largest of
// a few payload sizes that still arrives. pubURL and subURL may name two nodes of a cluster (the
// probe then also checks that the cluster carries each across); wait bounds every wait for a
// message. It creates only its own topics (probe/<random>/...) and client ids.
func Probe(pubURL, subURL string, wait time.Duration) []Finding {
	base := "probe/" + uuid.NewString()[:8] + "/"
	var out []Finding
	for _, p := range []struct {
		topic string
		fn    func(pubURL, subURL, topic string, wait time.Duration) Finding
	}{{"retained", probeRetained}, {"queue", probeOfflineQueue}, {"redeliver", probeRedelivery},
		{"share", probeShare}, {"big", probeMaxPayload}} {
		t0 := time.Now()
		f := p.fn(pubURL, subURL, base+p.topic, wait)
		f.Took = time.Since(t0)
		out = append(out, f)
	}
	return out
}

// probeClient is one MQTT 3.1.1 connection and what it received.
type probeClient struct {
	c   mqtt.Client
	mu  gosync.Mutex
	got []mqtt.Message
	new chan struct{}
}

func probeConnect(url, clientID string, clean, manualAck bool) (*probeClient, error) {
	p := &probeClient{new: make(chan struct{}, 1)}
	o := mqtt.NewClientOptions().AddBroker(url).SetClientID(clientID).SetProtocolVersion(4).
		SetCleanSession(clean).SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(5 * time.Second).
		SetResumeSubs(false).SetAutoAckDisabled(manualAck).SetOrderMatters(false).
		SetDefaultPublishHandler(func(_ mqtt.Client, m mqtt.Message) {
			p.mu.Lock()
			p.got = append(p.got, m)
			p.mu.Unlock()
			select {
			case p.new <- struct{}{}:
			default:
			}
		})
	p.c = mqtt.NewClient(o)
	tok := p.c.Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		return nil, fmt.Errorf("connect %s: no CONNACK", url)
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("connect %s: %w", url, err)
	}
	return p, nil
}

// subscribe returns the broker's granted QoS (0x80: refused).
func (p *probeClient) subscribe(filter string) (byte, error) {
	tok := p.c.Subscribe(filter, 1, nil)
	if !tok.WaitTimeout(10 * time.Second) {
		return 0x80, fmt.Errorf("subscribe %s: no SUBACK", filter)
	}
	if err := tok.Error(); err != nil {
		return 0x80, err
	}
	return tok.(*mqtt.SubscribeToken).Result()[filter], nil
}

func (p *probeClient) publish(topic string, retained bool, payload []byte) error {
	tok := p.c.Publish(topic, 1, retained, payload)
	if !tok.WaitTimeout(20 * time.Second) {
		return fmt.Errorf("publish %s: no PUBACK", topic)
	}
	return tok.Error()
}

// waitFor waits until n messages arrived or wait passed, and returns what arrived.
func (p *probeClient) waitFor(n int, wait time.Duration) []mqtt.Message {
	deadline := time.After(wait)
	for {
		p.mu.Lock()
		got := append([]mqtt.Message(nil), p.got...)
		p.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-p.new:
		case <-deadline:
			return got
		}
	}
}

func (p *probeClient) close() { p.c.Disconnect(100) }

func probeID(what string) string { return "probe-" + what + "-" + uuid.NewString()[:8] }

func probeRetained(pubURL, subURL, topic string, wait time.Duration) Finding {
	f := Finding{Name: "retained"}
	pub, err := probeConnect(pubURL, probeID("pub"), true, false)
	if err != nil {
		f.Detail = err.Error()
		return f
	}
	defer pub.close()
	if err := pub.publish(topic, true, []byte("online")); err != nil {
		f.Detail = err.Error()
		return f
	}
	defer pub.publish(topic, true, nil) // clear it
	sub, err := probeConnect(subURL, probeID("sub"), true, false)
	if err != nil {
		f.Detail = err.Error()
		return f
	}
	defer sub.close()
	if _, err := sub.subscribe(topic); err != nil {
		f.Detail = err.Error()
		return f
	}
	got := sub.waitFor(1, wait)
	switch {
	case len(got) == 0:
		f.Detail = fmt.Sprintf("a subscriber that came after the retained publish got nothing within %s", wait)
	case !got[0].Retained() || string(got[0].Payload()) != "online":
		f.Detail = fmt.Sprintf("got %q retained=%v", got[0].Payload(), got[0].Retained())
	default:
		f.OK, f.Detail = true, "a later subscriber"+across(pubURL, subURL)+" got the retained message, flagged retained"
	}
	// Central reads every store's retained status through retail/stores/+/status.
	wild := topic[:strings.LastIndexByte(topic, '/')+1] + "+"
	w, err := probeConnect(subURL, probeID("wild"), true, false)
	if err != nil {
		f.Detail += "; " + err.Error()
		return f
	}
	defer w.close()
	if _, err := w.subscribe(wild); err != nil {
		f.OK, f.Detail = false, f.Detail+"; "+err.Error()
		return f
	}
	if got := w.waitFor(1, wait); len(got) == 0 {
		f.OK, f.Detail = false, f.Detail+fmt.Sprintf("; but a subscriber to the wildcard filter %s got nothing within %s", wild, wait)
	} else {
		f.Detail += ", also through a wildcard filter (+)"
	}
	return f
}

func probeOfflineQueue(pubURL, subURL, topic string, wait time.Duration) Finding {
	f := Finding{Name: "offline-queue"}
	id := probeID("session")
	s, err := probeConnect(subURL, id, false, false)
	if err != nil {
		f.Detail = err.Error()
		return f
	}
	if q, err := s.subscribe(topic); err != nil || q == 0x80 {
		s.close()
		f.Detail = fmt.Sprintf("QoS 1 subscribe refused (granted %#x, %v)", q, err)
		return f
	}
	s.close()
	pub, err := probeConnect(pubURL, probeID("pub"), true, false)
	if err != nil {
		f.Detail = err.Error()
		return f
	}
	defer pub.close()
	for i := 0; i < 3; i++ {
		if err := pub.publish(topic, false, []byte(fmt.Sprint(i))); err != nil {
			f.Detail = err.Error()
			return f
		}
	}
	// Back on the publisher's node: the session must follow the client across the cluster.
	s, err = probeConnect(pubURL, id, false, false)
	if err != nil {
		f.Detail = err.Error()
		return f
	}
	defer func() {
		s.close()
		cleanSession(pubURL, id)
	}()
	got := s.waitFor(3, wait)
	if len(got) == 3 {
		f.OK, f.Detail = true, "3 of 3 QoS 1 messages published while the persistent session was offline arrived after it reconnected"+across(subURL, pubURL)+" without subscribing again"
	} else {
		f.Detail = fmt.Sprintf("%d of 3 QoS 1 messages published while the persistent session was offline arrived after it reconnected", len(got))
	}
	return f
}

func probeRedelivery(pubURL, subURL, topic string, wait time.Duration) Finding {
	f := Finding{Name: "redelivery"}
	id := probeID("unacked")
	s, err := probeConnect(subURL, id, false, true)
	if err != nil {
		f.Detail = err.Error()
		return f
	}
	if q, err := s.subscribe(topic); err != nil || q == 0x80 {
		s.close()
		f.Detail = fmt.Sprintf("QoS 1 subscribe refused (granted %#x, %v)", q, err)
		return f
	}
	pub, err := probeConnect(pubURL, probeID("pub"), true, false)
	if err != nil {
		s.close()
		f.Detail = err.Error()
		return f
	}
	defer pub.close()
	if err := pub.publish(topic, false, []byte("once")); err != nil {
		s.close()
		f.Detail = err.Error()
		return f
	}
	if got := s.waitFor(1, wait); len(got) == 0 {
		s.close()
		f.Detail = "the first delivery never came"
		return f
	}
	s.close() // no PUBACK sent
	back := time.Now()
	s, err = probeConnect(subURL, id, false, true)
	if err != nil {
		f.Detail = err.Error()
		return f
	}
	defer func() {
		s.close()
		cleanSession(subURL, id)
	}()
	got := s.waitFor(1, wait)
	after := time.Since(back).Round(100 * time.Millisecond)
	switch {
	case len(got) == 0:
		f.Detail = fmt.Sprintf("a QoS 1 message received but not acked was not delivered again within %s of the reconnect", wait)
	default:
		got[0].Ack()
		f.OK, f.Detail = true, fmt.Sprintf("a QoS 1 message received but not acked was delivered again %s after the reconnect (dup flag %v)", after, got[0].Duplicate())
	}
	return f
}

func probeShare(pubURL, subURL, topic string, wait time.Duration) Finding {
	f := Finding{Name: "share"}
	filter := "$share/probe/" + topic
	var members []*probeClient
	for i, url := range []string{subURL, pubURL} {
		m, err := probeConnect(url, probeID(fmt.Sprint("member", i)), true, false)
		if err != nil {
			f.Detail = err.Error()
			return f
		}
		defer m.close()
		q, err := m.subscribe(filter)
		if err != nil || q == 0x80 {
			f.Detail = fmt.Sprintf("subscribing to %s was refused (granted %#x, %v)", filter, q, err)
			return f
		}
		members = append(members, m)
	}
	pub, err := probeConnect(pubURL, probeID("pub"), true, false)
	if err != nil {
		f.Detail = err.Error()
		return f
	}
	defer pub.close()
	const n = 10
	for i := 0; i < n; i++ {
		if err := pub.publish(topic, false, []byte(fmt.Sprint(i))); err != nil {
			f.Detail = err.Error()
			return f
		}
	}
	a := members[0].waitFor(n, wait/2)
	b := members[1].waitFor(n-len(a), wait/4)
	total := len(a) + len(b)
	switch {
	case total == n && len(a) > 0 && len(b) > 0:
		f.OK, f.Detail = true, fmt.Sprintf("the group's two members got %d and %d of %d: each message once", len(a), len(b), n)
	case total == n:
		f.OK, f.Detail = true, fmt.Sprintf("one member got all %d messages, the other none: each once, not spread", n)
	case total == 0:
		f.Detail = fmt.Sprintf("subscribe to %s was granted, but neither member got any of %d messages on %s: $share is taken as a plain topic name", filter, n, topic)
	default:
		f.Detail = fmt.Sprintf("the group's two members got %d and %d of %d", len(a), len(b), n)
	}
	return f
}

func probeMaxPayload(pubURL, subURL, topic string, wait time.Duration) Finding {
	f := Finding{Name: "max-payload"}
	sub, err := probeConnect(subURL, probeID("sub"), true, false)
	if err != nil {
		f.Detail = err.Error()
		return f
	}
	defer sub.close()
	if _, err := sub.subscribe(topic); err != nil {
		f.Detail = err.Error()
		return f
	}
	var sizes = []int{64 << 10, 1<<20 - 4<<10, 1<<20 + 32<<10}
	var notes []string
	largest := 0
	for i, size := range sizes {
		pub, err := probeConnect(pubURL, probeID("pub"), true, false)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%d KiB: %v", size>>10, err))
			continue
		}
		before := len(sub.waitFor(0, 0))
		body := bytes.Repeat([]byte{'a' + byte(i)}, size)
		err = pub.publish(topic, false, body)
		pub.close()
		if err != nil {
			notes = append(notes, fmt.Sprintf("%d KiB: publish failed (%v)", size>>10, err))
			continue
		}
		got := sub.waitFor(before+1, wait)
		arrived := false
		for _, m := range got {
			if len(m.Payload()) == size {
				arrived = true
			}
		}
		if arrived {
			largest = size
			notes = append(notes, fmt.Sprintf("%d KiB arrived", size>>10))
		} else {
			notes = append(notes, fmt.Sprintf("%d KiB did not arrive", size>>10))
		}
		if !sub.c.IsConnectionOpen() {
			notes = append(notes, "the subscriber was disconnected")
			break
		}
	}
	f.OK = largest >= 1<<20-4<<10
	f.Detail = fmt.Sprintf("largest delivered %d KiB (%s); the agent accepts packets up to 1,088 KiB", largest>>10, strings.Join(notes, ", "))
	return f
}

// cleanSession ends a probe's persistent session (connect clean, disconnect) so the broker drops it.
func cleanSession(url, id string) {
	if c, err := probeConnect(url, id, true, false); err == nil {
		c.close()
	}
}

// across names the move between two nodes in a finding, "" when both are the same broker.
func across(from, to string) string {
	if from == to {
		return ""
	}
	return " (on another node)"
}

// PublishRetained publishes a retained QoS 1 message and waits for the PUBACK.
func PublishRetained(url, topic string, payload []byte) error {
	c, err := probeConnect(url, probeID("retain"), true, false)
	if err != nil {
		return err
	}
	defer c.close()
	return c.publish(topic, true, payload)
}

// ReadRetained subscribes to topic and returns the retained message's payload, nil when none
// arrived within wait.
func ReadRetained(url, topic string, wait time.Duration) ([]byte, error) {
	c, err := probeConnect(url, probeID("retained"), true, false)
	if err != nil {
		return nil, err
	}
	defer c.close()
	if _, err := c.subscribe(topic); err != nil {
		return nil, err
	}
	for _, m := range c.waitFor(1, wait) {
		if m.Retained() {
			return m.Payload(), nil
		}
	}
	return nil, nil
}
