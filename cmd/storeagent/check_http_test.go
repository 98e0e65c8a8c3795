package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/agent"
)

// TestMain_CheckWarnsPlainHTTP: `check` warns (!, exit 0) when the POS listens on the store's
// network without TLS (issue 16 item 12), and says nothing for loopback or TLS.
func TestMain_CheckWarnsPlainHTTP(t *testing.T) {
	dir := t.TempDir()
	broker := listenTCP(t)
	cfg := writeConfig(t, dir, strings.Replace(minimalConfig(filepath.Join(dir, "data")), "127.0.0.1:0", "0.0.0.0:18080", 1)+
		"mqtt: {broker: tcp://"+broker+"}\n")
	code, out, stderr := runCLI(t, nil, "check", "-config", cfg)
	if code != 0 || !strings.Contains(out, "! http: the POS is served over plain HTTP on 0.0.0.0:18080") || !strings.Contains(out, "tls_cert_file") {
		t.Errorf("check on 0.0.0.0 without TLS: %d\n%s\n%s", code, out, stderr)
	}
	for _, c := range []struct {
		h    agent.HTTPConfig
		want bool
	}{
		{agent.HTTPConfig{Listen: "127.0.0.1:8080"}, false},
		{agent.HTTPConfig{Listen: "[::1]:8080"}, false},
		{agent.HTTPConfig{Listen: "localhost:8080"}, false},
		{agent.HTTPConfig{Listen: ":8080"}, true},
		{agent.HTTPConfig{Listen: "192.168.1.10:8080"}, true},
		{agent.HTTPConfig{Listen: "0.0.0.0:8443", TLSCertFile: "c.pem", TLSKeyFile: "k.pem"}, false},
	} {
		if got := plainHTTPWarning(c.h) != ""; got != c.want {
			t.Errorf("%+v: warns %v, want %v", c.h, got, c.want)
		}
	}
}
