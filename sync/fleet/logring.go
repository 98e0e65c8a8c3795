package fleet

import (
	"bytes"
	gosync "sync"
)

// LogRing is an io.Writer that keeps the last lines written to it, at most MaxLines lines and
// MaxBytes bytes in all, for diagnostics bundles. A line longer than 4 KiB is cut.
type LogRing struct {
	MaxLines, MaxBytes int

	mu      gosync.Mutex
	lines   []string
	bytes   int
	partial []byte
}

// NewLogRing keeps the last 1,000 lines, at most 256 KiB.
func NewLogRing() *LogRing { return &LogRing{MaxLines: 1000, MaxBytes: 256 << 10} }

// Write implements io.Writer; it never fails.
func (r *LogRing) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			r.partial = append(r.partial, p[:min(len(p), max(0, 4096-len(r.partial)))]...)
			break
		}
		line := append(r.partial, p[:min(i, max(0, 4096-len(r.partial)))]...)
		r.partial = nil
		r.add(string(line))
		p = p[i+1:]
	}
	return n, nil
}

func (r *LogRing) add(line string) {
	r.lines = append(r.lines, line)
	r.bytes += len(line)
	for len(r.lines) > 1 && (len(r.lines) > r.MaxLines || r.bytes > r.MaxBytes) {
		r.bytes -= len(r.lines[0])
		r.lines = r.lines[1:]
	}
}

// Lines returns a copy of the kept lines, oldest first.
func (r *LogRing) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}
