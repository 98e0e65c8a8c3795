package fiscal

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/storeagent/storeagent/pos"
)

// Reader serves the journal to pos's HTTP API (pos.FiscalReader) from a read pool.
type Reader struct {
	J *Journal
	Q Querier
}

var _ pos.FiscalReader = Reader{}

// PublicKeyPEM implements pos.FiscalReader.
func (r Reader) PublicKeyPEM() []byte { return PublicKeyPEM(r.J.PublicKey()) }

// Closures implements pos.FiscalReader.
func (r Reader) Closures(ctx context.Context, period string) ([]byte, error) {
	return r.query(ctx, `SELECT chain, seq, recorded_at, prev_hash, hash, signature, data FROM fiscal_records
		WHERE chain = 'closure' AND json_extract(data, '$.kind') = ?1 ORDER BY seq`, period)
}

// Records implements pos.FiscalReader.
func (r Reader) Records(ctx context.Context, chain string, fromSeq int64, limit int) ([]byte, error) {
	return r.query(ctx, `SELECT chain, seq, recorded_at, prev_hash, hash, signature, data FROM fiscal_records
		WHERE chain = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3`, chain, fromSeq, limit)
}

func (r Reader) query(ctx context.Context, query string, args ...any) ([]byte, error) {
	rows, err := r.Q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("fiscal journal: %w", err)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var rec Record
		var data string
		if err := rows.Scan(&rec.Chain, &rec.Seq, &rec.RecordedAt, &rec.PrevHash, &rec.Hash, &rec.Signature, &data); err != nil {
			return nil, err
		}
		rec.Data = json.RawMessage(data)
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return json.Marshal(out)
}
