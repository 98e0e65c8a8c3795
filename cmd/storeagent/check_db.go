package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/storeagent/storeagent/sync/db"
)

// checkDataDir says whether data_dir is writable without creating it: a missing data_dir is fine
// when its nearest existing parent is writable, since run creates it.
func checkDataDir(dir string) (string, error) {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return "", fmt.Errorf("%s is not a directory", dir)
	case err == nil:
		if err := probeWritable(dir); err != nil {
			return "", err
		}
		return dir + " is writable", nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	for {
		if _, err := os.Stat(parent); err == nil {
			break
		}
		next := filepath.Dir(parent)
		if next == parent {
			break
		}
		parent = next
	}
	if err := probeWritable(parent); err != nil {
		return "", fmt.Errorf("%s does not exist and cannot be created: %w", dir, err)
	}
	return fmt.Sprintf("%s does not exist yet; run creates it (%s is writable)", dir, parent), nil
}

// probeWritable creates and removes a temporary file in dir.
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".check-*")
	if err != nil {
		return fmt.Errorf("%s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(filepath.Clean(name))
}

// checkDatabase opens the database in dataDir read-only, runs quick_check and reads its schema
// version and epoch. It never creates, migrates or writes the database: a missing one is reported
// as what run will create.
func checkDatabase(ctx context.Context, dataDir string) (string, error) {
	path := filepath.Join(dataDir, db.FileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("no database yet at %s; run creates it", path), nil
	} else if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "query_only(1)")
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		return "", fmt.Errorf("%s: %w", path, db.Explain(err))
	}
	if res != "ok" {
		return "", fmt.Errorf("%s: quick_check: %s", path, res)
	}
	v, err := db.SchemaVersion(ctx, conn)
	if err != nil {
		return "", fmt.Errorf("%s: schema version: %w", path, err)
	}
	ms, err := db.Migrations()
	if err != nil {
		return "", err
	}
	if v > len(ms) {
		return "", fmt.Errorf("%s: schema %d is newer than this agent knows (%d): run the newer agent", path, v, len(ms))
	}
	var epoch string
	if err := conn.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&epoch); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%s: epoch: %w", path, db.Explain(err))
	}
	detail := fmt.Sprintf("%s opens read-only, quick_check ok, schema %d, epoch %s", path, v, epoch)
	if v < len(ms) {
		detail += fmt.Sprintf(" (run migrates it to schema %d)", len(ms))
	}
	return detail, nil
}
