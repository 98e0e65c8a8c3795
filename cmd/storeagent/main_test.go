package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/sync/db"
	_ "modernc.org/sqlite"
)

func runCLI(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb, Environ: env}
	code := m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func writeConfig(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "storeagent.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func minimalConfig(dataDir string) string {
	return "store_id: it-mi-001\ndata_dir: " + dataDir + "\nhttp: {listen: 127.0.0.1:0}\nterminals:\n  - {id: lane1, token: lane1-token-0123456789abcdef}\n"
}

func TestMain_Usage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "usage: storeagent"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"run", "-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"run", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"backup"}, 2, "want exactly one FILE"},
		{[]string{"version", "x"}, 2, "takes no arguments"},
		{[]string{"run", "-config", "/nonexistent/storeagent.yaml"}, 1, "/nonexistent/storeagent.yaml"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, tt.code, tt.msg)
			}
		})
	}
}

func TestMain_Version(t *testing.T) {
	code, out, _ := runCLI(t, nil, "version")
	if code != 0 || !strings.Contains(out, "storeagent dev") || !strings.Contains(out, "go1.") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestMain_Check(t *testing.T) {
	dir := t.TempDir()
	broker := listenTCP(t) // check dials the broker: give it one
	cfg := writeConfig(t, dir, minimalConfig(filepath.Join(dir, "data"))+"mqtt: {broker: tcp://"+broker+"}\n")
	code, out, stderr := runCLI(t, nil, "check", "-config", cfg)
	if code != 0 || strings.Count(out, "✓") != 4 || strings.Contains(out, "✗") {
		t.Fatalf("check: %d\n%s\n%s", code, out, stderr)
	}
	bad := writeConfig(t, t.TempDir(), "store_id: IT MI\ndata_dir: /tmp/x\nmqtt: {brokr: tcp://x:1}\n")
	code, out, _ = runCLI(t, nil, "check", "-config", bad)
	if code != 1 || !strings.Contains(out, "✗ config") || !strings.Contains(out, "mqtt.brokr") || !strings.Contains(out, "store_id") {
		t.Errorf("bad config: %d\n%s", code, out)
	}
	// A corrupt database fails its check with a clear line.
	dir2 := t.TempDir()
	data := filepath.Join(dir2, "data")
	os.MkdirAll(data, 0o750)
	os.WriteFile(filepath.Join(data, "storeagent.db"), bytes.Repeat([]byte("garbage!"), 1024), 0o600)
	code, out, _ = runCLI(t, nil, "check", "-config", writeConfig(t, dir2, minimalConfig(data)))
	if code != 1 || !strings.Contains(out, "✗ database") {
		t.Errorf("corrupt db: %d\n%s", code, out)
	}
}

func TestMain_BackupRestore(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfg := writeConfig(t, dir, minimalConfig(data))
	initDB(t, data)
	epochOf := func() string {
		d, err := sql.Open("sqlite", filepath.Join(data, "storeagent.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var e string
		if err := d.QueryRow(`SELECT value FROM meta WHERE key = 'epoch'`).Scan(&e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	before := epochOf()
	file := filepath.Join(dir, "backup.db")
	if code, out, errs := runCLI(t, nil, "backup", file, "-config", cfg); code != 0 || !strings.Contains(out, file) {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	if code, _, errs := runCLI(t, nil, "backup", file, "-config", cfg); code != 1 || !strings.Contains(errs, "file exists") {
		t.Errorf("backup over an existing file: %d %s", code, errs)
	}
	if code, out, errs := runCLI(t, nil, "restore", file, "-config", cfg); code != 0 || !strings.Contains(out, "new epoch") {
		t.Fatalf("restore: %d %s %s", code, out, errs)
	}
	if after := epochOf(); after == before || after == "" {
		t.Errorf("restore kept epoch %s", after)
	}
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte("not a database"), 0o600)
	if code, _, errs := runCLI(t, nil, "restore", garbage, "-config", cfg); code != 1 || !strings.Contains(errs, "garbage.db") {
		t.Errorf("restore of garbage: %d %s", code, errs)
	}
}

func TestMain_Decode(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "qr.png")
	writeQR(t, good, "https://id.example.com/01/09501101530003")
	code, out, errs := runCLI(t, nil, "decode", good)
	if code != 0 || strings.TrimSpace(out) != "qr, https://id.example.com/01/09501101530003" {
		t.Fatalf("decode: %d %q %q", code, out, errs)
	}
	bad := filepath.Join(dir, "notes.txt")
	os.WriteFile(bad, []byte("hello"), 0o600)
	code, out, errs = runCLI(t, nil, "decode", good, bad)
	if code != 1 || !strings.Contains(out, good+": qr,") || !strings.Contains(errs, "notes.txt") {
		t.Errorf("decode with a bad file: %d %q %q", code, out, errs)
	}
	if code, _, _ := runCLI(t, nil, "decode"); code != 2 {
		t.Errorf("decode without files: exit %d, want 2", code)
	}
}

// initDB creates and migrates the database in data, as the agent's first start does.
func initDB(t testing.TB, data string) {
	t.Helper()
	d, err := db.Open(context.Background(), data, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
}
