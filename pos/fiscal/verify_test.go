package fiscal_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// TestVerify_FirstBrokenAcrossBatches checks that the parallel signature check gives the same
// answer as checking record by record: the first broken record in walking order (ticket chain
// before event chain, seq order within), whichever check it fails and whichever batch of
// signatures a worker finishes first.
func TestVerify_FirstBrokenAcrossBatches(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	key, _ := fiscal.LoadOrCreateKey(filepath.Join(t.TempDir(), "k.pem"), true)
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: "fr", Epoch: d.Epoch}, nil)
	const n = 2000 // several batches of signatures
	err = d.Group.Do(ctx, func(tx *sql.Tx) error {
		for i := range n {
			if _, err := j.Append(ctx, tx, fiscal.ChainTicket, map[string]any{"kind": "sale", "total_minor": 1000 + i}); err != nil {
				return err
			}
		}
		for _, k := range []string{"start", "stop"} {
			if _, err := j.Append(ctx, tx, fiscal.ChainEvent, map[string]any{"kind": k}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := fiscal.Verify(ctx, d.R, j.PublicKey()); err != nil || sum.Records != n+2 {
		t.Fatalf("clean journal: %+v %v", sum, err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	resign := func(chain string, seq int) func(*sql.Tx) error {
		return func(tx *sql.Tx) error {
			var h string
			if err := tx.QueryRow(`SELECT hash FROM fiscal_records WHERE chain = ?1 AND seq = ?2`, chain, seq).Scan(&h); err != nil {
				return err
			}
			_, err := tx.Exec(`UPDATE fiscal_records SET signature = ?1 WHERE chain = ?2 AND seq = ?3`, fiscal.Sign(other, h), chain, seq)
			return err
		}
	}
	change := func(seq int) func(*sql.Tx) error {
		return func(tx *sql.Tx) error {
			_, err := tx.Exec(`UPDATE fiscal_records SET data = replace(data, '"total_minor":', '"total_minor":9') WHERE chain = 'ticket' AND seq = ?1`, seq)
			return err
		}
	}
	cases := []struct {
		name  string
		edits []func(*sql.Tx) error
		chain string
		seq   int64
		what  string
	}{
		{"signature before a changed amount", []func(*sql.Tx) error{resign("ticket", 1800), change(1900)}, "ticket", 1800, "signature"},
		{"changed amount before a signature", []func(*sql.Tx) error{change(700), resign("ticket", 1800)}, "ticket", 700, "hash mismatch"},
		{"two signatures in different batches", []func(*sql.Tx) error{resign("ticket", 1999), resign("ticket", 1300)}, "ticket", 1300, "signature"},
		{"first batch and last record", []func(*sql.Tx) error{resign("ticket", 2000), resign("ticket", 1)}, "ticket", 1, "signature"},
		{"walking order across chains", []func(*sql.Tx) error{resign("event", 1), resign("ticket", 1950)}, "ticket", 1950, "signature"},
		{"signature before a deleted record", []func(*sql.Tx) error{resign("ticket", 600), func(tx *sql.Tx) error {
			_, err := tx.Exec(`DELETE FROM fiscal_records WHERE chain = 'ticket' AND seq = 601`)
			return err
		}}, "ticket", 600, "signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Each case edits inside a transaction that is rolled back, so they share one journal.
			tx, err := d.W.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			for _, s := range []string{`DROP TRIGGER fiscal_records_no_update`, `DROP TRIGGER fiscal_records_no_delete`} {
				if _, err := tx.Exec(s); err != nil {
					t.Fatal(err)
				}
			}
			for _, e := range tc.edits {
				if err := e(tx); err != nil {
					t.Fatal(err)
				}
			}
			for range 3 { // the answer must not depend on which worker finishes first
				_, err = fiscal.Verify(ctx, tx, j.PublicKey())
				var b *fiscal.BrokenError
				if !errors.As(err, &b) || b.Chain != tc.chain || b.Seq != tc.seq || !strings.Contains(b.What, tc.what) {
					t.Fatalf("got %v, want chain %s seq %d: %s…", err, tc.chain, tc.seq, tc.what)
				}
			}
		})
	}
}

// TestVerify_OneBadSignatureInBatch checks that a signature batch holding one bad signature among
// good ones (the batch equation fails as a whole) still names exactly that record, wherever it
// sits in its batch and whatever is wrong with it.
func TestVerify_OneBadSignatureInBatch(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	key, _ := fiscal.LoadOrCreateKey(filepath.Join(t.TempDir(), "k.pem"), true)
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: "fr", Epoch: d.Epoch}, nil)
	const n = 1100 // more than four batches of 256
	err = d.Group.Do(ctx, func(tx *sql.Tx) error {
		for i := range n {
			if _, err := j.Append(ctx, tx, fiscal.ChainTicket, map[string]any{"kind": "sale", "total_minor": 500 + i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	edits := map[string]string{
		// One bit of s flipped (the base64url text's last-but-one character changed).
		"flipped bit": `UPDATE fiscal_records SET signature = substr(signature, 1, 80) ||
			CASE substr(signature, 81, 1) WHEN 'A' THEN 'B' ELSE 'A' END || substr(signature, 82) WHERE chain = 'ticket' AND seq = ?1`,
		// A genuine signature, of the record before.
		"another record's signature": `UPDATE fiscal_records SET signature = (SELECT signature FROM fiscal_records
			WHERE chain = 'ticket' AND seq = ?1 - 1) WHERE chain = 'ticket' AND seq = ?1`,
		"not base64": `UPDATE fiscal_records SET signature = '!' || substr(signature, 2) WHERE chain = 'ticket' AND seq = ?1`,
	}
	for name, edit := range edits {
		for _, seq := range []int64{2, 256, 257, 700, n} {
			t.Run(fmt.Sprintf("%s at %d", name, seq), func(t *testing.T) {
				tx, err := d.W.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if _, err := tx.Exec(`DROP TRIGGER fiscal_records_no_update`); err != nil {
					t.Fatal(err)
				}
				if res, err := tx.Exec(edit, seq); err != nil {
					t.Fatal(err)
				} else if k, _ := res.RowsAffected(); k != 1 {
					t.Fatalf("edited %d rows", k)
				}
				_, err = fiscal.Verify(ctx, tx, j.PublicKey())
				var b *fiscal.BrokenError
				if !errors.As(err, &b) || b.Chain != "ticket" || b.Seq != seq || !strings.Contains(b.What, "signature") {
					t.Fatalf("got %v, want ticket seq %d: signature…", err, seq)
				}
			})
		}
	}
}
