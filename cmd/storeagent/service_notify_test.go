package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listenNotify makes a NOTIFY_SOCKET like systemd's and returns a channel of received messages.
func listenNotify(t *testing.T) (string, <-chan string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Skipf("unixgram sockets unavailable: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	ch := make(chan string, 64)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			ch <- string(buf[:n])
		}
	}()
	return path, ch
}

func recv(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no sd_notify message within 5s")
		return ""
	}
}

func TestNewSDNotifier(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     []string
		wantNil bool
		wantWD  time.Duration
	}{
		{"no socket", []string{"WATCHDOG_USEC=1000000"}, true, 0},
		{"socket only", []string{"NOTIFY_SOCKET=/run/x"}, false, 0},
		{"watchdog for us", []string{"NOTIFY_SOCKET=/run/x", "WATCHDOG_USEC=30000000", "WATCHDOG_PID=42"}, false, 30 * time.Second},
		{"watchdog without pid", []string{"NOTIFY_SOCKET=/run/x", "WATCHDOG_USEC=2000000"}, false, 2 * time.Second},
		{"watchdog for another pid", []string{"NOTIFY_SOCKET=/run/x", "WATCHDOG_USEC=30000000", "WATCHDOG_PID=7"}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newSDNotifier(tc.env, 42)
			if (n == nil) != tc.wantNil {
				t.Fatalf("nil = %v, want %v", n == nil, tc.wantNil)
			}
			if n != nil && n.watchdog != tc.wantWD {
				t.Errorf("watchdog = %v, want %v", n.watchdog, tc.wantWD)
			}
		})
	}
}

func TestSDNotifier_Ready(t *testing.T) {
	sock, ch := listenNotify(t)
	n := newSDNotifier([]string{"NOTIFY_SOCKET=" + sock, "WATCHDOG_USEC=40000"}, 1)
	stopping, err := n.Ready(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := recv(t, ch); !strings.Contains(got, "READY=1") {
		t.Errorf("first message = %q, want READY=1", got)
	}
	if got := recv(t, ch); got != "WATCHDOG=1" {
		t.Errorf("second message = %q, want WATCHDOG=1", got)
	}
	stopping()
	for {
		got := recv(t, ch)
		if got == "WATCHDOG=1" {
			continue // pings already in flight
		}
		if got != "STOPPING=1" {
			t.Errorf("last message = %q, want STOPPING=1", got)
		}
		break
	}
}

func TestSDNotifier_NilIsNoop(t *testing.T) {
	var n *sdNotifier
	stopping, err := n.Ready(context.Background())
	if err != nil {
		t.Fatalf("Ready on nil: %v", err)
	}
	stopping()
	if err := n.Notify("READY=1"); err != nil {
		t.Errorf("Notify on nil: %v", err)
	}
}
