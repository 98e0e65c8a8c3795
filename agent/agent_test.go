package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos"
)

const testToken = "lane1-token-0123456789abcdef"

// startAgent runs an agent on cfg with a loopback listener until the test ends.
func startAgent(t testing.TB, cfg *Config) *Agent {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := New(ctx, cfg, Options{Listener: ln})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	items, stock, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.POS.SeedCatalog(ctx, items, stock); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("agent stopped with %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("agent did not stop within 10 s")
		}
	})
	return a
}

func testConfig(t testing.TB) *Config {
	t.Helper()
	c := DefaultConfig()
	c.StoreID = "it-mi-001"
	c.DataDir = t.TempDir()
	c.Locale = "it-IT"
	c.HTTP.Listen = "127.0.0.1:0"
	c.MQTT.Broker = "tcp://127.0.0.1:9" // nothing listens: the agent sells offline
	c.MQTT.ClientID = "storeagent-test-" + randomToken()[:8]
	c.Terminals = []Terminal{{ID: "lane1", Token: testToken}}
	return &c
}

// sseReader reads events from a terminal's stream.
type sseReader struct {
	rd   *bufio.Reader
	resp *http.Response
}

func openEvents(t testing.TB, a *Agent) *sseReader {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", a.URL()+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		t.Fatalf("events: %d", resp.StatusCode)
	}
	return &sseReader{rd: bufio.NewReader(resp.Body), resp: resp}
}

// next returns the next event of the given name and its data.
func (s *sseReader) next(t testing.TB, name string) json.RawMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	cur := ""
	for time.Now().Before(deadline) {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading events: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			cur = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && cur == name:
			return json.RawMessage(strings.TrimPrefix(line, "data: "))
		}
	}
	t.Fatalf("no %s event", name)
	return nil
}

// TestAgent_OpenAPI: every route the wired agent serves is in pos/openapi.yaml and vice versa.
func TestAgent_OpenAPI(t *testing.T) {
	a := startAgent(t, testConfig(t))
	if err := pos.CheckOpenAPI(a.API.Routes()); err != nil {
		t.Fatal(err)
	}
}

// TestAgent_RCN: the store's region layouts price variable-measure codes.
func TestAgent_RCN(t *testing.T) {
	cfg := testConfig(t)
	cfg.RCNLayouts = []RCNLayout{{Prefix: "20", ItemStart: 2, ItemLen: 5, Kind: "weight", ValueStart: 7, ValueLen: 5, ValueCheckPos: -1}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfg)
	// 20 01000 01234 C: item 01000 (parmigiano, stored as 2001000000005), 1234 g.
	resp, err := http.Get(a.URL() + "/api/v1/products/2001000012343")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p pos.Product
	json.NewDecoder(resp.Body).Decode(&p)
	if resp.StatusCode != 200 || p.SKU != "IT-PARMIGIANO" || p.Embedded == nil || p.Embedded.WeightG == nil || *p.Embedded.WeightG != 1234 {
		t.Fatalf("%d %+v", resp.StatusCode, p)
	}
}
