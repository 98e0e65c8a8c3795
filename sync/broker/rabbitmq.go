package broker

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoRabbitMQ is returned by RabbitMQBinary when RabbitMQ is not installed.
var ErrNoRabbitMQ = errors.New("no rabbitmq-server (install the rabbitmq-server package)")

// RabbitMQBinary finds rabbitmq-server's own start script, not the /usr/sbin wrapper (which
// switches to the rabbitmq user and the system node's settings).
func RabbitMQBinary() (string, error) {
	for _, p := range []string{"/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/local/lib/rabbitmq/bin/rabbitmq-server"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if matches, _ := filepath.Glob("/usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server"); len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", ErrNoRabbitMQ
}

// RabbitMQVersion is the installed server's version from its lib folder name, e.g. "3.10.8".
func RabbitMQVersion() string {
	matches, _ := filepath.Glob("/usr/lib/rabbitmq/lib/rabbitmq_server-*")
	if len(matches) == 0 {
		return ""
	}
	return strings.TrimPrefix(filepath.Base(matches[len(matches)-1]), "rabbitmq_server-")
}

// RabbitMQ is a private RabbitMQ node with the MQTT plugin, on free loopback ports, with its own
// node name, Mnesia folder, logs, enabled-plugins file, config and Erlang cookie (HOME) under
// Dir, so a system node on the same machine is not touched (it shares only epmd, where the
// private node registers its own name). It can be killed (SIGKILL) and started again.
type RabbitMQ struct {
	// MQTTPort is the MQTT listener's port on 127.0.0.1.
	MQTTPort int
	// Dir holds everything of the node.
	Dir string
	// Node is the Erlang node name, e.g. storebench-12345@localhost.
	Node string

	bin      string
	amqpPort int
	distPort int
	cmd      *exec.Cmd
	logf     *os.File
}

// NewRabbitMQ writes the node's files under dir; extraConf lines are added to rabbitmq.conf
// (new-style sysctl format, e.g. "mqtt.retained_message_store = rabbit_mqtt_retained_msg_store_dets").
// It starts nothing.
func NewRabbitMQ(dir, extraConf string) (*RabbitMQ, error) {
	bin, err := RabbitMQBinary()
	if err != nil {
		return nil, err
	}
	r := &RabbitMQ{Dir: dir, bin: bin}
	for _, p := range []*int{&r.MQTTPort, &r.amqpPort, &r.distPort} {
		if *p, err = FreePort(); err != nil {
			return nil, fmt.Errorf("rabbitmq: free port: %w", err)
		}
	}
	r.Node = fmt.Sprintf("storebench-%d@localhost", r.MQTTPort)
	for _, d := range []string{"mnesia", "log", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, fmt.Errorf("rabbitmq: %w", err)
		}
	}
	conf := fmt.Sprintf("listeners.tcp.default = 127.0.0.1:%d\nmqtt.listeners.tcp.default = 127.0.0.1:%d\n"+
		"mqtt.allow_anonymous = true\nmqtt.vhost = /\nmqtt.exchange = amq.topic\nloopback_users = none\n"+
		"log.console = false\nlog.file.level = warning\n%s\n", r.amqpPort, r.MQTTPort, extraConf)
	if err := os.WriteFile(filepath.Join(dir, "rabbitmq.conf"), []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("rabbitmq: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "enabled_plugins"), []byte("[rabbitmq_mqtt].\n"), 0o600); err != nil {
		return nil, fmt.Errorf("rabbitmq: %w", err)
	}
	return r, nil
}

// URL is the MQTT listener, tcp://127.0.0.1:PORT.
func (r *RabbitMQ) URL() string { return fmt.Sprintf("tcp://127.0.0.1:%d", r.MQTTPort) }

// Pid is the node's start process id (its process group holds the Erlang VM), 0 when stopped.
func (r *RabbitMQ) Pid() int {
	if r.cmd == nil || r.cmd.Process == nil {
		return 0
	}
	return r.cmd.Process.Pid
}

// BeamPid is the Erlang VM's process id (for its memory), 0 when unknown.
func (r *RabbitMQ) BeamPid() int {
	b, err := os.ReadFile(filepath.Join(r.Dir, "pid"))
	if err != nil {
		return 0
	}
	var pid int
	fmt.Sscan(strings.TrimSpace(string(b)), &pid)
	return pid
}

func (r *RabbitMQ) env() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RABBITMQ_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "ERL_") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+filepath.Join(r.Dir, "home"),
		"RABBITMQ_NODENAME="+r.Node, "RABBITMQ_USE_LONGNAME=false",
		fmt.Sprintf("RABBITMQ_NODE_PORT=%d", r.amqpPort), fmt.Sprintf("RABBITMQ_DIST_PORT=%d", r.distPort),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(r.Dir, "mnesia"), "RABBITMQ_LOG_BASE="+filepath.Join(r.Dir, "log"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(r.Dir, "enabled_plugins"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(r.Dir, "rabbitmq.conf"),
		"RABBITMQ_PID_FILE="+filepath.Join(r.Dir, "pid"))
}

// Start starts the node and waits (up to timeout) until its MQTT listener accepts a session.
func (r *RabbitMQ) Start(timeout time.Duration) error {
	if r.cmd != nil {
		return nil
	}
	logf, err := os.OpenFile(filepath.Join(r.Dir, "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("rabbitmq: %w", err)
	}
	cmd := exec.Command(r.bin)
	cmd.Env = r.env()
	cmd.Dir = r.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	newProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start rabbitmq-server: %w", err)
	}
	r.cmd, r.logf = cmd, logf
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if last = MQTTReady(r.URL(), time.Second); last == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	r.Stop()
	return fmt.Errorf("rabbitmq node %s did not serve MQTT on 127.0.0.1:%d within %s: %v; console:\n%s",
		r.Node, r.MQTTPort, timeout, last, tail(filepath.Join(r.Dir, "console.log"), 1500))
}

// Stop kills the node's whole process group with SIGKILL (an outage: nothing flushed). No-op
// when stopped.
func (r *RabbitMQ) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		r.cmd = nil
		return
	}
	killProcessGroup(r.cmd)
	r.cmd.Wait()
	r.logf.Close()
	r.cmd, r.logf = nil, nil
}
