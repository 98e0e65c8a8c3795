//go:build linux || darwin || freebsd

package display_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/devices/display"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

func profile(t *testing.T, id string) display.Profile {
	t.Helper()
	all, err := display.LoadProfiles(firmwareprofiles.FS, display.ProfileDir)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := all[id]
	if !ok {
		t.Fatalf("no display profile %s", id)
	}
	return p
}

func pad(s string) string { return s + strings.Repeat(" ", 20-len(s)) }

// cat joins golden byte pieces.
func cat(parts ...string) []byte { return []byte(strings.Join(parts, "")) }

// runOnPTY runs a driver for p on a pseudo-terminal and returns it with the pty.
func runOnPTY(t *testing.T, p display.Profile) (*display.Driver, *devtest.PTYScanner) {
	t.Helper()
	pty := devtest.NewPTYScanner(t)
	drv, err := display.NewDriver(p, display.Options{
		Open: func(ctx context.Context) (io.WriteCloser, error) {
			return devices.OpenSerial(pty.Path, devices.SerialSettings{Baud: 9600, DataBits: 8, Parity: "none", StopBits: 1}, 100*time.Millisecond)
		},
		Decimals: 2, Sep: ',',
		Labels: display.Labels{Total: "TOTALE", Change: "RESTO", Idle1: "BENVENUTI", Idle2: "Cassa 1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- drv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	})
	return drv, pty
}

// expect waits until the display received exactly want after from bytes, and returns the new
// offset.
func expect(t *testing.T, pty *devtest.PTYScanner, from int, what string, want []byte) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := pty.Received()[from:]
		if len(got) >= len(want) {
			if !bytes.Equal(got[:len(want)], want) {
				t.Fatalf("%s:\n got % x\nwant % x", what, got, want)
			}
			return from + len(want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: timed out;\n got % x\nwant % x", what, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDriver_ESCPOS_golden: an Epson DM-D110 on a pty receives, byte for byte, the commands of
// its specification: ESC @, ESC t 19 (PC858), US MD1, US C 0, then each line as US $ 1 y and 20
// characters (è = 0x8a, € = 0xd5 in PC858), money right-aligned.
func TestDriver_ESCPOS_golden(t *testing.T) {
	drv, pty := runOnPTY(t, profile(t, "epson-dm-d110"))
	at := expect(t, pty, 0, "init, clear, home and idle", cat("\x1b@", "\x1bt\x13", "\x1f\x01", "\x1fC\x00", "\x0c", "\x0b",
		"\x1f$\x01\x01", pad("BENVENUTI"), "\x1f$\x01\x02", pad("Cassa 1")))
	drv.ShowItem("Caffè espresso", 250)
	at = expect(t, pty, at, "scanned item, no basket yet", cat("\x1f$\x01\x01", "Caff\x8a espresso  2,50", "\x1f$\x01\x02", pad("")))
	drv.ShowBasket("Caffè espresso", 250, 1250)
	at = expect(t, pty, at, "basket", cat("\x1f$\x01\x01", "Caff\x8a espresso  2,50", "\x1f$\x01\x02", "TOTALE         12,50"))
	drv.ShowItem("Panettone artigianale 1 kg €", 129900)
	at = expect(t, pty, at, "long name cut before the amount", cat("\x1f$\x01\x01", "Panettone ar 1299,00", "\x1f$\x01\x02", "TOTALE         12,50"))
	drv.ShowPayment(1250, 750)
	at = expect(t, pty, at, "payment", cat("\x1f$\x01\x01", "TOTALE         12,50", "\x1f$\x01\x02", "RESTO           7,50"))
	drv.ShowItem("€ & Ünïcödé ő", -5)
	expect(t, pty, at, "code page", cat("\x1f$\x01\x01", "\xd5 & \x9an\x8bc\x94d\x82 o  -0,05", "\x1f$\x01\x02", pad("")))
}

// TestDriver_CD5220_golden: a CD5220 display gets ESC @, ESC f I, ESC DC1, ESC _ 0, then ESC l 1 y
// and 20 PC437 characters per line; € is not in PC437 and shows as '?'.
func TestDriver_CD5220_golden(t *testing.T) {
	p := profile(t, "generic-cd5220")
	p.International = "I"
	drv, pty := runOnPTY(t, p)
	at := expect(t, pty, 0, "init, clear, home and idle", cat("\x1b@", "\x1bfI", "\x1b\x11", "\x1b_\x00", "\x0c", "\x0b",
		"\x1bl\x01\x01", pad("BENVENUTI"), "\x1bl\x01\x02", pad("Cassa 1")))
	drv.ShowBasket("Caffè €", 250, 250)
	at = expect(t, pty, at, "basket", cat("\x1bl\x01\x01", "Caff\x8a ?         2,50", "\x1bl\x01\x02", "TOTALE          2,50"))
	drv.ShowIdle()
	expect(t, pty, at, "idle", cat("\x1bl\x01\x01", pad("BENVENUTI"), "\x1bl\x01\x02", pad("Cassa 1")))
}

// TestDriver_unplugged: a display that is not there loses nothing that matters: the newest
// screen is written once it appears.
func TestDriver_unplugged(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	pty.Unplug()
	// While unplugged the display's path leads nowhere (the dead pty's number may be reused by
	// another process's pty at once).
	var mu sync.Mutex
	path := filepath.Join(t.TempDir(), "absent")
	drv, err := display.NewDriver(profile(t, "generic-cd5220"), display.Options{
		Open: func(ctx context.Context) (io.WriteCloser, error) {
			mu.Lock()
			p := path
			mu.Unlock()
			return devices.OpenSerial(p, devices.SerialSettings{Baud: 9600, DataBits: 8, Parity: "none", StopBits: 1}, 100*time.Millisecond)
		},
		RetryEvery: 20 * time.Millisecond, Decimals: 2, Sep: '.',
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go drv.Run(ctx)
	drv.ShowBasket("Milk", 129, 129)
	time.Sleep(100 * time.Millisecond)
	if drv.Err() == nil {
		t.Error("Err() = nil with the display unplugged")
	}
	pty.Replug()
	mu.Lock()
	path = pty.Path
	mu.Unlock()
	expect(t, pty, 0, "newest screen after replug", cat("\x1b@", "\x1b\x11", "\x1b_\x00", "\x0c", "\x0b",
		"\x1bl\x01\x01", "Milk            1.29", "\x1bl\x01\x02", "TOTAL           1.29"))
}

func TestFit(t *testing.T) {
	tests := []struct{ label, amount, want string }{
		{"Latte", "1,29", "Latte           1,29"},
		{"Un nome lunghissimo di prodotto", "10,00", "Un nome lunghi 10,00"},
		{"", "", pad("")},
		{"Solo testo senza importo finale", "", "Solo testo senza imp"},
		{"x", "123456789012345678901234", "56789012345678901234"},
	}
	for _, tc := range tests {
		got := display.Fit(tc.label, tc.amount, 20)
		if got != tc.want {
			t.Errorf("Fit(%q, %q) = %q, want %q", tc.label, tc.amount, got, tc.want)
		}
	}
}

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		v    int64
		d    int
		want string
	}{{0, 2, "0,00"}, {5, 2, "0,05"}, {-5, 2, "-0,05"}, {123456, 2, "1234,56"}, {1500, 0, "1500"}, {-9223372036854775808, 2, "-92233720368547758,08"}} {
		if got := display.Money(tc.v, tc.d, ','); got != tc.want {
			t.Errorf("Money(%d, %d) = %q, want %q", tc.v, tc.d, got, tc.want)
		}
	}
}

func TestParseProfile_bad(t *testing.T) {
	base := "id: d\nname: D\ncommands: escpos\ncolumns: 20\nlines: 2\ncode_page: cp437\ncode_page_select: 0\n"
	if _, err := display.ParseProfile([]byte(base), "ok.yaml"); err != nil {
		t.Fatalf("base: %v", err)
	}
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown key":     {base + "colour: red\n", "colour"},
		"command set":     {strings.Replace(base, "escpos", "star", 1), "key commands"},
		"code page":       {strings.Replace(base, "cp437", "cp1250", 1), "key code_page"},
		"columns":         {strings.Replace(base, "20", "200", 1), "key columns"},
		"cd5220 with ESC": {strings.Replace(base, "escpos", "cd5220", 1), "key code_page_select"},
		"empty":           {"", "empty file"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := display.ParseProfile([]byte(tc.yaml), "bad.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.yaml") {
				t.Errorf("error %v, want one naming bad.yaml and %q", err, tc.want)
			}
		})
	}
}
