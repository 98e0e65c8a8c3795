package fiscal

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Archive file names (CONTRACT.md "Fiscal law → France").
const (
	FileRecords   = "records.jsonl"
	FileClosures  = "closures.jsonl"
	FileEvents    = "events.jsonl"
	FilePublicKey = "public_key.pem"
	FileManifest  = "manifest.json"
	FileSignature = "manifest.sig"
)

// archiveFiles are the files a manifest lists, in the order they are written.
var archiveFiles = []string{FileRecords, FileClosures, FileEvents, FilePublicKey}

// Manifest describes an archive: the period, each file's SHA-256 and each chain's span.
type Manifest struct {
	StoreID   string               `json:"store_id"`
	Period    string               `json:"period"`
	From      string               `json:"from"`
	To        string               `json:"to"`
	CreatedAt string               `json:"created_at"`
	Files     map[string]string    `json:"files"`
	Chains    map[string]ChainSpan `json:"chains"`
}

// ChainSpan is the part of a chain an archive holds: the record before its first (its
// prev_hash) and its last, which is the chain's head when the archive was made.
type ChainSpan struct {
	FirstSeq int64  `json:"first_seq"`
	PrevHash string `json:"prev_hash"`
	LastSeq  int64  `json:"last_seq"`
	LastHash string `json:"last_hash"`
	Count    int64  `json:"count"`
}

// PeriodBounds returns the UTC bounds [from, to) of a period "YYYY" or "YYYY-MM" in loc.
func PeriodBounds(period string, loc *time.Location) (time.Time, time.Time, error) {
	if t, err := time.ParseInLocation("2006-01", period, loc); err == nil && len(period) == 7 {
		return t.UTC(), t.AddDate(0, 1, 0).UTC(), nil
	}
	if t, err := time.ParseInLocation("2006", period, loc); err == nil && len(period) == 4 {
		return t.UTC(), t.AddDate(1, 0, 0).UTC(), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("period %q: want YYYY or YYYY-MM", period)
}

// WriteArchive writes the zip of the period's records of every chain to w, signed with the
// journal's key. It does not record the archive event: the caller does, once the file is safe.
func (j *Journal) WriteArchive(ctx context.Context, q Querier, storeID, period string, loc *time.Location, now time.Time, w io.Writer) (Manifest, error) {
	key := j.key
	from, to, err := PeriodBounds(period, loc)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{StoreID: storeID, Period: period, From: from.Format(time.RFC3339), To: to.Format(time.RFC3339),
		CreatedAt: now.UTC().Format(time.RFC3339Nano), Files: map[string]string{}, Chains: map[string]ChainSpan{}}
	var all, closures, events bytes.Buffer
	for _, chain := range Chains {
		rows, err := q.QueryContext(ctx, `SELECT seq, recorded_at, prev_hash, hash, signature, data FROM fiscal_records
			WHERE chain = ?1 AND julianday(recorded_at) >= julianday(?2) AND julianday(recorded_at) < julianday(?3) ORDER BY seq`,
			chain, m.From, m.To)
		if err != nil {
			return Manifest{}, fmt.Errorf("archive %s: %w", chain, err)
		}
		var span ChainSpan
		for rows.Next() {
			r := Record{Chain: chain}
			var data string
			if err := rows.Scan(&r.Seq, &r.RecordedAt, &r.PrevHash, &r.Hash, &r.Signature, &data); err != nil {
				rows.Close()
				return Manifest{}, err
			}
			r.Data = json.RawMessage(data)
			line, err := json.Marshal(r)
			if err != nil {
				rows.Close()
				return Manifest{}, err
			}
			line = append(line, '\n')
			all.Write(line)
			switch chain {
			case ChainClosure:
				closures.Write(line)
			case ChainEvent:
				events.Write(line)
			}
			if span.Count == 0 {
				span.FirstSeq, span.PrevHash = r.Seq, r.PrevHash
			}
			span.LastSeq, span.LastHash = r.Seq, r.Hash
			span.Count++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Manifest{}, err
		}
		if span.Count > 0 {
			m.Chains[chain] = span
		}
	}
	contents := map[string][]byte{FileRecords: all.Bytes(), FileClosures: closures.Bytes(), FileEvents: events.Bytes(),
		FilePublicKey: PublicKeyPEM(key.Public().(ed25519.PublicKey))}
	zw := zip.NewWriter(w)
	for _, name := range archiveFiles {
		h := sha256.Sum256(contents[name])
		m.Files[name] = hex.EncodeToString(h[:])
		if err := writeZipFile(zw, name, contents[name], now); err != nil {
			return Manifest{}, err
		}
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	if err := writeZipFile(zw, FileManifest, mb, now); err != nil {
		return Manifest{}, err
	}
	sig := base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, mb))
	if err := writeZipFile(zw, FileSignature, []byte(sig+"\n"), now); err != nil {
		return Manifest{}, err
	}
	return m, zw.Close()
}

func writeZipFile(zw *zip.Writer, name string, b []byte, at time.Time) error {
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
	if err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	_, err = f.Write(b)
	return err
}
