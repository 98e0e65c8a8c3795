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

	"github.com/storeagent/storeagent/devices/devtest"
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

// TestAgent_ScannerToEvents: bytes written to a pseudo-terminal scanner come out of the owning
// terminal's /api/v1/events as scan events resolved against the replica; garbage is a clear bad
// read; unplugging is a device event.
func TestAgent_ScannerToEvents(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	cfg := testConfig(t)
	cfg.Devices = []Device{{Name: "lane1-scanner", Type: "scanner", Transport: "serial", Path: pty.Path}}
	cfg.Terminals[0].Scanners = []string{"lane1-scanner"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfg)
	ev := openEvents(t, a)
	// Wait until the scanner is connected before typing into it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := a.Devices.States()
		if len(st) == 1 && st[0].State == "connected" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scanner never connected: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	pty.Write([]byte("8005510000030\r"))
	var scan ScanEvent
	scan = ScanEvent{}
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if !scan.Valid || scan.Symbology != "ean13" || scan.Product == nil || scan.Product.SKU != "IT-CAFFE-ESPR" || scan.Device != "lane1-scanner" {
		t.Fatalf("scan event %+v", scan)
	}
	pty.Write([]byte("8005510000031\r")) // bad check digit
	scan = ScanEvent{}
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if scan.Valid || scan.Reason == "" || scan.Product != nil {
		t.Errorf("bad check digit: %+v", scan)
	}
	pty.Write(append([]byte{0, 0xff, 0xfe}, []byte("junk\r")...))
	scan = ScanEvent{}
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if scan.Valid || !json.Valid([]byte(`"`+scan.Data+`"`)) {
		t.Errorf("garbage: %+v", scan)
	}
	// A GS1-128 with AI 01 resolves through its GTIN.
	pty.Write([]byte("]C101080055100000301724123110ABC\r"))
	scan = ScanEvent{}
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if !scan.Valid || scan.GS1["01"] != "08005510000030" || scan.Product == nil {
		t.Errorf("gs1-128: %+v", scan)
	}
	pty.Unplug()
	var dev DeviceEvent
	json.Unmarshal(ev.next(t, "device"), &dev)
	if dev.Name != "lane1-scanner" || dev.State != "reconnecting" {
		t.Errorf("unplug: %+v", dev)
	}
	// /api/v1/status shows the device.
	req, _ := http.NewRequest("GET", a.URL()+"/api/v1/status", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st pos.Status
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if len(st.Devices) != 1 || st.Devices[0].Name != "lane1-scanner" || st.Devices[0].State == "connected" {
		t.Errorf("status devices: %+v", st.Devices)
	}
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
