package hid

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The container running the tests has no /dev/input, so a FIFO stands in for an event node:
// both are pollable, which is what Read's timeout relies on.
func TestOpen_fifo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "event0")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(path, os.O_RDWR, 0) // keeps a writer so reads never see EOF
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	t.Run("grab needs an input device", func(t *testing.T) {
		if _, err := Open(path, true, 0); err == nil {
			t.Error("EVIOCGRAB on a FIFO: error = nil")
		}
	})
	d, err := Open(path, false, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64*NativeRecordSize)
	t.Run("no data yet", func(t *testing.T) {
		start := time.Now()
		n, err := d.Read(buf)
		if n != 0 || err != nil {
			t.Errorf("Read = %d, %v; want 0, nil", n, err)
		}
		if el := time.Since(start); el < 40*time.Millisecond || el > time.Second {
			t.Errorf("Read waited %v, want the 50 ms timeout", el)
		}
	})
	t.Run("records decode", func(t *testing.T) {
		s := &stream{size: NativeRecordSize}
		s.tap(KeyA, KeyLeftShift)
		w.Write(s.buf.Bytes())
		dec, _ := NewDecoder(Options{})
		var got []byte
		for deadline := time.Now().Add(2 * time.Second); len(got) == 0 && time.Now().Before(deadline); {
			n, err := d.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			got = dec.Decode(got, buf[:n])
		}
		if string(got) != "A" {
			t.Errorf("decoded %q, want A", got)
		}
	})
	t.Run("write refused", func(t *testing.T) {
		if _, err := d.Write([]byte{1}); err == nil {
			t.Error("Write: error = nil")
		}
	})
	t.Run("close releases a read", func(t *testing.T) {
		long, err := Open(path, false, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := long.Read(buf)
			done <- err
		}()
		time.Sleep(20 * time.Millisecond)
		long.Close()
		select {
		case err := <-done:
			if err == nil {
				t.Error("Read after Close: error = nil")
			}
		case <-time.After(2 * time.Second):
			t.Error("Close did not release a blocked Read")
		}
	})
	d.Close()
}
