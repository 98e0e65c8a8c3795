//go:build linux || darwin || freebsd

package agent

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/pos"
)

// TestAgent_DrawerHoldsSale: with till.require_drawer_closed, the printer's DLE EOT 1 reply over
// a serial line (0x12: pin 3 low, the drawer open) becomes an event device drawer_open, the
// status lists the drawer, and a new sale on the lane is 409 drawer_open until the printer
// answers 0x16 (closed); then the same sale goes through.
func TestAgent_DrawerHoldsSale(t *testing.T) {
	pp := devtest.NewPTYPrinter(t)
	pp.SetStatus(1, 0x12) // on-line, drawer kick-out pin 3 low: open with drawer_open_when low
	pp.SetSilent(true)    // until the test listens to the events
	cfg := testConfig(t)
	cfg.Devices = []Device{{Name: "lane1-printer", Type: "printer", Transport: "serial", Path: pp.Path,
		Profile: "epson-tm-t20", DrawerPoll: Duration(250 * time.Millisecond)}}
	cfg.Terminals[0].Printer = "lane1-printer"
	cfg.Till.RequireDrawerClosed = true
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfg)
	ev := openEvents(t, a)
	pp.SetSilent(false)
	var dev DeviceEvent
	for dev.Type != "drawer" {
		dev = DeviceEvent{}
		json.Unmarshal(ev.next(t, "device"), &dev)
	}
	if dev.Name != "lane1-printer" || dev.State != "drawer_open" {
		t.Fatalf("device event %+v, want lane1-printer drawer drawer_open", dev)
	}
	sale := `{"sale_id":"5f0c3a8e-1b2d-4c6e-9f10-2a3b4c5d6e7f","terminal":"lane1","cashier":"anna",
		"lines":[{"code":"8005510000030"}],"payments":[{"method":"cash","amount_minor":100000}]}`
	code, body := postSale(t, a, sale)
	if code != http.StatusConflict || !strings.Contains(body, `"drawer_open"`) {
		t.Fatalf("sale with the drawer open: %d %s, want 409 drawer_open", code, body)
	}
	var st pos.Status
	getJSON(t, a, "/api/v1/status", &st)
	found := false
	for _, d := range st.Devices {
		if d.Type == "drawer" && d.Name == "lane1-printer" && d.State == "drawer_open" {
			found = true
		}
	}
	if !found {
		t.Errorf("status devices %+v lack the open drawer", st.Devices)
	}

	pp.SetStatus(1, 0x16) // pin 3 high: closed
	dev = DeviceEvent{}
	json.Unmarshal(ev.next(t, "device"), &dev)
	if dev.Type != "drawer" || dev.State != "drawer_closed" {
		t.Fatalf("device event %+v, want drawer_closed", dev)
	}
	if code, body := postSale(t, a, sale); code != http.StatusCreated {
		t.Fatalf("sale with the drawer closed: %d %s, want 201", code, body)
	}
	// The stored sale answers its retry even if the drawer is open again.
	pp.SetStatus(1, 0x12)
	dev = DeviceEvent{}
	json.Unmarshal(ev.next(t, "device"), &dev)
	if code, body := postSale(t, a, sale); code != http.StatusOK {
		t.Errorf("retry of the stored sale with the drawer open: %d %s, want 200", code, body)
	}
	if n := pp.Requests(1); n == 0 || n > 60 {
		t.Errorf("%d DLE EOT 1 polls, want a bounded number", n)
	}
}

func postSale(t *testing.T, a *Agent, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL()+"/api/v1/sales", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func getJSON(t *testing.T, a *Agent, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", a.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
