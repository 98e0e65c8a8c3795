//go:build !windows

package db

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDB_BackupMode checks that a backup is readable by its owner only (issue 16, Low): it holds
// sales and customer data, and the umask alone would leave it world-readable.
func TestDB_BackupMode(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	file := filepath.Join(t.TempDir(), "backup.db")
	if err := d.Backup(ctx, file); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("backup mode %v, want 0600", got)
	}
	if fi.Size() == 0 {
		t.Errorf("backup is empty")
	}
	if err := d.Backup(ctx, file); err == nil {
		t.Errorf("a second backup over the same file was not refused")
	}
}
