package centralsim

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	gosync "sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"

	"github.com/storeagent/storeagent/sync/fleet"
	"github.com/storeagent/storeagent/sync/mqttconn"
	"github.com/storeagent/storeagent/sync/outbox"
)

// ConsoleOptions configure a fleet Console.
type ConsoleOptions struct {
	Broker             string
	ClientID           string
	Username, Password string
	TLS                *tls.Config
	// TopicPrefix defaults to "retail".
	TopicPrefix string
	// Key signs everything the console sends (central's private key).
	Key ed25519.PrivateKey
	// Now is the clock of issued_at; default time.Now.
	Now func() time.Time
}

// Console is IT's fleet console (docs/fleet.md, `centralsim fleet`): it signs and sends commands,
// config overlays and updates, and collects what the stores report.
type Console struct {
	opts ConsoleOptions
	c    mqtt.Client

	mu          gosync.Mutex
	changed     chan struct{}
	status      map[string]json.RawMessage
	config      map[string]fleet.ConfigReportedData
	update      map[string]fleet.UpdateReportedData
	results     map[string]fleet.CommandResultData
	diagnostics map[string][]fleet.DiagnosticsChunkData
	// syncRequests are the topics each store asked to resend (retail.sync.request).
	syncRequests map[string][]string
}

// DialConsole connects and subscribes to every store's reports.
func DialConsole(ctx context.Context, opts ConsoleOptions) (*Console, error) {
	if opts.TopicPrefix == "" {
		opts.TopicPrefix = "retail"
	}
	if opts.ClientID == "" {
		opts.ClientID = "centralsim-fleet-" + uuid.NewString()[:8]
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	k := &Console{opts: opts, changed: make(chan struct{}), status: map[string]json.RawMessage{},
		config: map[string]fleet.ConfigReportedData{}, update: map[string]fleet.UpdateReportedData{},
		results: map[string]fleet.CommandResultData{}, diagnostics: map[string][]fleet.DiagnosticsChunkData{},
		syncRequests: map[string][]string{}}
	o := mqtt.NewClientOptions().AddBroker(opts.Broker).SetClientID(opts.ClientID).SetCleanSession(true).
		SetProtocolVersion(4).SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(5 * time.Second).
		SetOrderMatters(false).SetDefaultPublishHandler(k.handle)
	if opts.TLS != nil {
		o.SetTLSConfig(opts.TLS)
	}
	if opts.Username != "" {
		o.SetUsername(opts.Username).SetPassword(opts.Password)
	}
	k.c = mqtt.NewClient(mqttconn.Use(o))
	if err := waitTok(ctx, k.c.Connect()); err != nil {
		return nil, fmt.Errorf("connect %s: %w", opts.Broker, err)
	}
	filters := map[string]byte{}
	for _, rel := range []string{"status", fleet.TopicConfigReported, fleet.TopicUpdateReported, fleet.TopicCommandResults, fleet.TopicDiagnostics, "sync/request"} {
		filters[opts.TopicPrefix+"/stores/+/"+rel] = 1
	}
	if err := waitTok(ctx, k.c.SubscribeMultiple(filters, nil)); err != nil {
		k.c.Disconnect(100)
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return k, nil
}

// Close disconnects.
func (k *Console) Close() { k.c.Disconnect(250) }

func waitTok(ctx context.Context, tok mqtt.Token) error {
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Second):
		return errors.New("no answer from the broker")
	}
}

func (k *Console) handle(_ mqtt.Client, m mqtt.Message) {
	rest, ok := strings.CutPrefix(m.Topic(), k.opts.TopicPrefix+"/stores/")
	if !ok {
		return
	}
	store, rel, ok := strings.Cut(rest, "/")
	if !ok {
		return
	}
	var ev outbox.Event
	if json.Unmarshal(m.Payload(), &ev) != nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	switch rel {
	case "status":
		k.status[store] = ev.Data
	case fleet.TopicConfigReported:
		var d fleet.ConfigReportedData
		if json.Unmarshal(ev.Data, &d) == nil {
			k.config[store] = d
		}
	case fleet.TopicUpdateReported:
		var d fleet.UpdateReportedData
		if json.Unmarshal(ev.Data, &d) == nil {
			k.update[store] = d
		}
	case fleet.TopicCommandResults:
		var d fleet.CommandResultData
		if json.Unmarshal(ev.Data, &d) == nil && d.CommandID != "" {
			k.results[d.CommandID] = d
		}
	case "sync/request":
		var d struct {
			Topic string `json:"topic"`
		}
		if json.Unmarshal(ev.Data, &d) == nil && len(k.syncRequests[store]) < 100 {
			k.syncRequests[store] = append(k.syncRequests[store], d.Topic)
		}
	case fleet.TopicDiagnostics:
		var d fleet.DiagnosticsChunkData
		if json.Unmarshal(ev.Data, &d) == nil && len(k.diagnostics[d.CommandID]) < fleet.DiagnosticsMaxChunks {
			k.diagnostics[d.CommandID] = append(k.diagnostics[d.CommandID], d)
		}
	}
	close(k.changed)
	k.changed = make(chan struct{})
}

// send signs data for store and publishes it as a central CloudEvent.
func (k *Console) send(ctx context.Context, store, rel, typ string, data any, retained bool) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	signed, err := fleet.Sign(k.opts.Key, typ, store, raw)
	if err != nil {
		return err
	}
	return k.publishRaw(ctx, store, rel, typ, signed, retained)
}

// publishRaw publishes data (already signed, or deliberately not) in a central CloudEvent.
func (k *Console) publishRaw(ctx context.Context, store, rel, typ string, data []byte, retained bool) error {
	ev := outbox.Event{SpecVersion: "1.0", ID: uuid.Must(uuid.NewV7()).String(), Source: "/central", Type: typ,
		Time: k.opts.Now().UTC().Format(time.RFC3339Nano), DataContentType: "application/json", Data: data}
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return waitTok(ctx, k.c.Publish(k.opts.TopicPrefix+"/stores/"+store+"/"+rel, 1, retained, payload))
}

// Command sends a signed command and returns its id.
func (k *Console) Command(ctx context.Context, store, name string, args any) (string, error) {
	id := uuid.Must(uuid.NewV7()).String()
	var raw json.RawMessage
	if args != nil {
		b, err := json.Marshal(args)
		if err != nil {
			return "", err
		}
		raw = b
	}
	c := fleet.CommandData{CommandID: id, Name: name, Args: raw, IssuedAt: k.opts.Now().UTC().Format(time.RFC3339Nano)}
	return id, k.send(ctx, store, fleet.TopicCommands, fleet.TypeCommand, c, false)
}

// SendCommand sends a command as given (its id and issued_at kept): replays in tests.
func (k *Console) SendCommand(ctx context.Context, store string, c fleet.CommandData) error {
	return k.send(ctx, store, fleet.TopicCommands, fleet.TypeCommand, c, false)
}

// PublishUnsigned publishes data with no valid signature (tests of the refusal).
func (k *Console) PublishUnsigned(ctx context.Context, store, rel, typ string, data any, retained bool) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return k.publishRaw(ctx, store, rel, typ, raw, retained)
}

// SetConfig publishes the retained, signed desired config overlay of a store.
func (k *Console) SetConfig(ctx context.Context, store string, version int64, overlay json.RawMessage) error {
	return k.send(ctx, store, fleet.TopicConfigDesired, fleet.TypeConfigDesired,
		fleet.ConfigDesiredData{Version: version, Overlay: overlay}, true)
}

// OfferUpdate publishes the retained, signed update of a store.
func (k *Console) OfferUpdate(ctx context.Context, store string, u fleet.UpdateAvailableData) error {
	u.Signature = ""
	return k.send(ctx, store, fleet.TopicUpdate, fleet.TypeUpdateAvailable, u, true)
}

// wait calls ok under the lock until it is true or ctx ends.
func (k *Console) wait(ctx context.Context, ok func() bool) error {
	for {
		k.mu.Lock()
		done, ch := ok(), k.changed
		k.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitResult waits for a command's result.
func (k *Console) WaitResult(ctx context.Context, id string) (fleet.CommandResultData, error) {
	var r fleet.CommandResultData
	err := k.wait(ctx, func() bool { var ok bool; r, ok = k.results[id]; return ok })
	return r, err
}

// WaitConfig waits for a store's config report on version with a status in statuses (any status
// when none are given).
func (k *Console) WaitConfig(ctx context.Context, store string, version int64, statuses ...string) (fleet.ConfigReportedData, error) {
	var r fleet.ConfigReportedData
	err := k.wait(ctx, func() bool {
		var ok bool
		r, ok = k.config[store]
		return ok && r.Version == version && (len(statuses) == 0 || contains(statuses, r.Status))
	})
	return r, err
}

// WaitUpdate waits for a store's update report on version with a status in statuses.
func (k *Console) WaitUpdate(ctx context.Context, store, version string, statuses ...string) (fleet.UpdateReportedData, error) {
	var r fleet.UpdateReportedData
	err := k.wait(ctx, func() bool {
		var ok bool
		r, ok = k.update[store]
		return ok && r.Version == version && (len(statuses) == 0 || contains(statuses, r.Status))
	})
	return r, err
}

// Diagnostics waits for every chunk of a diagnostics bundle and returns its JSON.
func (k *Console) Diagnostics(ctx context.Context, id string) ([]byte, error) {
	var chunks []fleet.DiagnosticsChunkData
	err := k.wait(ctx, func() bool {
		cs := k.diagnostics[id]
		if len(cs) == 0 || len(cs) < cs[0].Count {
			return false
		}
		chunks = append([]fleet.DiagnosticsChunkData(nil), cs...)
		return true
	})
	if err != nil {
		return nil, err
	}
	return fleet.AssembleDiagnostics(chunks)
}

// Snapshot is what the console has heard from each store.
type Snapshot struct {
	Status map[string]json.RawMessage
	Config map[string]fleet.ConfigReportedData
	Update map[string]fleet.UpdateReportedData
}

// Snapshot copies the stores' last reports.
func (k *Console) Snapshot() Snapshot {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := Snapshot{Status: map[string]json.RawMessage{}, Config: map[string]fleet.ConfigReportedData{}, Update: map[string]fleet.UpdateReportedData{}}
	for st, v := range k.status {
		s.Status[st] = v
	}
	for st, v := range k.config {
		s.Config[st] = v
	}
	for st, v := range k.update {
		s.Update[st] = v
	}
	return s
}

// CountConfig counts stores reporting version with status.
func (k *Console) CountConfig(version int64, status string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, r := range k.config {
		if r.Version == version && r.Status == status {
			n++
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Forget drops a command's result, so WaitResult waits for the next one (a replay's).
func (k *Console) Forget(id string) {
	k.mu.Lock()
	delete(k.results, id)
	k.mu.Unlock()
}

// WaitSyncRequest waits for a store's retail.sync.request for topic.
func (k *Console) WaitSyncRequest(ctx context.Context, store, topic string) error {
	return k.wait(ctx, func() bool { return contains(k.syncRequests[store], topic) })
}
