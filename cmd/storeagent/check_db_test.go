package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain_CheckOnlyReads checks that check creates neither data_dir nor the database, and that it
// reads an existing database without changing it.
func TestMain_CheckOnlyReads(t *testing.T) {
	dir := t.TempDir()
	broker := listenTCP(t)
	data := filepath.Join(dir, "data")
	cfg := writeConfig(t, dir, minimalConfig(data)+"mqtt: {broker: tcp://"+broker+"}\n")
	code, out, stderr := runCLI(t, nil, "check", "-config", cfg)
	if code != 0 || !strings.Contains(out, "run creates it") {
		t.Fatalf("check on a fresh install: %d\n%s\n%s", code, out, stderr)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("check created %s (err %v); it must only read", data, err)
	}
	initDB(t, data)
	dbPath := filepath.Join(data, "storeagent.db")
	before, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, nil, "check", "-config", cfg)
	if code != 0 || !strings.Contains(out, "✓ database") || !strings.Contains(out, "read-only") {
		t.Fatalf("check on an existing database: %d\n%s", code, out)
	}
	after, _ := os.ReadFile(dbPath)
	if string(before) != string(after) {
		t.Error("check changed the database file")
	}
}
