package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migration is one numbered schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations in order. File names are NNNN_name.sql.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationsFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.sql", e.Name())
		}
		b, err := migrationsFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := range out {
		if out[i].Version != i+1 {
			return nil, fmt.Errorf("migrations are not numbered 1..n: %d is at position %d", out[i].Version, i+1)
		}
	}
	return out, nil
}

// SchemaVersion reads PRAGMA user_version, where the applied migration number lives.
func SchemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// Migrate applies the pending migrations, each in its own transaction with the new user_version.
// It refuses a database whose schema is newer than this binary knows.
func Migrate(ctx context.Context, w *sql.DB) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	cur, err := SchemaVersion(ctx, w)
	if err != nil {
		return fmt.Errorf("read schema version: %w", Explain(err))
	}
	if cur > len(ms) {
		return fmt.Errorf("schema version %d is newer than this agent knows (%d): run the newer agent, or restore a backup made by this version", cur, len(ms))
	}
	for _, m := range ms[cur:] {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return Explain(err)
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, Explain(err))
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, Explain(err))
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, Explain(err))
		}
	}
	return nil
}
