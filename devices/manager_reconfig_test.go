//go:build linux || darwin || freebsd

package devices

import (
	"context"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
)

// TestManager_Reconfigure: a stopped manager takes a new device list (the scanner moved to another
// port, a second one added) and, run again, reads the new ports; a bad list is refused and the
// old one kept.
func TestManager_Reconfigure(t *testing.T) {
	oldPort, newPort, extra := devtest.NewPTYScanner(t), devtest.NewPTYScanner(t), devtest.NewPTYScanner(t)
	rec := newRecorder()
	m, err := NewManager([]Spec{{Name: "s1", Type: TypeScanner, Transport: TransportSerial, Path: oldPort.Path, Profile: serialProfile()}},
		Options{OnEvent: rec.add, MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	run := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		return func() {
			cancel()
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				t.Fatal("Run did not return after cancel")
			}
		}
	}
	stop := run()
	at := rec.waitFor(t, 0, "connected", isState(StateConnected))
	oldPort.Write([]byte("111\r"))
	at = rec.waitFor(t, at, "frame from the old port", isFrame("111"))
	stop()

	if err := m.Reconfigure([]Spec{{Name: "s1", Type: TypeScanner, Transport: "carrier-pigeon", Path: newPort.Path}}); err == nil {
		t.Fatal("a bad spec was accepted")
	}
	if sp, _ := m.Spec("s1"); sp.Path != oldPort.Path {
		t.Fatalf("after a refused Reconfigure s1 is at %s; want the old %s", sp.Path, oldPort.Path)
	}
	if err := m.Reconfigure([]Spec{
		{Name: "s1", Type: TypeScanner, Transport: TransportSerial, Path: newPort.Path, Profile: serialProfile()},
		{Name: "s2", Type: TypeScanner, Transport: TransportSerial, Path: extra.Path, Profile: serialProfile()},
	}); err != nil {
		t.Fatal(err)
	}
	if st := m.States(); len(st) != 2 || st[0].State != StateReconnecting || st[1].Name != "s2" {
		t.Fatalf("states after Reconfigure = %+v; want s1 (changed: reconnecting) and s2", st)
	}
	stop = run()
	defer stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := m.States()
		if st[0].State == StateConnected && st[1].State == StateConnected {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not both connected: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	newPort.Write([]byte("222\r"))
	at = rec.waitFor(t, at, "frame from the new port", isFrame("222"))
	extra.Write([]byte("333\r"))
	rec.waitFor(t, at, "frame from the added scanner", isFrame("333"))
	oldPort.Write([]byte("444\r"))
	time.Sleep(100 * time.Millisecond)
	for _, f := range rec.frames(at) {
		if string(f.Data) == "444" {
			t.Error("the old port is still read")
		}
	}
}
