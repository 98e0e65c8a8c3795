package fiscal

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// BrokenError names the first record that does not verify.
type BrokenError struct {
	Chain string
	Seq   int64
	What  string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("broken: chain %s seq %d: %s", e.Chain, e.Seq, e.What)
}

// Summary is what a successful verification counted.
type Summary struct {
	Records int64
	Chains  int
}

// Querier reads the database (a *sql.DB, *sql.Tx or pos's wrappers).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Checker verifies records one after another within a chain; it is shared by the database
// verifier and the archive reader.
type Checker struct {
	Pub   ed25519.PublicKey
	chain string
	seq   int64
	hash  string
}

// Reset starts a chain whose record before the next one has seq and hash (0 and "" from genesis).
func (c *Checker) Reset(chain string, seq int64, hash string) {
	c.chain, c.seq, c.hash = chain, seq, hash
}

// Check verifies r as the record that follows the previous one of its chain.
func (c *Checker) Check(r Record) error {
	bad := func(format string, args ...any) error {
		return &BrokenError{Chain: r.Chain, Seq: r.Seq, What: fmt.Sprintf(format, args...)}
	}
	if r.Chain != c.chain {
		return bad("record is in chain %s, want %s", r.Chain, c.chain)
	}
	if r.Seq != c.seq+1 {
		return &BrokenError{Chain: r.Chain, Seq: c.seq + 1, What: fmt.Sprintf("missing: the next record found is seq %d", r.Seq)}
	}
	if r.PrevHash != c.hash {
		return bad("prev_hash does not match the hash of seq %d", c.seq)
	}
	// The journal stores data canonically, so the fast form normally matches; only on a
	// mismatch is the record decoded and re-encoded (data stored in another equivalent form).
	if hashCanonicalData(r.PrevHash, r.Chain, r.Seq, r.RecordedAt, r.Data) != r.Hash {
		h, err := HashOf(r.PrevHash, r.Chain, r.Seq, r.RecordedAt, r.Data)
		if err != nil {
			return bad("data is not JSON: %v", err)
		}
		if h != r.Hash {
			return bad("hash mismatch: the record's content was changed")
		}
	}
	sig, err := base64.RawURLEncoding.DecodeString(r.Signature)
	if err != nil || !ed25519.Verify(c.Pub, []byte(r.Hash), sig) {
		return bad("signature does not verify with the store's public key")
	}
	c.seq, c.hash = r.Seq, r.Hash
	return nil
}

// Verify recomputes every chain from genesis, checks each signature with pub, and checks that
// each chain ends at its stored head (a deleted last record is found there).
func Verify(ctx context.Context, q Querier, pub ed25519.PublicKey) (Summary, error) {
	heads, err := Heads(ctx, q)
	if err != nil {
		return Summary{}, err
	}
	var sum Summary
	c := Checker{Pub: pub}
	for _, chain := range Chains {
		c.Reset(chain, 0, "")
		n, err := verifyChain(ctx, q, &c, chain)
		if err != nil {
			return sum, err
		}
		h := heads[chain]
		if h.Seq != c.seq || h.Hash != c.hash {
			return sum, &BrokenError{Chain: chain, Seq: c.seq + 1,
				What: fmt.Sprintf("missing: the chain ends at seq %d but its head is seq %d", c.seq, h.Seq)}
		}
		sum.Records += n
		if n > 0 {
			sum.Chains++
		}
	}
	return sum, nil
}

// Head is a chain's last record as fiscal_heads holds it.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Heads returns each chain's head.
func Heads(ctx context.Context, q Querier) (map[string]Head, error) {
	rows, err := q.QueryContext(ctx, `SELECT chain, seq, hash FROM fiscal_heads`)
	if err != nil {
		return nil, fmt.Errorf("fiscal heads: %w", err)
	}
	defer rows.Close()
	out := map[string]Head{}
	for rows.Next() {
		var c string
		var h Head
		if err := rows.Scan(&c, &h.Seq, &h.Hash); err != nil {
			return nil, err
		}
		out[c] = h
	}
	return out, rows.Err()
}

func verifyChain(ctx context.Context, q Querier, c *Checker, chain string) (int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, recorded_at, prev_hash, hash, signature, data
		FROM fiscal_records WHERE chain = ?1 ORDER BY seq`, chain)
	if err != nil {
		return 0, fmt.Errorf("fiscal %s: %w", chain, err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		r := Record{Chain: chain}
		var data string
		if err := rows.Scan(&r.Seq, &r.RecordedAt, &r.PrevHash, &r.Hash, &r.Signature, &data); err != nil {
			return n, err
		}
		r.Data = json.RawMessage(data)
		if err := c.Check(r); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// IsBroken reports whether err names a broken record (as opposed to a failure to read).
func IsBroken(err error) bool {
	var b *BrokenError
	return errors.As(err, &b)
}
