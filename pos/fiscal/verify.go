package fiscal

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	gosync "sync"
	"sync/atomic"
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
	if err := c.checkLinks(r); err != nil {
		return err
	}
	if !sigOK(c.Pub, r.Hash, r.Signature) {
		return sigBroken(r.Chain, r.Seq)
	}
	c.seq, c.hash = r.Seq, r.Hash
	return nil
}

// sigOK reports whether sig (base64url) is pub's signature of hash.
func sigOK(pub ed25519.PublicKey, hash, sig string) bool {
	var buf [ed25519.SignatureSize + 2]byte
	if base64.RawURLEncoding.DecodedLen(len(sig)) != ed25519.SignatureSize {
		return false
	}
	n, err := base64.RawURLEncoding.Decode(buf[:], []byte(sig))
	return err == nil && n == ed25519.SignatureSize && ed25519.Verify(pub, []byte(hash), buf[:n])
}

func sigBroken(chain string, seq int64) error {
	return &BrokenError{Chain: chain, Seq: seq, What: "signature does not verify with the store's public key"}
}

// checkLinks verifies everything of r but its signature: chain, seq, prev_hash and hash. It does
// not move the checker on; advance does.
func (c *Checker) checkLinks(r Record) error {
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
	return nil
}

// Verify recomputes every chain from genesis, checks each signature with pub, and checks that
// each chain ends at its stored head (a deleted last record is found there). The chains are
// walked in order and their links (seq, prev_hash, hash) checked one record after another,
// while the signatures, which cost most, are checked by GOMAXPROCS workers in batches (one
// batch equation each, and record by record with crypto/ed25519 when it fails); the answer is
// the same as checking record by record: the first record, in walking order, that fails any
// check.
func Verify(ctx context.Context, q Querier, pub ed25519.PublicKey) (Summary, error) {
	heads, err := Heads(ctx, q)
	if err != nil {
		return Summary{}, err
	}
	sv := newSigVerifier(pub)
	var sum Summary
	var linkErr error // the first broken link, found at record index linkAt
	linkAt := int64(math.MaxInt64)
	var idx int64 // the walking-order index of the next record
	c := Checker{Pub: pub}
	for _, chain := range Chains {
		c.Reset(chain, 0, "")
		n, err := verifyChain(ctx, q, &c, chain, &idx, sv)
		if err == nil {
			if h := heads[chain]; h.Seq != c.seq || h.Hash != c.hash {
				err = &BrokenError{Chain: chain, Seq: c.seq + 1,
					What: fmt.Sprintf("missing: the chain ends at seq %d but its head is seq %d", c.seq, h.Seq)}
			}
		}
		if err != nil {
			if !IsBroken(err) {
				sv.wait()
				return sum, err
			}
			linkErr, linkAt = err, idx
			break
		}
		sum.Records += n
		if n > 0 {
			sum.Chains++
		}
	}
	if at, err := sv.wait(); at < linkAt {
		return sum, err
	}
	if linkErr != nil {
		return sum, linkErr
	}
	return sum, nil
}

// sigBatch is how many signatures a worker checks at a time, by the batch equation (batch.go).
const sigBatch = 256

type sigItem struct {
	idx       int64
	chain     string
	seq       int64
	hash, sig string
}

// sigVerifier checks signatures on GOMAXPROCS goroutines and keeps the failure with the lowest
// walking-order index.
type sigVerifier struct {
	pub  ed25519.PublicKey
	key  batchKey
	jobs chan []sigItem
	wg   gosync.WaitGroup
	cur  []sigItem

	bad   atomic.Int64 // lowest failing index, MaxInt64 when none
	mu    gosync.Mutex
	badEr error
}

func newSigVerifier(pub ed25519.PublicKey) *sigVerifier {
	w := runtime.GOMAXPROCS(0)
	sv := &sigVerifier{pub: pub, key: newBatchKey(pub), jobs: make(chan []sigItem, 2*w)}
	sv.bad.Store(math.MaxInt64)
	jobs := sv.jobs
	for range w {
		sv.wg.Go(func() {
			for batch := range jobs {
				if batch[0].idx > sv.bad.Load() || sv.key.batchOK(batch) {
					continue
				}
				// Some signature of the batch may be bad: the strict check names it.
				for _, it := range batch {
					if it.idx > sv.bad.Load() {
						break // a failure before this one decides the answer already
					}
					if !sigOK(sv.pub, it.hash, it.sig) {
						sv.fail(it)
						break
					}
				}
			}
		})
	}
	return sv
}

func (sv *sigVerifier) fail(it sigItem) {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if it.idx < sv.bad.Load() {
		sv.bad.Store(it.idx)
		sv.badEr = sigBroken(it.chain, it.seq)
	}
}

// add queues one signature; it returns false once a failure at a lower index is known (no later
// record can change the answer).
func (sv *sigVerifier) add(it sigItem) bool {
	if sv.cur == nil {
		sv.cur = make([]sigItem, 0, sigBatch)
	}
	sv.cur = append(sv.cur, it)
	if len(sv.cur) == sigBatch {
		sv.jobs <- sv.cur
		sv.cur = nil
	}
	return sv.bad.Load() == math.MaxInt64
}

// wait checks what is queued, stops the workers and returns the first failure and its index.
func (sv *sigVerifier) wait() (int64, error) {
	if sv.jobs == nil {
		return sv.bad.Load(), sv.badEr
	}
	if len(sv.cur) > 0 {
		sv.jobs <- sv.cur
		sv.cur = nil
	}
	close(sv.jobs)
	sv.jobs = nil
	sv.wg.Wait()
	return sv.bad.Load(), sv.badEr
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

// verifyChain walks one chain in seq order, checking its links; its signatures go to sv. idx
// counts records in walking order across chains. It stops early once sv has found a failure.
func verifyChain(ctx context.Context, q Querier, c *Checker, chain string, idx *int64, sv *sigVerifier) (int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, recorded_at, prev_hash, hash, signature, data
		FROM fiscal_records WHERE chain = ?1 ORDER BY seq`, chain)
	if err != nil {
		return 0, fmt.Errorf("fiscal %s: %w", chain, err)
	}
	defer rows.Close()
	var n int64
	var data sql.RawBytes
	for rows.Next() {
		r := Record{Chain: chain}
		if err := rows.Scan(&r.Seq, &r.RecordedAt, &r.PrevHash, &r.Hash, &r.Signature, &data); err != nil {
			return n, err
		}
		r.Data = json.RawMessage(data)
		if err := c.checkLinks(r); err != nil {
			return n, err
		}
		c.seq, c.hash = r.Seq, r.Hash
		more := sv.add(sigItem{idx: *idx, chain: chain, seq: r.Seq, hash: r.Hash, sig: r.Signature})
		*idx++
		n++
		if !more {
			return n, nil
		}
	}
	return n, rows.Err()
}

// IsBroken reports whether err names a broken record (as opposed to a failure to read).
func IsBroken(err error) bool {
	var b *BrokenError
	return errors.As(err, &b)
}
