package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/scanner"
	"github.com/storeagent/storeagent/scanner/scantest"
)

// errNoZbarimg is the decode baseline's error when zbarimg cannot be run.
const errNoZbarimg = "zbarimg not installed (apt-get install zbar-tools)"

// decode measures the agent's image decoding (scanner.DecodeImageBytes, as POST /api/v1/scan
// runs it: PNG bytes in, PNG decoding included) per 1280×720 frame against zbarimg on the same
// frame files, all of them in one zbarimg run so its process start is shared. -frames frames, each
// with its own noise (scantest.Frame1280x720, seeds 1…n).
func (b *bench) decode(ctx context.Context) []Row {
	row := Row{Measure: "image decode per 1280×720 frame", Unit: "ms", BaselineName: "zbarimg on the same frames",
		Goal: AtMostRatio(1)}
	files, pngs, err := b.frames()
	if err != nil {
		row.Err = err.Error()
		return []Row{row}
	}
	if ms, found, err := zbarimg(ctx, b.o.zbarimg, files); err != nil {
		row.BaselineErr = err.Error()
	} else {
		row.Baseline = ms
		row.Notes = fmt.Sprintf("zbarimg found %d of %d codes", found, 2*len(files))
	}
	r := benchkit.Closed(ctx, 1, len(pngs), 0, func(i int) error {
		codes, err := scanner.DecodeImageBytes(pngs[i])
		if err == nil && len(codes) != len(scantest.FrameCodes) {
			err = fmt.Errorf("frame %d: decoded %d codes, want %d", i+1, len(codes), len(scantest.FrameCodes))
		}
		return err
	})
	if r.Err != nil {
		row.Err = r.Err.Error()
		return []Row{row}
	}
	row.Value = benchkit.Millis(r.Elapsed) / float64(r.N)
	row.Notes = strings.TrimSuffix(fmt.Sprintf("agent p99 %.1f ms, all %d codes found; %s", r.P(0.99), 2*r.N, row.Notes), "; ")
	return []Row{row}
}

// frames writes the frames as PNG files and returns their paths and bytes.
func (b *bench) frames() ([]string, [][]byte, error) {
	dir, err := b.tempDir("frames")
	if err != nil {
		return nil, nil, err
	}
	var files []string
	var pngs [][]byte
	for i := range b.o.frames {
		f, err := scantest.Frame1280x720(uint64(i + 1))
		if err != nil {
			return nil, nil, err
		}
		p, err := scantest.EncodePNG(f)
		if err != nil {
			return nil, nil, err
		}
		path := filepath.Join(dir, fmt.Sprintf("frame%03d.png", i+1))
		if err := os.WriteFile(path, p, 0o600); err != nil {
			return nil, nil, err
		}
		files, pngs = append(files, path), append(pngs, p)
	}
	return files, pngs, nil
}

// zbarimg runs bin on the files once and returns the milliseconds per file and the codes found.
func zbarimg(ctx context.Context, bin string, files []string) (float64, int, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return 0, 0, errors.New(errNoZbarimg)
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, append([]string{"-q", "--nodbus"}, files...)...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	start := time.Now()
	err = cmd.Run()
	el := time.Since(start)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 4 {
		err = nil // 4: some image had no code, which the count shows
	}
	if err != nil {
		return 0, 0, fmt.Errorf("zbarimg: %v: %s", err, lastLine(stderr.String()))
	}
	found := strings.Count(out.String(), "\n")
	return benchkit.Millis(el) / float64(len(files)), found, nil
}
