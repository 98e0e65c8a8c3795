package fiscal_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// openJournal opens a real database in a temp dir with a journal of n ticket records and
// 2 event records.
func openJournal(t *testing.T, n int) (*db.DB, *fiscal.Journal) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	key, err := fiscal.LoadOrCreateKey(filepath.Join(t.TempDir(), fiscal.KeyFileName), true)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: "fr-test", Epoch: d.Epoch}, func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	})
	for i := 0; i < n; i++ {
		appendRec(t, d, j, fiscal.ChainTicket, map[string]any{"kind": "sale", "total_minor": 100 * (i + 1), "note": "<&>"})
	}
	appendRec(t, d, j, fiscal.ChainEvent, map[string]any{"kind": "start"})
	appendRec(t, d, j, fiscal.ChainEvent, map[string]any{"kind": "stop"})
	return d, j
}

func appendRec(t *testing.T, d *db.DB, j *fiscal.Journal, chain string, data any) fiscal.Record {
	t.Helper()
	var r fiscal.Record
	err := d.Group.Do(context.Background(), func(tx *sql.Tx) error {
		var err error
		r, err = j.Append(context.Background(), tx, chain, data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tamper runs SQL on the writer with the append-only triggers dropped, as an attacker with the file would.
func tamper(t *testing.T, d *db.DB, stmts ...string) {
	t.Helper()
	all := append([]string{`DROP TRIGGER fiscal_records_no_update`, `DROP TRIGGER fiscal_records_no_delete`,
		`DROP TRIGGER fiscal_heads_forward`, `DROP TRIGGER fiscal_heads_no_delete`}, stmts...)
	for _, s := range all {
		if _, err := d.W.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestJournal_VerifyClean(t *testing.T) {
	d, j := openJournal(t, 5)
	sum, err := fiscal.Verify(context.Background(), d.R, j.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != 7 || sum.Chains != 2 {
		t.Fatalf("got %+v, want 7 records in 2 chains", sum)
	}
	var n int
	d.R.QueryRow(`SELECT count(*) FROM outbox WHERE topic = ?1 AND type = ?2`, fiscal.Topic, fiscal.EventType).Scan(&n)
	if n != 7 {
		t.Fatalf("outbox holds %d fiscal records, want 7", n)
	}
}

func TestJournal_TriggersRefuse(t *testing.T) {
	d, _ := openJournal(t, 2)
	for _, s := range []string{`UPDATE fiscal_records SET data = '{}' WHERE seq = 1`, `DELETE FROM fiscal_records WHERE seq = 2`,
		`DELETE FROM fiscal_heads`, `UPDATE fiscal_heads SET seq = 1 WHERE chain = 'ticket'`} {
		if _, err := d.W.Exec(s); err == nil || !strings.Contains(err.Error(), "fiscal_") {
			t.Errorf("%s: got %v, want a trigger refusal", s, err)
		}
	}
}

func TestJournal_TamperDetected(t *testing.T) {
	otherPub, otherKey, _ := ed25519.GenerateKey(nil)
	_ = otherPub
	cases := []struct {
		name  string
		sql   func(t *testing.T, d *db.DB) []string
		chain string
		seq   int64
		what  string
	}{
		{"changed amount", func(*testing.T, *db.DB) []string {
			return []string{`UPDATE fiscal_records SET data = replace(data, '"total_minor":300', '"total_minor":30') WHERE chain = 'ticket' AND seq = 3`}
		}, "ticket", 3, "hash mismatch"},
		{"deleted middle record", func(*testing.T, *db.DB) []string {
			return []string{`DELETE FROM fiscal_records WHERE chain = 'ticket' AND seq = 2`}
		}, "ticket", 2, "missing"},
		{"deleted last record", func(*testing.T, *db.DB) []string {
			return []string{`DELETE FROM fiscal_records WHERE chain = 'ticket' AND seq = 5`}
		}, "ticket", 5, "missing"},
		{"deleted last record and head moved back", func(*testing.T, *db.DB) []string {
			return []string{`DELETE FROM fiscal_records WHERE chain = 'ticket' AND seq = 5`,
				`UPDATE fiscal_heads SET seq = 4, hash = (SELECT hash FROM fiscal_records WHERE chain='ticket' AND seq=4) WHERE chain = 'ticket'`}
		}, "", 0, ""}, // the head is the database's only memory: detected by central's copy, not here
		{"two swapped", func(*testing.T, *db.DB) []string {
			return []string{`UPDATE fiscal_records SET seq = 1000 WHERE chain = 'ticket' AND seq = 2`,
				`UPDATE fiscal_records SET seq = 2 WHERE chain = 'ticket' AND seq = 3`,
				`UPDATE fiscal_records SET seq = 3 WHERE chain = 'ticket' AND seq = 1000`}
		}, "ticket", 2, "prev_hash"},
		{"re-signed with another key", func(t *testing.T, d *db.DB) []string {
			var h string
			d.R.QueryRow(`SELECT hash FROM fiscal_records WHERE chain = 'event' AND seq = 1`).Scan(&h)
			return []string{`UPDATE fiscal_records SET signature = '` + fiscal.Sign(otherKey, h) + `' WHERE chain = 'event' AND seq = 1`}
		}, "event", 1, "signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, j := openJournal(t, 5)
			tamper(t, d, tc.sql(t, d)...)
			_, err := fiscal.Verify(context.Background(), d.R, j.PublicKey())
			if tc.chain == "" {
				if err != nil {
					t.Fatalf("got %v; this case documents a limit and is expected to pass", err)
				}
				return
			}
			var b *fiscal.BrokenError
			if !errors.As(err, &b) {
				t.Fatalf("got %v, want a broken record", err)
			}
			if b.Chain != tc.chain || b.Seq != tc.seq || !strings.Contains(b.What, tc.what) {
				t.Fatalf("got %q, want chain %s seq %d: %s…", b.Error(), tc.chain, tc.seq, tc.what)
			}
		})
	}
}

func TestLoadOrCreateKey_Mode0600AndStable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k.pem")
	k1, err := fiscal.LoadOrCreateKey(p, true)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := fiscal.LoadOrCreateKey(p, false)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("reloaded key differs (%v)", err)
	}
	if _, err := fiscal.LoadOrCreateKey(filepath.Join(t.TempDir(), "none.pem"), false); err == nil {
		t.Fatal("a missing key_file was accepted")
	}
	pub, err := fiscal.ParsePublicKeyPEM(fiscal.PublicKeyPEM(k1.Public().(ed25519.PublicKey)))
	if err != nil || !pub.Equal(k1.Public()) {
		t.Fatalf("public key PEM round trip: %v", err)
	}
}

func TestCanonical(t *testing.T) {
	got, err := fiscal.CanonicalBytes([]byte(` { "b" : 1, "a" : [ 2 , {"d":1e3,"c":"<&>"} ] } `))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":[2,{"c":"<&>","d":1e3}],"b":1}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if _, err := fiscal.CanonicalBytes([]byte(`{} {}`)); err == nil {
		t.Fatal("trailing document accepted")
	}
}

// TestHashOf_FastFormEqualsCanonical checks that the verifier's fast hash of canonical data is
// the contract's hash, and that data in a non-canonical but equivalent form still verifies.
func TestHashOf_FastFormEqualsCanonical(t *testing.T) {
	d, j := openJournal(t, 3)
	tamper(t, d, `UPDATE fiscal_records SET data = ' { "total_minor" : 200 , "note":"<&>", "kind":"sale" } ' WHERE chain = 'ticket' AND seq = 2`)
	if _, err := fiscal.Verify(context.Background(), d.R, j.PublicKey()); err != nil {
		t.Fatalf("equivalent re-spaced data: %v", err)
	}
}
