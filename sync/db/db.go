// Package db opens the agent's one SQLite database: WAL, busy_timeout, foreign keys and
// synchronous=FULL, one writer connection plus a pool of readers, the embedded numbered migrations,
// and an integrity check at start. The domains (pos, sync) own their tables and queries; this package
// owns only the file, its connections and its schema history. Anything in the agent may import it.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the database's name inside data_dir.
const FileName = "storeagent.db"

// DB is the agent's database: a single writer connection (so write transactions are serialised and
// a read-check-write inside one is atomic) and a read-only pool for lookups.
type DB struct {
	// W is the writer: exactly one connection, transactions BEGIN IMMEDIATE, synchronous=FULL.
	W *sql.DB
	// R is the reader pool: query_only connections that never block the writer (WAL).
	R *sql.DB
	// Path is the database file.
	Path string
	// Epoch is the random id of this database, new when it is created afresh or restored.
	Epoch string
	// Group commits the selling domain's write transactions in groups (one fsync for many).
	Group *Group
	// WStmts caches prepared statements on the writer; use it with Conn inside Group.Do.
	WStmts *Stmts
}

// Options tune Open.
type Options struct {
	// Readers is the size of the read pool; 0 means 2 × GOMAXPROCS (at least 4).
	Readers int
	// SkipIntegrityCheck skips the quick_check at start (tests of huge files only).
	SkipIntegrityCheck bool
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	// Each reader keeps a 512 KiB page cache (SQLite's default is 2 MiB): lookups touch a few
	// index and table pages and the OS caches the file anyway, while four full reader caches were
	// a fifth of the agent's memory under load (storebench: RSS peak 40.7 → 38 MB, lookup p99
	// unchanged). The writer keeps the default: a smaller one slowed the snapshot apply by 15 %.
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", "cache_size(-512)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		// Statement journals (an upsert, a statement with triggers or foreign keys inside a
		// group commit's transaction) stay in memory: spilled to temp files they were about 15 %
		// of a sale's CPU in pwrite calls (BenchmarkSale's profile, pos/fiscal). They hold the
		// pages one statement changed, so this costs little memory.
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database in dataDir, applies pending migrations and runs an
// integrity check. A database written by a newer agent (a schema this binary does not know) is
// refused, so a downgrade cannot corrupt it.
func Open(ctx context.Context, dataDir string, opts Options) (*DB, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data_dir %s: %w", dataDir, err)
	}
	path := filepath.Join(dataDir, FileName)
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	d := &DB{W: w, Path: path}
	if err := d.init(ctx, opts); err != nil {
		w.Close()
		return nil, err
	}
	n := opts.Readers
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database readers %s: %w", path, err)
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	d.R = r
	d.WStmts = NewStmts(w)
	d.Group = newGroup(w, d.WStmts, 64)
	return d, nil
}

func (d *DB) init(ctx context.Context, opts Options) error {
	var mode string
	if err := d.W.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("open database %s: %w", d.Path, Explain(err))
	}
	if mode != "wal" {
		return fmt.Errorf("open database %s: journal_mode is %q, want wal (is the data_dir on a network file system?)", d.Path, mode)
	}
	if !opts.SkipIntegrityCheck {
		if err := d.QuickCheck(ctx); err != nil {
			return err
		}
	}
	if err := Migrate(ctx, d.W); err != nil {
		return fmt.Errorf("migrate database %s: %w", d.Path, err)
	}
	epoch, err := ensureEpoch(ctx, d.W)
	if err != nil {
		return fmt.Errorf("database %s: %w", d.Path, err)
	}
	d.Epoch = epoch
	return nil
}

// QuickCheck runs PRAGMA quick_check and returns a clear error naming the file when it fails.
func (d *DB) QuickCheck(ctx context.Context) error {
	rows, err := d.W.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return fmt.Errorf("integrity check of %s: %w", d.Path, Explain(err))
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("integrity check of %s: %w", d.Path, err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check of %s: %w", d.Path, Explain(err))
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return fmt.Errorf("integrity check of %s failed: %v; restore a backup with 'storeagent restore'", d.Path, problems)
	}
	return nil
}

func ensureEpoch(ctx context.Context, w *sql.DB) (string, error) {
	var epoch string
	err := w.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&epoch)
	if err == nil {
		return epoch, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read epoch: %w", err)
	}
	return NewEpoch(ctx, w)
}

// NewEpoch gives the database a new random epoch (at creation and after a restore).
func NewEpoch(ctx context.Context, w *sql.DB) (string, error) {
	epoch := uuid.Must(uuid.NewV7()).String()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	_, err := w.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('epoch', ?1), ('epoch_created_at', ?2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, epoch, now)
	if err != nil {
		return "", fmt.Errorf("write epoch: %w", err)
	}
	return epoch, nil
}

// Close closes both pools; the writer last, so the WAL is checkpointed.
func (d *DB) Close() error {
	if d.Group != nil {
		d.Group.close()
		d.WStmts.Close()
	}
	var errR error
	if d.R != nil {
		errR = d.R.Close()
	}
	return errors.Join(errR, d.W.Close())
}

// ErrStorageFull is what a write returns when the disk (or the database's size limit) is full.
var ErrStorageFull = errors.New("storage full")

// Explain maps SQLite's full-disk errors to ErrStorageFull (keeping the original in the chain) and
// returns other errors unchanged. Seeing a full disk is remembered (StorageFullSeq) so cached
// health answers can be dropped.
func Explain(err error) error {
	if err == nil || errors.Is(err, ErrStorageFull) {
		return err
	}
	if isNoSpace(err) {
		storageFullSeq.Add(1)
		return fmt.Errorf("%w: %w", ErrStorageFull, err)
	}
	return err
}

func isNoSpace(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return true
		case sqlite3.SQLITE_IOERR:
			// SQLITE_IOERR_WRITE and friends on ENOSPC.
			return errors.Is(err, errNoSpace)
		}
	}
	return errors.Is(err, errNoSpace)
}

// storageFullSeq counts the full-disk errors Explain saw in this process.
var storageFullSeq atomic.Int64

// StorageFullSeq is how many full-disk errors Explain has seen in this process: a cache of "the
// disk is fine" is stale once it moved.
func StorageFullSeq() int64 { return storageFullSeq.Load() }

// IsStorageFull reports whether err means the disk is full.
func IsStorageFull(err error) bool { return errors.Is(Explain(err), ErrStorageFull) }
