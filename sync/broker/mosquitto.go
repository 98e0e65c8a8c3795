package broker

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// ErrNoMosquitto is returned by MosquittoBinary when no mosquitto executable is installed.
var ErrNoMosquitto = errors.New("no mosquitto binary (install the mosquitto package)")

// MosquittoBinary finds the mosquitto executable on PATH or in the usual sbin folders.
func MosquittoBinary() (string, error) {
	for _, p := range []string{"mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", ErrNoMosquitto
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Mosquitto is a private Mosquitto broker process on a free loopback port, with persistence in
// its own folder, for benchmarks and tests that need a real broker they may stop and start again
// (an outage) or give special settings (TLS, ACLs).
type Mosquitto struct {
	// Port is the listener's port on 127.0.0.1.
	Port int
	// Dir holds the config and the persistence file.
	Dir string
	// Stderr receives the broker's log (errors only); nil discards it.
	Stderr io.Writer

	bin  string
	conf string
	cmd  *exec.Cmd
}

// NewMosquitto writes a config in dir (a listener on a free port, persistence, no queue limits,
// plus listenerConf lines for the listener, e.g. TLS, and global lines before it). It does not
// start the broker. An empty listenerConf allows anonymous clients.
func NewMosquitto(dir, listenerConf, global string) (*Mosquitto, error) {
	bin, err := MosquittoBinary()
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, fmt.Errorf("mosquitto: free port: %w", err)
	}
	m := &Mosquitto{Port: port, Dir: dir, bin: bin}
	user := ""
	if os.Getuid() == 0 {
		user = "user root\n"
	}
	conf := fmt.Sprintf("%sper_listener_settings false\npersistence true\npersistence_location %s/\n"+
		"max_queued_messages 1000000\nmax_inflight_messages 0\nlog_dest stderr\nlog_type error\n%s\n"+
		"listener %d 127.0.0.1\n%s\n", user, dir, global, port, listenerConf)
	if listenerConf == "" {
		conf += "allow_anonymous true\n"
	}
	m.conf = filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(m.conf, []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("mosquitto: %w", err)
	}
	return m, nil
}

// URL is the broker's address with the given scheme (tcp, ssl, ...).
func (m *Mosquitto) URL(scheme string) string {
	return fmt.Sprintf("%s://127.0.0.1:%d", scheme, m.Port)
}

// Pid is the broker process's id, or 0 when it is stopped.
func (m *Mosquitto) Pid() int {
	if m.cmd == nil || m.cmd.Process == nil {
		return 0
	}
	return m.cmd.Process.Pid
}

// Running reports whether the broker process is started.
func (m *Mosquitto) Running() bool { return m.cmd != nil }

// Start starts the broker and waits (up to 5 s) until it accepts connections.
func (m *Mosquitto) Start() error {
	if m.cmd != nil {
		return nil
	}
	cmd := exec.Command(m.bin, "-c", m.conf)
	cmd.Stderr = m.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start mosquitto: %w", err)
	}
	m.cmd = cmd
	addr := fmt.Sprintf("127.0.0.1:%d", m.Port)
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			m.Stop()
			return fmt.Errorf("mosquitto did not listen on %s: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the broker with SIGKILL (no clean shutdown: an outage). It is a no-op when stopped.
func (m *Mosquitto) Stop() {
	if m.cmd == nil || m.cmd.Process == nil {
		m.cmd = nil
		return
	}
	m.cmd.Process.Kill()
	m.cmd.Wait()
	m.cmd = nil
}
