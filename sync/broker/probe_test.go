package broker_test

import (
	"cmp"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/broker"
)

// TestProbe_NATSCluster starts a private 3-node NATS cluster (JetStream + MQTT, free loopback
// ports; mqtt.ack_wait 2 s instead of the default 30 s, so the redelivery check is quick) and probes what the contract needs across two of its nodes. It skips without
// nats-server (STOREAGENT_REQUIRE_NATS=1 makes that a failure). The findings are what
// docs/scaling.md states for NATS 2.9: retained, offline queueing and redelivery work; $share
// does not.
func TestProbe_NATSCluster(t *testing.T) {
	if _, err := broker.NATSBinary(); errors.Is(err, broker.ErrNoNATS) {
		if os.Getenv("STOREAGENT_REQUIRE_NATS") == "1" {
			t.Fatal("no nats-server and STOREAGENT_REQUIRE_NATS=1")
		}
		t.Skip("no nats-server binary")
	}
	c, err := broker.NewNATSCluster(t.TempDir(), 3, `ack_wait: "2s"`)
	if err != nil {
		t.Fatal(err)
	}
	c.Stderr = os.Stderr
	if err := c.Start(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	got := map[string]broker.Finding{}
	for _, f := range broker.Probe(c.URL(0), c.URL(1), 5*time.Second) {
		t.Log(f)
		got[f.Name] = f
	}
	for _, name := range []string{"retained", "offline-queue", "redelivery", "max-payload"} {
		if !got[name].OK {
			t.Errorf("%s: %s", name, got[name].Detail)
		}
	}
	if got["share"].OK {
		t.Errorf("share: NATS 2.9 MQTT split a $share group (%s); docs/scaling.md says it does not", got["share"].Detail)
	}
}

// TestProbe_RabbitMQ starts a private RabbitMQ node with the MQTT plugin (its own node name,
// folders and free ports) and probes it. It takes longer than CI allows (the node starts in
// ~10 s and a QoS 1 redelivery is only seen after a reconnect), so it runs only with
// STOREAGENT_PROBE_RABBITMQ=1; it skips without RabbitMQ.
func TestProbe_RabbitMQ(t *testing.T) {
	if os.Getenv("STOREAGENT_PROBE_RABBITMQ") != "1" {
		t.Skip("set STOREAGENT_PROBE_RABBITMQ=1 to probe a private RabbitMQ node")
	}
	if _, err := broker.RabbitMQBinary(); err != nil {
		t.Skip(err)
	}
	r, err := broker.NewRabbitMQ(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	for _, f := range broker.Probe(r.URL(), r.URL(), 5*time.Second) {
		t.Log(f)
	}
}

// TestRabbitMQ_RetainedAcrossKill publishes a retained message on a private RabbitMQ node, kills
// the node (SIGKILL), starts it again and reads the message back, with the plugin's default
// retained store and with each named store. It logs what was kept (docs/scaling.md); it fails only
// when the node cannot be run. STOREAGENT_PROBE_RABBITMQ=1 only (about a minute per store).
func TestRabbitMQ_RetainedAcrossKill(t *testing.T) {
	if os.Getenv("STOREAGENT_PROBE_RABBITMQ") != "1" {
		t.Skip("set STOREAGENT_PROBE_RABBITMQ=1 to probe a private RabbitMQ node")
	}
	if _, err := broker.RabbitMQBinary(); err != nil {
		t.Skip(err)
	}
	for _, store := range []string{"", "rabbit_mqtt_retained_msg_store_dets", "rabbit_mqtt_retained_msg_store_ets"} {
		t.Run(cmp.Or(store, "default"), func(t *testing.T) {
			conf := ""
			if store != "" {
				conf = "mqtt.retained_message_store = " + store
			}
			r, err := broker.NewRabbitMQ(t.TempDir(), conf)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Start(90 * time.Second); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(r.Stop)
			if err := broker.PublishRetained(r.URL(), "probe/kill/retained", []byte("before")); err != nil {
				t.Fatal(err)
			}
			time.Sleep(3 * time.Second)
			r.Stop()
			if err := r.Start(90 * time.Second); err != nil {
				t.Fatal(err)
			}
			got, err := broker.ReadRetained(r.URL(), "probe/kill/retained", 3*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("retained store %q: after SIGKILL and restart got %q (kept: %v)", cmp.Or(store, "default"), got, string(got) == "before")
		})
	}
}
