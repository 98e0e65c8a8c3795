package centralsim

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

const schema = `
CREATE TABLE IF NOT EXISTS received (
    event_id TEXT PRIMARY KEY, store TEXT NOT NULL, topic TEXT NOT NULL, type TEXT NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0, epoch TEXT NOT NULL DEFAULT '', payload BLOB NOT NULL,
    received_at TEXT NOT NULL, deliveries INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS received_stream ON received (store, topic, epoch, seq);
CREATE TABLE IF NOT EXISTS sent (
    event_id TEXT PRIMARY KEY, store TEXT NOT NULL, topic TEXT NOT NULL, type TEXT NOT NULL,
    seq INTEGER NOT NULL, payload BLOB NOT NULL, acked INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS sent_stream ON sent (store, topic, seq);
CREATE TABLE IF NOT EXISTS seqs (store TEXT NOT NULL, topic TEXT NOT NULL, last INTEGER NOT NULL,
    PRIMARY KEY (store, topic));`

func openDB(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	d, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("centralsim: open %s: %w", path, err)
	}
	d.SetMaxOpenConns(1)
	if _, err := d.Exec(schema); err != nil {
		d.Close()
		return nil, fmt.Errorf("centralsim: schema %s: %w", path, err)
	}
	return d, nil
}

// Received is an agent event the simulator stored.
type Received struct {
	ID         string
	Store      string
	Topic      string
	Type       string
	Seq        int64
	Epoch      string
	Payload    []byte
	Deliveries int
}

// Received returns the stored events of a store on a topic ("" for all), in (epoch, seq) order.
func (s *Sim) Received(ctx context.Context, store, topic string) ([]Received, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT event_id, store, topic, type, seq, epoch, payload, deliveries
		FROM received WHERE store = ?1 AND (?2 = '' OR topic = ?2) ORDER BY topic, epoch, seq`, store, topic)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Received
	for rows.Next() {
		var r Received
		if err := rows.Scan(&r.ID, &r.Store, &r.Topic, &r.Type, &r.Seq, &r.Epoch, &r.Payload, &r.Deliveries); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReceivedCount returns how many events of a store on a topic ("" for all) central has stored
// (cheap: it reads no payloads).
func (s *Sim) ReceivedCount(ctx context.Context, store, topic string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM received WHERE store = ?1 AND (?2 = '' OR topic = ?2)`,
		store, topic).Scan(&n)
	return n, err
}

// Unacked returns how many stock and reservation events sent to store it has not named in
// inbox/acks yet.
func (s *Sim) Unacked(ctx context.Context, store string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sent WHERE store = ?1 AND acked = 0`, store).Scan(&n)
	return n, err
}

func (s *Sim) nextSeq(ctx context.Context, tx *sql.Tx, store, topic string) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `INSERT INTO seqs (store, topic, last) VALUES (?1, ?2, 1)
		ON CONFLICT (store, topic) DO UPDATE SET last = last + 1 RETURNING last`, store, topic).Scan(&seq)
	return seq, err
}
