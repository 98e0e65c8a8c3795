package fleet

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Bounds of a diagnostics bundle sent over MQTT: chunks of DiagnosticsChunk bytes (before base64),
// at most DiagnosticsMaxChunks of them; a bigger bundle is refused rather than flooding the broker.
const (
	DiagnosticsChunk     = 64 << 10
	DiagnosticsMaxChunks = 64
)

// diagnostics builds the bundle (gzip'd JSON) and sends it: POSTed to DiagnosticsURL when set,
// else in chunks on the diagnostics topic. The result says how big it was and where it went.
func (f *Fleet) diagnostics(ctx context.Context, commandID string) (json.RawMessage, error) {
	parts := map[string]any{}
	if f.opts.Env.Diagnostics != nil {
		p, err := f.opts.Env.Diagnostics(ctx)
		if err != nil {
			return nil, err
		}
		parts = p
	}
	parts["store_id"] = f.opts.StoreID
	parts["agent_version"] = f.opts.Version
	parts["generated_at"] = f.opts.Now().UTC().Format(time.RFC3339)
	parts["fleet_state"] = f.state
	raw, err := json.Marshal(parts)
	if err != nil {
		return nil, fmt.Errorf("diagnostics: %w", err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(raw)
	if err := w.Close(); err != nil {
		return nil, err
	}
	bundle := gz.Bytes()
	sum := sha256.Sum256(bundle)
	hexSum := hex.EncodeToString(sum[:])
	if f.opts.DiagnosticsURL != "" {
		if err := f.postBundle(ctx, commandID, hexSum, bundle); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"bytes": len(bundle), "sha256": hexSum, "url": f.opts.DiagnosticsURL})
	}
	n := (len(bundle) + DiagnosticsChunk - 1) / DiagnosticsChunk
	if n > DiagnosticsMaxChunks {
		return nil, fmt.Errorf("diagnostics: the bundle is %d bytes, over %d chunks of %d; set fleet.diagnostics_url",
			len(bundle), DiagnosticsMaxChunks, DiagnosticsChunk)
	}
	for i := range n {
		part := bundle[i*DiagnosticsChunk : min(len(bundle), (i+1)*DiagnosticsChunk)]
		c := DiagnosticsChunkData{CommandID: commandID, Index: i, Count: n, SHA256: hexSum, Data: part}
		if err := f.opts.Link.PublishEvent(ctx, TopicDiagnostics, TypeDiagnostics, c, false); err != nil {
			return nil, fmt.Errorf("diagnostics: chunk %d of %d: %w", i+1, n, err)
		}
	}
	return json.Marshal(map[string]any{"bytes": len(bundle), "sha256": hexSum, "chunks": n})
}

func (f *Fleet) postBundle(ctx context.Context, commandID, sum string, bundle []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.opts.DiagnosticsURL, bytes.NewReader(bundle))
	if err != nil {
		return fmt.Errorf("diagnostics: %w", err)
	}
	req.Header.Set("Content-Type", "application/gzip")
	req.Header.Set("X-Storeagent-Store", f.opts.StoreID)
	req.Header.Set("X-Storeagent-Command", commandID)
	req.Header.Set("X-Storeagent-Sha256", sum)
	resp, err := f.opts.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("diagnostics: upload: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("diagnostics: upload: %s answered %s", f.opts.DiagnosticsURL, resp.Status)
	}
	return nil
}

// AssembleDiagnostics joins the chunks of one bundle (any order), checks the count and the
// SHA-256 and returns the bundle's JSON, un-gzipped (at most 64 MiB). Central (and centralsim) use it.
func AssembleDiagnostics(chunks []DiagnosticsChunkData) ([]byte, error) {
	if len(chunks) == 0 {
		return nil, fmt.Errorf("no chunks")
	}
	n := chunks[0].Count
	if n < 1 || n > DiagnosticsMaxChunks || len(chunks) != n {
		return nil, fmt.Errorf("have %d chunks of %d", len(chunks), n)
	}
	parts := make([][]byte, n)
	for _, c := range chunks {
		if c.Count != n || c.Index < 0 || c.Index >= n || parts[c.Index] != nil || c.SHA256 != chunks[0].SHA256 {
			return nil, fmt.Errorf("chunk %d of %d does not belong", c.Index, c.Count)
		}
		parts[c.Index] = c.Data
	}
	bundle := bytes.Join(parts, nil)
	sum := sha256.Sum256(bundle)
	if hex.EncodeToString(sum[:]) != chunks[0].SHA256 {
		return nil, fmt.Errorf("sha256 mismatch")
	}
	r, err := gzip.NewReader(bytes.NewReader(bundle))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(r, 64<<20))
}
