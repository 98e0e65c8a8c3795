//go:build linux || darwin || freebsd

package devices

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/devices/scale"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

// TestManager_ScannerScaleProtocols: each built-in scanner-scale profile, opened by the device
// manager on a pseudo-terminal, gets its scale's request (the Magellan's S14 CR, the MP7000's
// 8217 W) written on the scanner's port by WriteTo, and the scale's answers come back among the
// frames, told apart from labels, as the agent routes them.
func TestManager_ScannerScaleProtocols(t *testing.T) {
	profiles, err := LoadScannerProfiles(firmwareprofiles.FS, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		profile, request, label, labelFrame string
		answers                             map[string]scale.Reading
	}{
		{"zebra-mp7000", "W", "]E04006381333931\r", "]E04006381333931", map[string]scale.Reading{
			"\x0201.250\r": {Status: scale.Stable, WeightG: 1250},
			"\x02?A\r":     {Status: scale.Unstable},
			"\x02?D\r":     {Status: scale.UnderZero},
			"\x02?B\r":     {Status: scale.OverCapacity},
			"\x02?H\r":     {Status: scale.NoZero},
		}},
		{"datalogic-magellan-3410vsi", "S14\r", "S08F4006381333931\r", "F4006381333931", map[string]scale.Reading{
			"S14401250\r": {Status: scale.Stable, WeightG: 1250},
			"S141\r":      {Status: scale.Unstable},
			"S145\r":      {Status: scale.UnderZero},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.profile, func(t *testing.T) {
			p := profiles[tc.profile]
			proto, err := scale.ProtocolFor(p.Scale)
			if err != nil || proto == nil {
				t.Fatalf("profile scale %q: %v", p.Scale, err)
			}
			pty := devtest.NewPTYScanner(t)
			var sc *scale.Scale
			var mu sync.Mutex
			var labels []string
			rec := newRecorder()
			m, err := NewManager([]Spec{{Name: "lane1", Type: TypeScanner, Transport: TransportSerial, Path: pty.Path, Profile: p}},
				Options{MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond, OnEvent: func(ev Event) {
					if ev.Kind == EventFrame && ev.Frame.Err == nil && scale.IsReply(ev.Frame.Data) {
						sc.Deliver(ev.Frame.Data)
						return
					}
					if ev.Kind == EventFrame {
						mu.Lock()
						labels = append(labels, string(ev.Frame.Data))
						mu.Unlock()
					}
					rec.add(ev)
				}})
			if err != nil {
				t.Fatal(err)
			}
			sc = &scale.Scale{Protocol: proto, Timeout: 500 * time.Millisecond, Write: func(b []byte) error { return m.WriteTo("lane1", b) }}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- m.Run(ctx) }()
			defer func() { cancel(); <-done }()
			rec.waitFor(t, 0, "connected", isState(StateConnected))

			reads := 0
			for answer, want := range tc.answers {
				sent := bytes.Count(pty.Received(), []byte(tc.request))
				go func() {
					deadline := time.Now().Add(time.Second)
					for time.Now().Before(deadline) && bytes.Count(pty.Received(), []byte(tc.request)) == sent {
						time.Sleep(2 * time.Millisecond)
					}
					pty.Write([]byte(tc.label + answer)) // a label scanned just before the answer
				}()
				got, err := sc.Read(context.Background())
				reads++
				if err != nil || got != want {
					t.Errorf("answer %q: %+v, %v; want %+v", answer, got, err, want)
				}
			}
			if got, want := string(pty.Received()), string(bytes.Repeat([]byte(tc.request), reads)); got != want {
				t.Errorf("written to the scanner-scale: %q, want %q", got, want)
			}
			deadline := time.Now().Add(time.Second)
			for {
				mu.Lock()
				n := len(labels)
				mu.Unlock()
				if n >= reads || time.Now().After(deadline) {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(labels) != reads {
				t.Fatalf("labels %q, want %d", labels, reads)
			}
			for _, l := range labels {
				if l != tc.labelFrame {
					t.Errorf("label frame %q, want %q", l, tc.labelFrame)
				}
			}
		})
	}
}
