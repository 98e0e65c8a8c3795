package db

import (
	"context"
	"database/sql"
	stdsync "sync"
)

// Stmts prepares each distinct query once per pool: SQLite's parser otherwise runs on every
// statement of every sale, which is most of a sale's CPU time.
//
// On the single-connection writer a statement cannot be prepared while a transaction holds the
// connection: a miss inside a transaction runs unprepared and is queued, and the group loop prepares
// the queue between transactions (Warm).
type Stmts struct {
	db      *sql.DB
	mu      stdsync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

// NewStmts returns a statement cache over a pool.
func NewStmts(db *sql.DB) *Stmts {
	return &Stmts{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the cached statement; inTx misses return nil and are queued for Warm.
func (s *Stmts) get(ctx context.Context, query string, inTx bool) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[query]; ok {
		return st, nil
	}
	if inTx {
		s.pending[query] = true
		return nil, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.m[query] = st
	return st, nil
}

// Warm prepares the queries that missed inside transactions. Call it only while no transaction
// holds the pool's connection.
func (s *Stmts) Warm(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for q := range s.pending {
		if st, err := s.db.PrepareContext(ctx, q); err == nil {
			s.m[q] = st
		}
		delete(s.pending, q)
	}
}

// Close closes every cached statement.
func (s *Stmts) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.m {
		st.Close()
	}
	s.m = map[string]*sql.Stmt{}
}

// Conn runs queries through the cache, inside tx when it is set, else on the pool.
type Conn struct {
	Tx    *sql.Tx
	Stmts *Stmts
}

// stmt returns the prepared statement for query, or nil to run it unprepared (a miss inside a
// transaction, or a statement that does not prepare: its error then surfaces as usual).
func (c Conn) stmt(ctx context.Context, query string) *sql.Stmt {
	st, err := c.Stmts.get(ctx, query, c.Tx != nil)
	if err != nil || st == nil {
		return nil
	}
	if c.Tx != nil {
		return c.Tx.StmtContext(ctx, st)
	}
	return st
}

// ExecContext runs a statement.
func (c Conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if c.Tx != nil {
		return c.Tx.ExecContext(ctx, query, args...)
	}
	return c.Stmts.db.ExecContext(ctx, query, args...)
}

// QueryContext runs a query.
func (c Conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if c.Tx != nil {
		return c.Tx.QueryContext(ctx, query, args...)
	}
	return c.Stmts.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query for one row.
func (c Conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if c.Tx != nil {
		return c.Tx.QueryRowContext(ctx, query, args...)
	}
	return c.Stmts.db.QueryRowContext(ctx, query, args...)
}
