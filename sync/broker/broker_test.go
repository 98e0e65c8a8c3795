package broker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/storeagent/storeagent/sync/broker"
)

func TestStart(t *testing.T) {
	url, stop, err := broker.Start(context.Background(), broker.Options{})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if !strings.HasPrefix(url, "tcp://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Errorf("url = %q, want tcp://127.0.0.1:<port>", url)
	}
	t.Run("retained QoS 1 round trip", func(t *testing.T) {
		c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID("broker-test"))
		if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("connect: %v", tok.Error())
		}
		defer c.Disconnect(100)
		if tok := c.Publish("a/b", 1, true, "hello"); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("publish: %v", tok.Error())
		}
		got := make(chan string, 1)
		c.Subscribe("a/#", 1, func(_ mqtt.Client, m mqtt.Message) { got <- string(m.Payload()) })
		select {
		case g := <-got:
			if g != "hello" {
				t.Errorf("got %q, want hello", g)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("retained message not delivered")
		}
	})
	stop()
	stop() // idempotent
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID("after-stop").SetConnectTimeout(time.Second))
	if tok := c.Connect(); tok.WaitTimeout(3*time.Second) && tok.Error() == nil {
		t.Error("connected after stop")
	}
}
