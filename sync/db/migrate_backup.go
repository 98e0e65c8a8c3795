package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// BackupsDir is the folder inside data_dir that holds the automatic pre-migration backups.
const BackupsDir = "backups"

// BackupsKept is how many pre-migration backups stay in data_dir/backups; older ones are removed.
const BackupsKept = 3

// preMigratePrefix starts the name of every automatic backup; the UTC time that follows is fixed
// width, so names sort by age.
const preMigratePrefix = "pre-migrate-"

// mainFile returns the file of the connection's main database ("" for an in-memory one), from
// PRAGMA database_list (https://sqlite.org/pragma.html#pragma_database_list).
func mainFile(ctx context.Context, w *sql.DB) (string, error) {
	rows, err := w.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return "", Explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", err
		}
		if name == "main" {
			return file, nil
		}
	}
	return "", rows.Err()
}

// backupBeforeMigrate writes data_dir/backups/pre-migrate-TIME-schemaNNNN.db with VACUUM INTO
// (a consistent, compacted copy: https://sqlite.org/lang_vacuum.html#vacuuminto) and prunes the
// folder to the last BackupsKept. It returns the backup's path ("" for an in-memory database).
func backupBeforeMigrate(ctx context.Context, w *sql.DB, schema int, now time.Time) (string, error) {
	file, err := mainFile(ctx, w)
	if err != nil || file == "" {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(file), BackupsDir)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	name := fmt.Sprintf("%s%s-schema%04d.db", preMigratePrefix, now.UTC().Format("20060102T150405.000000000Z"), schema)
	path := filepath.Join(dir, name)
	if _, err := w.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("VACUUM INTO %s: %w", path, Explain(err))
	}
	if err := pruneBackups(dir, BackupsKept); err != nil {
		return "", err
	}
	return path, nil
}

// pruneBackups removes all but the newest keep pre-migration backups in dir.
func pruneBackups(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), preMigratePrefix) && strings.HasSuffix(e.Name(), ".db") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil {
			return fmt.Errorf("prune old backup: %w", err)
		}
		names = names[1:]
	}
	return nil
}

// restoreInto copies the backup file over the live database of w's connection with SQLite's online
// backup API (https://sqlite.org/backup.html), through modernc.org/sqlite's NewRestore.
func restoreInto(ctx context.Context, w *sql.DB, file string) error {
	conn, err := w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		r, ok := dc.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("the SQLite driver (%T) has no restore API", dc)
		}
		b, err := r.NewRestore(file)
		if err != nil {
			return err
		}
		for {
			more, err := b.Step(-1) // true: pages remain; false: done (SQLITE_DONE)
			if err != nil {
				b.Finish()
				return err
			}
			if !more {
				break
			}
		}
		return b.Finish()
	})
}
