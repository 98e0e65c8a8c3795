package fpmateemu

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The control API drives the emulator from another process: a fault posted there applies to the
// next fpmate request, and the state says what happened.
func TestControl(t *testing.T) {
	e := New("")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, _, err := e.StartControl(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSuffix(url, "/cgi-bin/fpmate.cgi") + ControlPath
	post := func(path, body string) int {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("fault", `{"kind":"rec_empty","on":"printerCommand"}`); code != 200 {
		t.Fatalf("fault: %d", code)
	}
	if code := post("fault", `{"kind":"nonsense"}`); code != 400 {
		t.Errorf("unknown fault kind: %d, want 400", code)
	}
	if code := post("paper", `{"low":true}`); code != 200 {
		t.Errorf("paper: %d", code)
	}
	resp, err := http.Post(url, "text/xml", strings.NewReader(`<printerCommand><openDrawer operator="1"/></printerCommand>`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Post(url, "text/xml", strings.NewReader(`<printerCommand><openDrawer operator="1"/></printerCommand>`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(base + "state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	// The first openDrawer met the fault (refused); the second opened the drawer.
	if st.Faults != 0 || st.Requests["printerCommand"] != 2 || st.DrawerOpens != 1 || st.Z != 1 {
		t.Errorf("state %+v: want the fault used, 2 commands, 1 drawer opening", st)
	}
	e.mu.Lock()
	low := e.paperLow
	e.mu.Unlock()
	if !low {
		t.Error("paper low not set through the control API")
	}
}
