package agent

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// aisleBurst sends n GET /p/{gtin} from one client IP and returns how many were answered 200
// before the first 429 (n when none was refused).
func aisleBurst(t *testing.T, a *Agent, n int) int {
	t.Helper()
	items, _, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	url := a.URL() + "/p/" + items[0].GTINs[0]
	for i := range n {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case 200:
		case 429:
			return i
		default:
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	return n
}

// TestAgent_AisleRateConfig: the aisle page's per-IP limit comes from the config file
// (http.aisle_rate_per_ip, http.aisle_burst_per_ip): at 1/s with a burst of 3, 3 pages are
// answered and the 4th, sent at once, refused; 0 turns the limit off.
func TestAgent_AisleRateConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storeagent.yaml")
	yaml := "store_id: it-mi-001\ndata_dir: " + t.TempDir() + "\nhttp:\n  listen: 127.0.0.1:0\n  aisle_rate_per_ip: 1\n  aisle_burst_per_ip: 3\n" +
		"mqtt:\n  broker: tcp://127.0.0.1:9\nterminals:\n  - id: lane1\n    token: " + testToken + "\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := LoadConfig(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.AisleRatePerIP != 1 || cfg.HTTP.AisleBurstPerIP != 3 {
		t.Fatalf("loaded rate %v burst %d", cfg.HTTP.AisleRatePerIP, cfg.HTTP.AisleBurstPerIP)
	}
	if got := aisleBurst(t, startAgent(t, cfg), 10); got != 3 {
		t.Errorf("burst 3: %d pages answered before a 429, want 3", got)
	}

	off := testConfig(t)
	off.HTTP.AisleRatePerIP = 0
	if got := aisleBurst(t, startAgent(t, off), 40); got != 40 {
		t.Errorf("limit off: a 429 after %d pages", got)
	}
}

// TestAgent_AisleRateDefault: the default lets a guest Wi-Fi behind one NAT address open far
// more pages at once than the old fixed burst of 20.
func TestAgent_AisleRateDefault(t *testing.T) {
	cfg := testConfig(t)
	if cfg.HTTP.AisleRatePerIP != 50 || cfg.HTTP.AisleBurstPerIP != 200 {
		t.Fatalf("defaults %v/%d, want 50/200", cfg.HTTP.AisleRatePerIP, cfg.HTTP.AisleBurstPerIP)
	}
	if got := aisleBurst(t, startAgent(t, cfg), 60); got != 60 {
		t.Errorf("default limit: a 429 after %d pages from one IP", got)
	}
}

// TestConfig_AisleRateEnv: the keys can be set from the environment like every scalar key.
func TestConfig_AisleRateEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storeagent.yaml")
	if err := os.WriteFile(path, []byte("store_id: it-mi-001\ndata_dir: "+t.TempDir()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := LoadConfig(path, []string{"STOREAGENT_HTTP_AISLE_RATE_PER_IP=500", "STOREAGENT_HTTP_AISLE_BURST_PER_IP=2000"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.AisleRatePerIP != 500 || cfg.HTTP.AisleBurstPerIP != 2000 {
		t.Errorf("from the environment: %v/%d", cfg.HTTP.AisleRatePerIP, cfg.HTTP.AisleBurstPerIP)
	}
	_, _, err = LoadConfig(path, []string{"STOREAGENT_HTTP_AISLE_RATE_PER_IP=-1"})
	if err == nil || !strings.Contains(err.Error(), "http.aisle_rate_per_ip: -1 is not 0 (off) to 10000") {
		t.Errorf("negative rate: %v", err)
	}
}
