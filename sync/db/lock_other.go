//go:build !unix

package db

import (
	"fmt"
	"os"
	"path/filepath"
)

// Lock is an exclusive lock on a data_dir. On Windows an open-exclusive file stands in for flock.
type Lock struct{ f *os.File }

// LockDataDir takes the data_dir lock or says it is held.
func LockDataDir(dataDir string) (*Lock, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data_dir %s: %w", dataDir, err)
	}
	path := filepath.Join(dataDir, "storeagent.lock")
	os.Remove(path) // fails while another process holds it open
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("data_dir %s is in use by another storeagent: stop it first", dataDir)
	}
	return &Lock{f: f}, nil
}

// Release drops the lock.
func (l *Lock) Release() {
	if l != nil && l.f != nil {
		name := l.f.Name()
		l.f.Close()
		os.Remove(name)
		l.f = nil
	}
}
