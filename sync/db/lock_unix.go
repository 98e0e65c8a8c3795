//go:build unix

package db

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Lock is an exclusive lock on a data_dir, so two agents (or a restore) never share one database.
// The kernel drops it when the process dies, even by kill -9.
type Lock struct{ f *os.File }

// LockDataDir takes the data_dir lock or says who holds it.
func LockDataDir(dataDir string) (*Lock, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data_dir %s: %w", dataDir, err)
	}
	path := filepath.Join(dataDir, "storeagent.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid, _ := os.ReadFile(path)
		f.Close()
		return nil, fmt.Errorf("data_dir %s is in use by another storeagent (pid %s): stop it first", dataDir, string(pid))
	}
	f.Truncate(0)
	fmt.Fprintf(f, "%d", os.Getpid())
	return &Lock{f: f}, nil
}

// Release drops the lock.
func (l *Lock) Release() {
	if l != nil && l.f != nil {
		syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		l.f.Close()
		l.f = nil
	}
}
