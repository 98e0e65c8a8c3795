//go:build linux || darwin || freebsd

package scale_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/devices/scale"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
	"github.com/storeagent/storeagent/scanner/framing"
)

// lane opens the agent's side of a pty scanner-scale with the framing of a built-in profile and
// routes its frames: scale answers to the Scale, the rest (labels) to labels.
type lane struct {
	sc     *scale.Scale
	mu     sync.Mutex
	labels []string
}

func openLane(t *testing.T, profileID string, pty *devtest.PTYScanner) *lane {
	t.Helper()
	profiles, err := devices.LoadScannerProfiles(firmwareprofiles.FS, "")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := profiles[profileID]
	if !ok {
		t.Fatalf("no profile %s", profileID)
	}
	proto, err := scale.ProtocolFor(p.Scale)
	if err != nil || proto == nil {
		t.Fatalf("profile %s scale %q: %v", profileID, p.Scale, err)
	}
	cfg, err := p.FramingConfig()
	if err != nil {
		t.Fatal(err)
	}
	fr, err := framing.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	port, err := os.OpenFile(pty.Path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	l := &lane{sc: &scale.Scale{Protocol: proto, Timeout: 300 * time.Millisecond, Write: func(b []byte) error {
		_, err := port.Write(b)
		return err
	}}}
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := port.Read(buf)
			for _, f := range fr.Feed(time.Now(), buf[:n]) {
				if f.Err == nil && scale.IsReply(f.Data) {
					l.sc.Deliver(f.Data)
					continue
				}
				l.mu.Lock()
				l.labels = append(l.labels, string(f.Data))
				l.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	return l
}

// answerEach makes the pty scale answer every request it receives with the next answer.
func answerEach(t *testing.T, pty *devtest.PTYScanner, request []byte, answer func() []byte) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		answered := 0
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
			for n := bytes.Count(pty.Received(), request); answered < n; answered++ {
				if a := answer(); a != nil {
					pty.Write(a)
				}
			}
		}
	}()
}

// TestToledo_ReadOverPTY: a Zebra MP7000 profile (toledo-8217) on a pseudo-terminal. Every read
// sends exactly W, and every documented answer (DIVA Service Manual 6.1.3.2/6.1.4.3) maps to
// the reading the till refuses or accepts; line noise, a label in between and a scale that stays
// silent lose nothing and end in a clear error.
func TestToledo_ReadOverPTY(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	l := openLane(t, "zebra-mp7000", pty)
	var mu sync.Mutex
	next := []byte("\x0201.250\r")
	answerEach(t, pty, []byte("W"), func() []byte {
		mu.Lock()
		defer mu.Unlock()
		return next
	})
	steps := []struct {
		name   string
		answer string
		want   scale.Reading
		errStr string
	}{
		{"stable 1.250 kg", "\x0201.250\r", scale.Reading{Status: scale.Stable, WeightG: 1250}, ""},
		{"net 0.480 kg", "\x0200.480N\r", scale.Reading{Status: scale.Stable, WeightG: 480}, ""},
		{"zero", "\x0200.000\r", scale.Reading{Status: scale.Zero}, ""},
		{"motion", "\x02?A\r", scale.Reading{Status: scale.Unstable}, ""},
		{"under zero", "\x02?D\r", scale.Reading{Status: scale.UnderZero}, ""},
		{"over capacity", "\x02?B\r", scale.Reading{Status: scale.OverCapacity}, ""},
		{"not zeroed", "\x02?H\r", scale.Reading{Status: scale.NoZero}, ""},
		{"noise, then an answer", "\xff\x00\x0202.000\r", scale.Reading{Status: scale.Stable, WeightG: 2000}, ""},
		{"a label, then an answer", "]E04006381333931\r\x0200.750\r", scale.Reading{Status: scale.Stable, WeightG: 750}, ""},
		{"pounds", "\x0201.25\r", scale.Reading{}, "pounds"},
	}
	for i, st := range steps {
		mu.Lock()
		next = []byte(st.answer)
		mu.Unlock()
		got, err := l.sc.Read(context.Background())
		if st.errStr != "" {
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(st.errStr)) {
				t.Errorf("%s: %+v, %v; want an error with %q", st.name, got, err, st.errStr)
			}
		} else if err != nil || got != st.want {
			t.Errorf("%s: %+v, %v; want %+v", st.name, got, err, st.want)
		}
		if sent := string(pty.Received()); sent != string(bytes.Repeat([]byte("W"), i+1)) {
			t.Fatalf("%s: the agent sent %q, want only W per read", st.name, sent)
		}
	}
	l.mu.Lock()
	labels := append([]string(nil), l.labels...)
	l.mu.Unlock()
	if len(labels) != 1 || labels[0] != "]E04006381333931" {
		t.Errorf("labels routed past the scale: %q, want the one EAN-13", labels)
	}
	mu.Lock()
	next = nil // the scale stops answering
	mu.Unlock()
	if _, err := l.sc.Read(context.Background()); !errors.Is(err, scale.ErrNoAnswer) {
		t.Errorf("silent scale: %v, want ErrNoAnswer", err)
	}
}

// TestMagellan_ReadOverPTY: the same over the Magellan 3410VSi profile (S14 CR, KA-01089).
func TestMagellan_ReadOverPTY(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	l := openLane(t, "datalogic-magellan-3410vsi", pty)
	var mu sync.Mutex
	next := []byte("S14401250\r")
	answerEach(t, pty, []byte("S14\r"), func() []byte {
		mu.Lock()
		defer mu.Unlock()
		return next
	})
	for i, st := range []struct {
		answer string
		want   scale.Reading
	}{
		{"S14401250\r", scale.Reading{Status: scale.Stable, WeightG: 1250}},
		{"S141\r", scale.Reading{Status: scale.Unstable}},
		{"S145\r", scale.Reading{Status: scale.UnderZero}},
		{"S142\r", scale.Reading{Status: scale.OverCapacity}},
		{"S140\r", scale.Reading{Status: scale.NoZero}},
		{"S143\r", scale.Reading{Status: scale.Zero}},
	} {
		mu.Lock()
		next = []byte(st.answer)
		mu.Unlock()
		got, err := l.sc.Read(context.Background())
		if err != nil || got != st.want {
			t.Errorf("%q: %+v, %v; want %+v", st.answer, got, err, st.want)
		}
		if sent := string(pty.Received()); sent != string(bytes.Repeat([]byte("S14\r"), i+1)) {
			t.Fatalf("the agent sent %q, want only S14 CR per read", sent)
		}
	}
}
