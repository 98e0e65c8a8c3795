//go:build linux || darwin || freebsd

package devices

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestManager_PrinterPresence checks that a local printer's state follows its device node: absent
// at start is reconnecting (not a state outside the contract), present is connected, and an unplug
// and a replug between jobs show.
func TestManager_PrinterPresence(t *testing.T) {
	dir := t.TempDir()
	node := filepath.Join(dir, "lp0")
	rec := newRecorder()
	m, err := NewManager([]Spec{{Name: "p", Type: TypePrinter, Transport: TransportUSBLP, Path: node}},
		Options{OnEvent: rec.add, PrinterWatch: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if st := m.States()[0]; st.State != StateReconnecting || st.Reason == "" {
		t.Fatalf("absent printer at start: %+v; want reconnecting with a reason", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait := func(want string) {
		t.Helper()
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			if m.States()[0].State == want {
				return
			}
		}
		t.Fatalf("state %+v; want %s", m.States()[0], want)
	}
	os.WriteFile(node, nil, 0o600) // plugged in
	wait(StateConnected)
	m.SetState("p", StatePaperOut, "DLE EOT 4") // the driver read it: kept while the node is there
	time.Sleep(50 * time.Millisecond)
	if got := m.States()[0].State; got != StatePaperOut {
		t.Errorf("watch overwrote the driver's %s with %s", StatePaperOut, got)
	}
	os.Remove(node) // unplugged
	wait(StateReconnecting)
	os.WriteFile(node, nil, 0o600)
	wait(StateConnected)
	for _, s := range m.States() {
		found := false
		for _, k := range States() {
			found = found || s.State == k
		}
		if !found {
			t.Errorf("state %q is not one of States()", s.State)
		}
	}
}
