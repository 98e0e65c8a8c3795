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
	"time"
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
// It refuses a database whose schema is newer than this binary knows. Before migrating an existing
// database (schema > 0) it writes a consistent backup to data_dir/backups (VACUUM INTO; the last
// BackupsKept are kept); if a migration then fails, the database is restored from that backup and
// the error says so.
func Migrate(ctx context.Context, w *sql.DB) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	return migrate(ctx, w, ms, time.Now)
}

// migrate is Migrate with the migrations and the clock given (tests add failing migrations).
func migrate(ctx context.Context, w *sql.DB, ms []Migration, now func() time.Time) error {
	cur, err := SchemaVersion(ctx, w)
	if err != nil {
		return fmt.Errorf("read schema version: %w", Explain(err))
	}
	if cur > len(ms) {
		return fmt.Errorf("schema version %d is newer than this agent knows (%d): run the newer agent, or restore a backup made by this version", cur, len(ms))
	}
	if cur == len(ms) {
		return nil
	}
	var backup string
	if cur > 0 {
		backup, err = backupBeforeMigrate(ctx, w, cur, now())
		if err != nil {
			return fmt.Errorf("back up before migrating from schema %d (nothing was changed): %w", cur, err)
		}
	}
	for _, m := range ms[cur:] {
		err := applyMigration(ctx, w, m)
		if err == nil {
			continue
		}
		if backup == "" {
			return err
		}
		if rerr := restoreInto(ctx, w, backup); rerr != nil {
			return fmt.Errorf("%w; restoring the pre-migration backup %s also failed: %v (stop the agent and run: storeagent restore %s)", err, backup, rerr, backup)
		}
		return fmt.Errorf("%w; the database was restored from %s and is back at schema %d: run the previous agent version or report the failure", err, backup, cur)
	}
	return nil
}

// applyMigration runs one migration and sets user_version in the same transaction.
func applyMigration(ctx context.Context, w *sql.DB, m Migration) error {
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
	return nil
}
