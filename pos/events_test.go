package pos

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServer_Events: a terminal's stream carries its own events and not another terminal's.
func TestServer_Events(t *testing.T) {
	e := newTestEnv(t)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", e.srv.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+tokenLane1)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.svc.Events().Subscribers("lane1") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("stream never subscribed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.svc.Events().Publish("lane2", Event{Name: "scan", Data: map[string]string{"data": "for-lane2"}})
	e.svc.Events().Publish("lane1", Event{Name: "scan", Data: map[string]any{"device": "lane1-scanner", "data": "8001234567897", "valid": true}})
	rd := bufio.NewReader(resp.Body)
	var got []string
	for len(got) < 2 {
		l, err := rd.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(l, "event:") || strings.HasPrefix(l, "data:") {
			got = append(got, strings.TrimSpace(l))
		}
	}
	if got[0] != "event: scan" || !strings.Contains(got[1], `"data":"8001234567897"`) || strings.Contains(got[1], "for-lane2") {
		t.Errorf("stream: %q", got)
	}
	if code, _ := e.do("GET", "/api/v1/events", "", nil); code != 401 {
		t.Errorf("events without token: %d", code)
	}
}
