package fiscal_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos/fiscal"
)

// makeArchive returns a month's archive of a journal of 20 tickets and 2 events, and the key.
func makeArchive(t *testing.T) ([]byte, ed25519.PublicKey) {
	t.Helper()
	d, j := openJournal(t, 20)
	var buf bytes.Buffer
	m, err := j.WriteArchive(context.Background(), d.R, "fr-test", "2026-12", time.UTC, time.Now(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	if m.Chains["ticket"].Count != 20 || m.Chains["event"].Count != 2 {
		t.Fatalf("manifest spans %+v, want 20 tickets and 2 events", m.Chains)
	}
	return buf.Bytes(), j.PublicKey()
}

// rezip rewrites an archive through edit, which may change or drop each file.
func rezip(t *testing.T, b []byte, edit func(name string, data []byte) ([]byte, bool)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		data, keep := edit(f.Name, data)
		if !keep {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	zw.Close()
	return out.Bytes()
}

func TestArchive_VerifyAndTamper(t *testing.T) {
	good, pub := makeArchive(t)
	if _, err := fiscal.VerifyArchive(bytes.NewReader(good), int64(len(good)), pub); err != nil {
		t.Fatalf("a fresh archive does not verify: %v", err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	flipped := bytes.Clone(good)
	flipped[len(flipped)/3] ^= 0x01
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"flipped byte in the zip", flipped, ""},
		{"flipped byte in records.jsonl", rezip(t, good, func(n string, d []byte) ([]byte, bool) {
			if n == fiscal.FileRecords {
				d = bytes.Replace(d, []byte(`"total_minor":500`), []byte(`"total_minor":501`), 1)
			}
			return d, true
		}), "records.jsonl: SHA-256 differs"},
		{"removed events.jsonl", rezip(t, good, func(n string, d []byte) ([]byte, bool) { return d, n != fiscal.FileEvents }), "events.jsonl: missing"},
		{"manifest re-signed with another key", rezip(t, good, func(n string, d []byte) ([]byte, bool) {
			if n == fiscal.FileManifest {
				d = bytes.Replace(d, []byte(`"period": "2026-12"`), []byte(`"period": "2026-11"`), 1)
			}
			if n == fiscal.FileSignature {
				return nil, false
			}
			return d, true
		}), ""},
	}
	// The re-signed case: add a manifest.sig made with another key over the edited manifest.
	resigned := cases[3].b
	zr, _ := zip.NewReader(bytes.NewReader(resigned), int64(len(resigned)))
	var mb []byte
	for _, f := range zr.File {
		if f.Name == fiscal.FileManifest {
			rc, _ := f.Open()
			mb, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	cases[3].b = rezip(t, resigned, func(n string, d []byte) ([]byte, bool) { return d, true })
	cases[3].b = appendZipFile(t, cases[3].b, fiscal.FileSignature, []byte(base64.RawURLEncoding.EncodeToString(ed25519.Sign(other, mb))))
	cases[3].want = "manifest.sig: the signature"
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fiscal.VerifyArchive(bytes.NewReader(tc.b), int64(len(tc.b)), pub)
			if err == nil {
				t.Fatal("a tampered archive verified")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %q, want it to say %q", err, tc.want)
			}
		})
	}
	t.Run("another store's key pinned", func(t *testing.T) {
		if _, err := fiscal.VerifyArchive(bytes.NewReader(good), int64(len(good)), other.Public().(ed25519.PublicKey)); err == nil ||
			!strings.Contains(err.Error(), "not the store's key") {
			t.Fatalf("got %v, want the pinned key refused", err)
		}
	})
}

func appendZipFile(t *testing.T, b []byte, name string, data []byte) []byte {
	t.Helper()
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create(name)
	w.Write(data)
	zw.Close()
	return out.Bytes()
}
