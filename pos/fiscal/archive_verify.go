package fiscal

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// maxArchiveFile bounds each file read from an archive (a year of a busy store fits).
const maxArchiveFile = 4 << 30

// VerifyArchive checks an archive offline: every listed file is present with its SHA-256, the
// manifest's signature verifies with the archive's public key (and with pinned, when given), and
// every chain in records.jsonl recomputes and matches the manifest's spans; closures.jsonl and
// events.jsonl are the closure and event records of records.jsonl. It returns the manifest.
func VerifyArchive(r io.ReaderAt, size int64, pinned ed25519.PublicKey) (Manifest, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Manifest{}, fmt.Errorf("not a zip archive: %w", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			return Manifest{}, fmt.Errorf("%s: twice in the archive", f.Name)
		}
		if f.UncompressedSize64 > maxArchiveFile {
			return Manifest{}, fmt.Errorf("%s: larger than %d bytes", f.Name, int64(maxArchiveFile))
		}
		rc, err := f.Open()
		if err != nil {
			return Manifest{}, fmt.Errorf("%s: %w", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxArchiveFile+1))
		rc.Close()
		if err != nil {
			return Manifest{}, fmt.Errorf("%s: %w", f.Name, err)
		}
		files[f.Name] = b
	}
	for _, name := range append([]string{FileManifest, FileSignature}, archiveFiles...) {
		if _, ok := files[name]; !ok {
			return Manifest{}, fmt.Errorf("%s: missing from the archive", name)
		}
	}
	pub, err := ParsePublicKeyPEM(files[FilePublicKey])
	if err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", FilePublicKey, err)
	}
	if pinned != nil && !pub.Equal(pinned) {
		return Manifest{}, fmt.Errorf("%s: not the store's key", FilePublicKey)
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(files[FileSignature])))
	if err != nil || !ed25519.Verify(pub, files[FileManifest], sig) {
		return Manifest{}, fmt.Errorf("%s: the signature of %s does not verify with %s", FileSignature, FileManifest, FilePublicKey)
	}
	var m Manifest
	if err := json.Unmarshal(files[FileManifest], &m); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", FileManifest, err)
	}
	for _, name := range archiveFiles {
		h := sha256.Sum256(files[name])
		if m.Files[name] != hex.EncodeToString(h[:]) {
			return m, fmt.Errorf("%s: SHA-256 differs from %s", name, FileManifest)
		}
	}
	if err := verifyRecords(files, pub, m); err != nil {
		return m, err
	}
	return m, nil
}

// verifyRecords recomputes the chains of records.jsonl against the manifest's spans.
func verifyRecords(files map[string][]byte, pub ed25519.PublicKey, m Manifest) error {
	checkers := map[string]*Checker{}
	counts := map[string]int64{}
	var closures, events bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(files[FileRecords]))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("%s line %d: %w", FileRecords, line, err)
		}
		c := checkers[r.Chain]
		if c == nil {
			span, ok := m.Chains[r.Chain]
			if !ok {
				return fmt.Errorf("%s line %d: chain %q is not in %s", FileRecords, line, r.Chain, FileManifest)
			}
			c = &Checker{Pub: pub}
			c.Reset(r.Chain, span.FirstSeq-1, span.PrevHash)
			checkers[r.Chain] = c
		}
		if err := c.Check(r); err != nil {
			return fmt.Errorf("%s line %d: %w", FileRecords, line, err)
		}
		counts[r.Chain]++
		switch r.Chain {
		case ChainClosure:
			closures.Write(sc.Bytes())
			closures.WriteByte('\n')
		case ChainEvent:
			events.Write(sc.Bytes())
			events.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", FileRecords, err)
	}
	for chain, span := range m.Chains {
		c := checkers[chain]
		if c == nil || counts[chain] != span.Count || c.seq != span.LastSeq || c.hash != span.LastHash {
			return fmt.Errorf("%s: chain %s does not end at seq %d as %s says", FileRecords, chain, span.LastSeq, FileManifest)
		}
	}
	if !bytes.Equal(closures.Bytes(), files[FileClosures]) {
		return fmt.Errorf("%s: not the closure records of %s", FileClosures, FileRecords)
	}
	if !bytes.Equal(events.Bytes(), files[FileEvents]) {
		return fmt.Errorf("%s: not the event records of %s", FileEvents, FileRecords)
	}
	return nil
}
