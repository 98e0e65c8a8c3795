package db

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the live database to file with VACUUM INTO; the agent may keep
// selling while it runs. An existing file is refused rather than overwritten. The file is made
// 0600 before anything is written to it: a backup holds sales and customer data.
func (d *DB) Backup(ctx context.Context, file string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) {
			return fmt.Errorf("backup %s: file exists", file)
		}
		return fmt.Errorf("backup %s: %w", file, err)
	}
	f.Close()
	// VACUUM INTO writes into an empty existing file, keeping its mode.
	if _, err := d.W.ExecContext(ctx, "VACUUM INTO ?", file); err != nil {
		os.Remove(file)
		return fmt.Errorf("backup to %s: %w", file, Explain(err))
	}
	return os.Chmod(file, 0o600)
}

// Restore replaces the database in dataDir with the backup file and gives it a new epoch, so central
// can tell that seq numbering restarted. The agent must not be running on dataDir.
func Restore(ctx context.Context, file, dataDir string) (epoch string, err error) {
	src, err := sql.Open("sqlite", dsn(file, true))
	if err != nil {
		return "", fmt.Errorf("open backup %s: %w", file, err)
	}
	defer src.Close()
	var res string
	if err := src.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		return "", fmt.Errorf("backup %s is not a readable database: %w", file, err)
	}
	if res != "ok" {
		return "", fmt.Errorf("backup %s fails its integrity check: %s", file, res)
	}
	lock, err := LockDataDir(dataDir)
	if err != nil {
		return "", err
	}
	defer lock.Release()
	dst := filepath.Join(dataDir, FileName)
	tmp := dst + ".restore"
	if err := copyFile(file, tmp); err != nil {
		return "", fmt.Errorf("restore %s: %w", file, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !os.IsNotExist(err) {
			return "", fmt.Errorf("restore: remove %s: %w", dst+suffix, err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	d, err := Open(ctx, dataDir, Options{})
	if err != nil {
		return "", err
	}
	defer d.Close()
	epoch, err = NewEpoch(ctx, d.W)
	if err != nil {
		return "", err
	}
	return epoch, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
