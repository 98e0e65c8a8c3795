package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	stdsync "sync"
)

// Group commits write transactions in groups: while one group's commit waits for its fsync, the
// next requests queue up and then share one transaction and one fsync. Each request runs inside its
// own SAVEPOINT, so one that fails is rolled back alone; every caller learns its outcome only after
// the group's commit is durable (or failed). Requests run one at a time, in arrival order, so a
// read-check-write inside one is atomic exactly as in a transaction of its own.
type Group struct {
	w        *sql.DB
	stmts    *Stmts
	max      int
	queue    chan *groupJob
	stopOnce stdsync.Once
	stop     chan struct{}
	done     chan struct{}
}

type groupJob struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	err  error
	done chan struct{}
}

// ErrClosed is returned by Group.Do after the database is closed.
var ErrClosed = errors.New("database is closed")

func newGroup(w *sql.DB, stmts *Stmts, max int) *Group {
	g := &Group{w: w, stmts: stmts, max: max, queue: make(chan *groupJob, 4*max), stop: make(chan struct{}), done: make(chan struct{})}
	go g.loop()
	return g
}

// Do runs fn in the next group transaction and returns fn's error, or the commit's. fn must not
// commit or roll back tx. A request whose ctx ends before it starts is skipped with ctx's error.
func (g *Group) Do(ctx context.Context, fn func(*sql.Tx) error) error {
	j := &groupJob{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case g.queue <- j:
	case <-g.stop:
		return ErrClosed
	}
	<-j.done // always answered: a sale's outcome is decided by the commit, never abandoned
	return j.err
}

func (g *Group) close() {
	g.stopOnce.Do(func() { close(g.stop) })
	<-g.done
}

func (g *Group) loop() {
	defer close(g.done)
	for {
		var batch []*groupJob
		select {
		case j := <-g.queue:
			batch = append(batch, j)
		case <-g.stop:
			// Answer what is still queued, then stop.
			for {
				select {
				case j := <-g.queue:
					g.run([]*groupJob{j})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < g.max {
			select {
			case j := <-g.queue:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		g.run(batch)
	}
}

// run executes one group and answers every job in it.
func (g *Group) run(batch []*groupJob) {
	defer func() {
		for _, j := range batch {
			close(j.done)
		}
	}()
	fail := func(err error) {
		for _, j := range batch {
			if j.err == nil {
				j.err = err
			}
		}
	}
	g.stmts.Warm(context.Background())
	tx, err := g.w.BeginTx(context.Background(), nil)
	if err != nil {
		fail(Explain(err))
		return
	}
	ok := 0
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			continue
		}
		if _, err := tx.Exec("SAVEPOINT job"); err != nil {
			tx.Rollback()
			fail(Explain(err))
			return
		}
		j.err = runJob(j.fn, tx)
		if j.err != nil {
			// Undo this job alone. If SQLite already rolled the whole transaction back (a full
			// disk, an I/O error), the savepoint is gone: fail the group, nothing of it was kept.
			if _, err := tx.Exec("ROLLBACK TO job"); err != nil {
				tx.Rollback()
				cause := Explain(j.err)
				for _, k := range batch {
					if k != j {
						k.err = fmt.Errorf("rolled back with its group: %w", cause)
					}
				}
				return
			}
		}
		if _, err := tx.Exec("RELEASE job"); err != nil {
			tx.Rollback()
			fail(Explain(err))
			return
		}
		if j.err == nil {
			ok++
		}
	}
	if ok == 0 {
		tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		for _, j := range batch {
			if j.err == nil {
				j.err = fmt.Errorf("commit: %w", Explain(err))
			}
		}
	}
}

func runJob(fn func(*sql.Tx) error, tx *sql.Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic in write transaction: %v", v)
		}
	}()
	return fn(tx)
}
