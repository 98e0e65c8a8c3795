package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/storeagent/storeagent/sync/broker"
)

// fleetBroker is the broker a fleet run starts, kills (one node, SIGKILL) and starts again: a
// private Mosquitto, a 3-node NATS cluster or a RabbitMQ node (-broker-cluster).
type fleetBroker interface {
	// Name is the broker for the report, e.g. "private 3-node NATS cluster (nats-server: v2.9.10)".
	Name() string
	// Nodes is the number of nodes; store i connects to node i % Nodes, consumer k to k % Nodes.
	Nodes() int
	URL(node int) string
	// Share reports whether central's consumers can share one $share group; without it each
	// consumer subscribes to every store (each event reaches every consumer; dedup keeps one).
	Share() bool
	// Killed is the node the run kills.
	Killed() int
	Kill()
	Restart() error
	// Pid is the killed node's process, whose memory the run samples.
	Pid() int
	Stop()
}

// newFleetBroker starts the broker named by -broker-cluster ("" or "mosquitto", "nats",
// "rabbitmq") with its files under dir; natsMQTT goes into each NATS node's mqtt { } block.
func newFleetBroker(kind, dir, natsMQTT string) (fleetBroker, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	switch kind {
	case "", "mosquitto":
		// autosave: the broker persists its sessions every 2 s, so a restart keeps most of them,
		// as a clustered broker would; what it loses the agents republish.
		mq, err := broker.NewMosquitto(dir, "", "autosave_interval 2\n")
		if err != nil {
			return nil, err
		}
		if err := mq.Start(); err != nil {
			return nil, err
		}
		return fleetMosquitto{mq}, nil
	case "nats":
		// JetStream keeps the MQTT sessions, retained messages and QoS 1 messages in streams
		// replicated over the 3 nodes (stream_replicas defaults to the cluster's size, at most 3),
		// so one node's loss keeps a quorum.
		c, err := broker.NewNATSCluster(dir, 3, natsMQTT)
		if err != nil {
			return nil, err
		}
		c.Stderr = os.Stderr
		if err := c.Start(60 * time.Second); err != nil {
			return nil, err
		}
		return &fleetNATS{c: c, mqtt: natsMQTT}, nil
	case "rabbitmq":
		r, err := broker.NewRabbitMQ(filepath.Join(dir, "rabbitmq"), "")
		if err != nil {
			return nil, err
		}
		if err := r.Start(90 * time.Second); err != nil {
			return nil, err
		}
		return fleetRabbit{r}, nil
	}
	return nil, fmt.Errorf("-broker-cluster %q: want mosquitto, nats or rabbitmq", kind)
}

type fleetMosquitto struct{ mq *broker.Mosquitto }

func (b fleetMosquitto) Name() string   { return "private " + mosquittoVersion() }
func (b fleetMosquitto) Nodes() int     { return 1 }
func (b fleetMosquitto) URL(int) string { return b.mq.URL("tcp") }
func (b fleetMosquitto) Share() bool    { return true }
func (b fleetMosquitto) Killed() int    { return 0 }
func (b fleetMosquitto) Kill()          { b.mq.Stop() }
func (b fleetMosquitto) Restart() error { return b.mq.Start() }
func (b fleetMosquitto) Pid() int       { return b.mq.Pid() }
func (b fleetMosquitto) Stop()          { b.mq.Stop() }

// fleetNATS is a 3-node NATS cluster with JetStream and MQTT; the run kills node n1.
type fleetNATS struct {
	c    *broker.NATSCluster
	mqtt string
}

func (b *fleetNATS) Name() string {
	name := fmt.Sprintf("private %d-node NATS cluster with JetStream and MQTT (%s)", len(b.c.Nodes), broker.NATSVersion())
	if b.mqtt != "" {
		name += ", mqtt { " + strings.Join(strings.Fields(b.mqtt), " ") + " }"
	}
	return name
}
func (b *fleetNATS) Nodes() int          { return len(b.c.Nodes) }
func (b *fleetNATS) URL(node int) string { return b.c.URL(node) }

// Share: NATS 2.9's MQTT takes $share/<group>/<filter> as a plain topic name (TestProbe_NATSCluster).
func (b *fleetNATS) Share() bool    { return false }
func (b *fleetNATS) Killed() int    { return 0 }
func (b *fleetNATS) Kill()          { b.c.KillNode(0) }
func (b *fleetNATS) Restart() error { return b.c.StartNode(0, 60*time.Second) }
func (b *fleetNATS) Pid() int       { return b.c.Pid(0) }
func (b *fleetNATS) Stop()          { b.c.Stop() }

// fleetRabbit is one RabbitMQ node with the MQTT plugin.
type fleetRabbit struct{ r *broker.RabbitMQ }

func (b fleetRabbit) Name() string {
	return fmt.Sprintf("private RabbitMQ %s node, rabbitmq_mqtt plugin", broker.RabbitMQVersion())
}
func (b fleetRabbit) Nodes() int     { return 1 }
func (b fleetRabbit) URL(int) string { return b.r.URL() }

// Share: RabbitMQ 3.10's MQTT plugin has no shared subscriptions.
func (b fleetRabbit) Share() bool    { return false }
func (b fleetRabbit) Killed() int    { return 0 }
func (b fleetRabbit) Kill()          { b.r.Stop() }
func (b fleetRabbit) Restart() error { return b.r.Start(90 * time.Second) }
func (b fleetRabbit) Pid() int {
	if pid := b.r.BeamPid(); pid != 0 {
		return pid
	}
	return b.r.Pid()
}
func (b fleetRabbit) Stop() { b.r.Stop() }
