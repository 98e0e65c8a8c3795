package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain_RunService runs the real agent through runService as systemd would start it
// (NOTIFY_SOCKET set): READY=1 comes once /healthz answers, and a stop request (ctx cancel, what
// SIGTERM does in main) returns nil well within serviceStopBound after STOPPING=1.
func TestMain_RunService(t *testing.T) {
	sock, ch := listenNotify(t)
	dir := t.TempDir()
	addr := closedPort(t)
	cfgPath := writeConfig(t, dir, fmt.Sprintf("store_id: it-mi-001\ndata_dir: %s\nhttp: {listen: %q}\nlog: {level: error}\nmqtt: {broker: \"tcp://%s\"}\nterminals:\n  - {id: lane1, token: lane1-token-0123456789abcdef}\n",
		filepath.Join(dir, "data"), addr, closedPort(t)))
	var logs bytes.Buffer
	m := &Main{Stdout: io.Discard, Stderr: &logs, Environ: []string{"NOTIFY_SOCKET=" + sock, "WATCHDOG_USEC=2000000"}}
	cfg, err := m.loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- m.runService(ctx, cfg, false) }()
	select {
	case msg := <-ch:
		if !strings.Contains(msg, "READY=1") {
			t.Fatalf("first notify = %q, want READY=1", msg)
		}
	case err := <-errc:
		t.Fatalf("runService returned before READY: %v\n%s", err, logs.String())
	case <-time.After(15 * time.Second):
		t.Fatalf("no READY=1 within 15s\n%s", logs.String())
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("healthz after READY: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz = %d, want 200", resp.StatusCode)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("runService after stop: %v\n%s", err, logs.String())
		}
	case <-time.After(serviceStopBound + 5*time.Second):
		t.Fatal("runService did not return after the stop bound")
	}
	if d := time.Since(start); d > serviceStopBound {
		t.Errorf("stop took %v, bound %v", d, serviceStopBound)
	}
	for {
		select {
		case msg := <-ch:
			if msg == "WATCHDOG=1" {
				continue
			}
			if msg != "STOPPING=1" {
				t.Errorf("notify after stop = %q, want STOPPING=1", msg)
			}
		case <-time.After(2 * time.Second):
			t.Error("no STOPPING=1")
		}
		break
	}
}
