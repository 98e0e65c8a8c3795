package db

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openAtSchema makes a database in a new data_dir migrated only to schema n, with a row in meta.
func openAtSchema(t *testing.T, n int) (dir string) {
	t.Helper()
	ctx := context.Background()
	dir = t.TempDir()
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("sqlite", dsn(filepath.Join(dir, FileName), false))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	if _, err := w.Exec("PRAGMA journal_mode=WAL"); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, w, ms[:n], time.Now); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`INSERT INTO meta (key, value) VALUES ('test-row', 'kept')`); err != nil {
		t.Fatal(err)
	}
	return dir
}

func metaValue(t *testing.T, q interface {
	QueryRow(string, ...any) *sql.Row
}) string {
	t.Helper()
	var v string
	if err := q.QueryRow(`SELECT value FROM meta WHERE key = 'test-row'`).Scan(&v); err != nil {
		t.Fatalf("read test row: %v", err)
	}
	return v
}

func backups(t *testing.T, dir string) []string {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, BackupsDir, preMigratePrefix+"*.db"))
	return names
}

func TestOpen_UpgradesOldSchemaWithBackup(t *testing.T) {
	ctx := context.Background()
	dir := openAtSchema(t, 1)
	d, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ms, _ := Migrations()
	if v, _ := SchemaVersion(ctx, d.W); v != len(ms) {
		t.Errorf("schema = %d, want %d", v, len(ms))
	}
	if got := metaValue(t, d.W); got != "kept" {
		t.Errorf("row after upgrade = %q, want kept", got)
	}
	bs := backups(t, dir)
	if len(bs) != 1 || !strings.HasSuffix(bs[0], "-schema0001.db") {
		t.Fatalf("backups = %v, want one of schema 1", bs)
	}
	b, err := sql.Open("sqlite", dsn(bs[0], true))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if v, _ := SchemaVersion(ctx, b); v != 1 {
		t.Errorf("backup schema = %d, want 1", v)
	}
	if got := metaValue(t, b); got != "kept" {
		t.Errorf("backup row = %q, want kept", got)
	}
}

func TestOpen_FreshDatabaseMakesNoBackup(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if bs := backups(t, dir); len(bs) != 0 {
		t.Errorf("backups = %v, want none for a new database", bs)
	}
}

func TestMigrate_FailureRestoresBackup(t *testing.T) {
	ctx := context.Background()
	dir := openAtSchema(t, 2)
	w, err := sql.Open("sqlite", dsn(filepath.Join(dir, FileName), false))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	ms, _ := Migrations()
	ms = append(ms[:2:2],
		Migration{Version: 3, Name: "good", SQL: `CREATE TABLE added (x INTEGER); UPDATE meta SET value = 'changed' WHERE key = 'test-row';`},
		Migration{Version: 4, Name: "bad", SQL: `CREATE TABLE broken (x INTEGER; `},
	)
	err = migrate(ctx, w, ms, time.Now)
	if err == nil {
		t.Fatal("migrate with a broken migration succeeded")
	}
	for _, want := range []string{"migration 0004_bad", "restored from", "back at schema 2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if v, _ := SchemaVersion(ctx, w); v != 2 {
		t.Errorf("schema after failure = %d, want 2", v)
	}
	if got := metaValue(t, w); got != "kept" {
		t.Errorf("row after restore = %q, want kept", got)
	}
	var n int
	w.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'added'`).Scan(&n)
	if n != 0 {
		t.Errorf("table from the applied migration 3 survived the restore")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatalf("reopen after restore: %v", err)
	}
	d.Close()
}

func TestPruneBackups(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var names []string
	for i := 0; i < 5; i++ {
		n := preMigratePrefix + base.Add(time.Duration(i)*time.Hour).Format("20060102T150405.000000000Z") + "-schema0001.db"
		names = append(names, n)
		os.WriteFile(filepath.Join(dir, n), nil, 0o600)
	}
	os.WriteFile(filepath.Join(dir, "manual.db"), nil, 0o600)
	if err := pruneBackups(dir, 3); err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		_, err := os.Stat(filepath.Join(dir, n))
		if got, want := err == nil, i >= 2; got != want {
			t.Errorf("%s exists = %v, want %v", n, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "manual.db")); err != nil {
		t.Errorf("a manual backup was pruned: %v", err)
	}
}

func TestBackupBeforeMigrate_KeepsLastThree(t *testing.T) {
	ctx := context.Background()
	dir := openAtSchema(t, 1)
	w, err := sql.Open("sqlite", dsn(filepath.Join(dir, FileName), false))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var made []string
	for i := 0; i < 4; i++ {
		p, err := backupBeforeMigrate(ctx, w, 1, base.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		made = append(made, p)
	}
	got := backups(t, dir)
	if len(got) != BackupsKept || got[0] != made[1] || got[2] != made[3] {
		t.Errorf("backups = %v, want the last %d of %v", got, BackupsKept, made)
	}
}
