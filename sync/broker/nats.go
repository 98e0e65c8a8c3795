package broker

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// ErrNoNATS is returned by NATSBinary when no nats-server executable is installed.
var ErrNoNATS = errors.New("no nats-server binary (install the nats-server package)")

// NATSBinary finds the nats-server executable on PATH or in the usual sbin folders.
func NATSBinary() (string, error) {
	for _, p := range []string{"nats-server", "/usr/sbin/nats-server", "/usr/local/bin/nats-server"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", ErrNoNATS
}

// NATSVersion is `nats-server --version`'s answer, e.g. "nats-server: v2.9.10", or "" when absent.
func NATSVersion() string {
	bin, err := NATSBinary()
	if err != nil {
		return ""
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// NATSNode is one node of a NATSCluster: its own server_name, store_dir, client, cluster and MQTT
// ports on 127.0.0.1.
type NATSNode struct {
	Name                              string
	ClientPort, ClusterPort, MQTTPort int
	Dir                               string // config file, log and the JetStream store_dir

	conf string
	cmd  *exec.Cmd
	logf *os.File
}

// NATSCluster is a private NATS cluster (JetStream + the MQTT listener on every node) on free
// loopback ports, for benchmarks and probes: its nodes can be killed (SIGKILL) and started again
// one at a time. It never touches a system nats-server (other ports, its own folders).
type NATSCluster struct {
	Nodes []*NATSNode
	// Stderr receives a line when a node does not come up, with its log's tail; nil discards it.
	Stderr io.Writer
	bin    string
}

// NewNATSCluster writes the configs of an n-node cluster under dir (dir/<name>/nats.conf, the
// node's store_dir dir/<name>/js) with every node routing to every other, JetStream and an MQTT
// listener; extraMQTT lines go inside each node's mqtt { } block (e.g. "stream_replicas: 3").
// It starts nothing.
func NewNATSCluster(dir string, n int, extraMQTT string) (*NATSCluster, error) {
	bin, err := NATSBinary()
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("nats cluster: %d nodes", n)
	}
	c := &NATSCluster{bin: bin}
	for i := 0; i < n; i++ {
		var ports [3]int
		for j := range ports {
			if ports[j], err = FreePort(); err != nil {
				return nil, fmt.Errorf("nats cluster: free port: %w", err)
			}
		}
		name := fmt.Sprintf("n%d", i+1)
		c.Nodes = append(c.Nodes, &NATSNode{Name: name, ClientPort: ports[0], ClusterPort: ports[1], MQTTPort: ports[2],
			Dir: filepath.Join(dir, name)})
	}
	routes := make([]string, n)
	for i, nd := range c.Nodes {
		routes[i] = fmt.Sprintf("nats-route://127.0.0.1:%d", nd.ClusterPort)
	}
	for _, nd := range c.Nodes {
		if err := os.MkdirAll(filepath.Join(nd.Dir, "js"), 0o700); err != nil {
			return nil, fmt.Errorf("nats cluster: %w", err)
		}
		cluster := ""
		if n > 1 {
			cluster = fmt.Sprintf("cluster {\n  name: storebench\n  listen: 127.0.0.1:%d\n  routes: [%s]\n}\n",
				nd.ClusterPort, strings.Join(routes, ", "))
		}
		conf := fmt.Sprintf("server_name: %s\nlisten: 127.0.0.1:%d\n"+
			"jetstream {\n  store_dir: %q\n  max_memory_store: 268435456\n  max_file_store: 4294967296\n}\n%s"+
			"mqtt {\n  listen: 127.0.0.1:%d\n%s\n}\n",
			nd.Name, nd.ClientPort, filepath.Join(nd.Dir, "js"), cluster, nd.MQTTPort, extraMQTT)
		nd.conf = filepath.Join(nd.Dir, "nats.conf")
		if err := os.WriteFile(nd.conf, []byte(conf), 0o600); err != nil {
			return nil, fmt.Errorf("nats cluster: %w", err)
		}
	}
	return c, nil
}

// URL is node i's MQTT address, tcp://127.0.0.1:PORT.
func (c *NATSCluster) URL(i int) string {
	return fmt.Sprintf("tcp://127.0.0.1:%d", c.Nodes[i].MQTTPort)
}

// URLs are every node's MQTT address.
func (c *NATSCluster) URLs() []string {
	out := make([]string, len(c.Nodes))
	for i := range c.Nodes {
		out[i] = c.URL(i)
	}
	return out
}

// Pid is node i's process id, 0 when stopped.
func (c *NATSCluster) Pid(i int) int {
	nd := c.Nodes[i]
	if nd.cmd == nil || nd.cmd.Process == nil {
		return 0
	}
	return nd.cmd.Process.Pid
}

// Start starts every node that is not running, then waits (up to timeout) until each node's MQTT
// listener accepts an MQTT session, which needs JetStream's meta leader elected and the MQTT
// streams created.
func (c *NATSCluster) Start(timeout time.Duration) error {
	for i := range c.Nodes {
		if err := c.spawn(i); err != nil {
			c.Stop()
			return err
		}
	}
	for i := range c.Nodes {
		if err := c.WaitReady(i, timeout); err != nil {
			c.Stop()
			return err
		}
	}
	return nil
}

// StartNode starts node i again (after KillNode) and waits until it serves MQTT.
func (c *NATSCluster) StartNode(i int, timeout time.Duration) error {
	if err := c.spawn(i); err != nil {
		return err
	}
	return c.WaitReady(i, timeout)
}

func (c *NATSCluster) spawn(i int) error {
	nd := c.Nodes[i]
	if nd.cmd != nil {
		return nil
	}
	logf, err := os.OpenFile(filepath.Join(nd.Dir, "nats.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("nats %s: %w", nd.Name, err)
	}
	cmd := exec.Command(c.bin, "-c", nd.conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start nats-server %s: %w", nd.Name, err)
	}
	nd.cmd, nd.logf = cmd, logf
	return nil
}

// WaitReady waits until node i accepts a clean MQTT session (CONNACK accepted).
func (c *NATSCluster) WaitReady(i int, timeout time.Duration) error {
	nd := c.Nodes[i]
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if nd.cmd == nil {
			return fmt.Errorf("nats %s: not running", nd.Name)
		}
		if last = MQTTReady(c.URL(i), time.Second); last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	if c.Stderr != nil {
		fmt.Fprintf(c.Stderr, "nats %s did not serve MQTT within %s: %v; log tail:\n%s\n", nd.Name, timeout, last, tail(filepath.Join(nd.Dir, "nats.log"), 2000))
	}
	return fmt.Errorf("nats %s did not serve MQTT on 127.0.0.1:%d within %s: %v", nd.Name, nd.MQTTPort, timeout, last)
}

// KillNode kills node i with SIGKILL (an outage: nothing flushed). No-op when stopped.
func (c *NATSCluster) KillNode(i int) {
	nd := c.Nodes[i]
	if nd.cmd == nil || nd.cmd.Process == nil {
		nd.cmd = nil
		return
	}
	nd.cmd.Process.Kill()
	nd.cmd.Wait()
	nd.logf.Close()
	nd.cmd, nd.logf = nil, nil
}

// Stop kills every node.
func (c *NATSCluster) Stop() {
	for i := range c.Nodes {
		c.KillNode(i)
	}
}

// MQTTReady connects to url with a clean session and disconnects; nil when the broker accepted.
func MQTTReady(url string, timeout time.Duration) error {
	if _, _, err := net.SplitHostPort(strings.TrimPrefix(url, "tcp://")); err != nil {
		return err
	}
	cl := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("ready-%d", time.Now().UnixNano())).
		SetProtocolVersion(4).SetCleanSession(true).SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(timeout))
	tok := cl.Connect()
	if !tok.WaitTimeout(timeout + time.Second) {
		return errors.New("no CONNACK")
	}
	if err := tok.Error(); err != nil {
		return err
	}
	cl.Disconnect(50)
	return nil
}

// tail is the last n bytes of a file, for error messages.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	off := max(0, st.Size()-n)
	b := make([]byte, st.Size()-off)
	_, _ = f.ReadAt(b, off)
	return string(b)
}
