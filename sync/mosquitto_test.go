package sync_test

import (
	"errors"
	"os"
	"testing"

	"github.com/storeagent/storeagent/sync/broker"
)

// mosquitto is a private Mosquitto broker on a free loopback port, for tests that need TLS, an
// ACL or a broker restart. Tests skip without a mosquitto binary unless
// STOREAGENT_REQUIRE_MOSQUITTO=1, which turns the skip into a failure.
type mosquitto struct {
	*broker.Mosquitto
	t testing.TB
}

func mosquittoBinary(t testing.TB) string {
	t.Helper()
	path, err := broker.MosquittoBinary()
	if errors.Is(err, broker.ErrNoMosquitto) {
		if os.Getenv("STOREAGENT_REQUIRE_MOSQUITTO") == "1" {
			t.Fatal("no mosquitto binary and STOREAGENT_REQUIRE_MOSQUITTO=1")
		}
		t.Skip("no mosquitto binary")
	}
	return path
}

// newMosquitto writes a config: a listener on a free port plus listenerConf (lines that belong to
// the listener, e.g. TLS) and extra global lines; then starts it.
func newMosquitto(t testing.TB, listenerConf, global string) *mosquitto {
	t.Helper()
	mosquittoBinary(t)
	b, err := broker.NewMosquitto(t.TempDir(), listenerConf, global)
	if err != nil {
		t.Fatal(err)
	}
	b.Stderr = os.Stderr
	m := &mosquitto{Mosquitto: b, t: t}
	m.Start()
	t.Cleanup(m.Stop)
	return m
}

// Start starts the broker and waits until it accepts connections.
func (m *mosquitto) Start() {
	m.t.Helper()
	if err := m.Mosquitto.Start(); err != nil {
		m.t.Fatal(err)
	}
}
