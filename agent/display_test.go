//go:build linux || darwin || freebsd

package agent

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/devices/display"
)

// TestAgent_PoleDisplay: a DM-D110 on a pseudo-terminal, as terminals[].display, shows the
// welcome message at start, the item a scanner just read (name cut, price right-aligned, è in
// PC858), the running total when the POS quotes the basket, and the total and change when the
// sale completes.
func TestAgent_PoleDisplay(t *testing.T) {
	scan := devtest.NewPTYScanner(t)
	disp := devtest.NewPTYScanner(t)
	cfg := testConfig(t)
	cfg.Store.Name = "Bottega"
	cfg.Devices = []Device{
		{Name: "lane1-scanner", Type: "scanner", Transport: "serial", Path: scan.Path},
		{Name: "lane1-display", Type: "display", Transport: "serial", Path: disp.Path, Profile: "epson-dm-d110"},
	}
	cfg.Terminals[0].Scanners = []string{"lane1-scanner"}
	cfg.Terminals[0].Display = "lane1-display"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfg)
	at := waitDisplay(t, disp, 0, "init and welcome", "\x1b@\x1bt\x13\x1f\x01\x1fC\x00\x0c\x0b"+
		"\x1f$\x01\x01Benvenuti           \x1f$\x01\x02Bottega             ")
	deadline := time.Now().Add(10 * time.Second)
	for a.Devices.States()[0].State != "connected" {
		if time.Now().After(deadline) {
			t.Fatal("scanner never connected")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := a.Devices.States()[1]; st.Name != "lane1-display" || st.State != "connected" {
		t.Errorf("display state %+v, want connected after a write", st)
	}
	scan.Write([]byte("8005510000030\r"))
	at = waitDisplay(t, disp, at, "scanned item", "\x1f$\x01\x01Caff\x8a espresso  4,98\x1f$\x01\x02                    ")

	body := `{"terminal":"lane1","lines":[{"code":"8005510000030","qty":2}]}`
	if code, b := post(t, a, "/api/v1/sales/quote", body); code != http.StatusOK {
		t.Fatalf("quote: %d %s", code, b)
	}
	at = waitDisplay(t, disp, at, "basket", "\x1f$\x01\x01Caff\x8a espresso  9,96\x1f$\x01\x02TOTALE          9,96")

	code, b := post(t, a, "/api/v1/sales", `{"sale_id":"0b7c2a9e-4d1f-4a6b-8c3d-5e6f7a8b9c0d","terminal":"lane1","cashier":"anna",
		"lines":[{"code":"8005510000030","qty":2}],"payments":[{"method":"cash","amount_minor":2000}]}`)
	if code != http.StatusCreated {
		t.Fatalf("sale: %d %s", code, b)
	}
	var sale struct {
		TotalMinor  int64 `json:"total_minor"`
		ChangeMinor int64 `json:"change_minor"`
	}
	if err := json.Unmarshal([]byte(b), &sale); err != nil {
		t.Fatal(err)
	}
	waitDisplay(t, disp, at, "payment", "\x1f$\x01\x01"+display.Fit("TOTALE", display.Money(sale.TotalMinor, 2, ','), 20)+
		"\x1f$\x01\x02"+display.Fit("RESTO", display.Money(sale.ChangeMinor, 2, ','), 20))
	if sale.ChangeMinor <= 0 {
		t.Errorf("change %d from a 20,00 cash payment of 9,96", sale.ChangeMinor)
	}
}

func waitDisplay(t *testing.T, disp *devtest.PTYScanner, from int, what, want string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := disp.Received()[from:]
		if len(got) >= len(want) {
			if !bytes.Equal(got[:len(want)], []byte(want)) {
				t.Fatalf("%s:\n got %q\nwant %q", what, got, want)
			}
			return from + len(want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: timed out;\n got %q\nwant %q", what, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func post(t *testing.T, a *Agent, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.String()
}
