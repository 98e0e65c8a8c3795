package sync_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// mosquitto is a private Mosquitto broker on a free loopback port, for tests that need TLS, an
// ACL or a broker restart. Tests skip without a mosquitto binary unless
// STOREAGENT_REQUIRE_MOSQUITTO=1, which turns the skip into a failure.
type mosquitto struct {
	t    testing.TB
	bin  string
	Port int
	Dir  string
	conf string
	cmd  *exec.Cmd
}

func mosquittoBinary(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("STOREAGENT_REQUIRE_MOSQUITTO") == "1" {
		t.Fatal("no mosquitto binary and STOREAGENT_REQUIRE_MOSQUITTO=1")
	}
	t.Skip("no mosquitto binary")
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newMosquitto writes a config: a listener on a free port plus listenerConf (lines that belong to
// the listener, e.g. TLS) and extra global lines; then starts it.
func newMosquitto(t testing.TB, listenerConf, global string) *mosquitto {
	t.Helper()
	m := &mosquitto{t: t, bin: mosquittoBinary(t), Port: freePort(t), Dir: t.TempDir()}
	user := ""
	if os.Getuid() == 0 {
		user = "user root\n"
	}
	conf := fmt.Sprintf("%sper_listener_settings false\npersistence true\npersistence_location %s/\n"+
		"max_queued_messages 100000\nmax_inflight_messages 0\nlog_dest stderr\nlog_type error\n%s\n"+
		"listener %d 127.0.0.1\n%s\n", user, m.Dir, global, m.Port, listenerConf)
	if listenerConf == "" {
		conf += "allow_anonymous true\n"
	}
	m.conf = filepath.Join(m.Dir, "mosquitto.conf")
	if err := os.WriteFile(m.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	m.Start()
	t.Cleanup(m.Stop)
	return m
}

// URL is the broker's address with the given scheme.
func (m *mosquitto) URL(scheme string) string {
	return fmt.Sprintf("%s://127.0.0.1:%d", scheme, m.Port)
}

// Start starts the broker and waits until it accepts connections.
func (m *mosquitto) Start() {
	m.t.Helper()
	m.cmd = exec.Command(m.bin, "-c", m.conf)
	m.cmd.Stderr = os.Stderr
	if err := m.cmd.Start(); err != nil {
		m.t.Fatalf("start mosquitto: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", m.Port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("mosquitto did not listen on %d: %v", m.Port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the broker (no clean shutdown: an outage).
func (m *mosquitto) Stop() {
	if m.cmd == nil || m.cmd.Process == nil {
		return
	}
	m.cmd.Process.Kill()
	m.cmd.Wait()
	m.cmd = nil
}
