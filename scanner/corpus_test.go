//go:build corpus

package scanner

// go test -tags corpus -run TestCorpusTable -v ./scanner/ prints the README's table: the
// generated photo corpus (corpus_gen_test.go) decoded by DecodeImage and by zbarimg, and both
// timed as a process per image (storeagent decode FILE, zbarimg -q FILE), one after another.
// CORPUS_N sets the number of images (default 120); CORPUS_DIR keeps the files.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestCorpusTable(t *testing.T) {
	t.Run("real", testCorpusReal)
	t.Run("generated", testCorpusGenerated)
}

func testCorpusGenerated(t *testing.T) {
	if os.Getenv("CORPUS_N") == "0" {
		t.Skip("CORPUS_N=0")
	}
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not on PATH (Debian package zbar-tools)")
	}
	n := 120
	if v, err := strconv.Atoi(os.Getenv("CORPUS_N")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("CORPUS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	bin := filepath.Join(t.TempDir(), "storeagent")
	if err := buildShipped(bin); err != nil {
		t.Fatal(err)
	}
	imgs := genCorpus(t, n, 2026)
	var files []string
	total, dmCodes := 0, 0
	for _, im := range imgs {
		p := filepath.Join(dir, im.name)
		if err := os.WriteFile(p, im.file, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
		total += len(im.want)
		for _, w := range im.want {
			if w.Symbology == DataMatrix {
				dmCodes++
			}
		}
	}
	type score struct{ found, missed, wrong, spurious int }
	var ours, theirs, theirsNoDM score
	for _, im := range imgs {
		var want, wantNoDM []string
		for _, w := range im.want {
			want = append(want, comparable(w))
			if w.Symbology != DataMatrix {
				wantNoDM = append(wantNoDM, comparable(w))
			}
		}
		codes, err := DecodeImageBytes(im.file)
		if err != nil {
			t.Fatal(err)
		}
		f, m, w, s := corpusScore(want, comparableSet(codes))
		ours = score{ours.found + f, ours.missed + m, ours.wrong + w, ours.spurious + s}
		if w+s > 0 {
			t.Logf("ours %s: got %q", im.name, codes)
		}
		zb := comparableSet(zbarimg(t, im.file))
		f, m, w, s = corpusScore(want, zb)
		theirs = score{theirs.found + f, theirs.missed + m, theirs.wrong + w, theirs.spurious + s}
		f, m, w, s = corpusScore(wantNoDM, zb)
		theirsNoDM = score{theirsNoDM.found + f, theirsNoDM.missed + m, theirsNoDM.wrong + w, theirsNoDM.spurious + s}
	}
	// Interleaved per file, so that both (and CORPUS_BASE_BIN, an older build) see the same load.
	cmds := [][]string{{bin, "decode"}, {zbar, "-q", "--nodbus"}}
	if base := os.Getenv("CORPUS_BASE_BIN"); base != "" {
		cmds = append(cmds, []string{base, "decode"})
	}
	spent := make([]time.Duration, len(cmds))
	for _, f := range files {
		for i, c := range cmds {
			start := time.Now()
			_ = exec.Command(c[0], append(c[1:], f)...).Run() // both exit non-zero when an image has no code
			spent[i] += time.Since(start)
		}
	}
	for i := range spent {
		spent[i] /= time.Duration(len(files))
	}
	tOurs, tZbar := spent[0], spent[1]
	if len(spent) > 2 {
		fmt.Printf("\nCORPUS_BASE_BIN: %d ms per image\n", spent[2].Milliseconds())
	}
	pct := func(a, b int) string { return fmt.Sprintf("%d (%.0f %%)", a, 100*float64(a)/float64(b)) }
	fmt.Printf("\n%d images (1280×960), %d codes (%d Data Matrix, which zbar does not read)\n\n", len(imgs), total, dmCodes)
	fmt.Printf("| decoder | found | missed | wrong | spurious | time per image (process) |\n|---|---|---|---|---|---|\n")
	fmt.Printf("| storeagent decode | %s | %d | %d | %d | %d ms |\n", pct(ours.found, total), ours.missed, ours.wrong, ours.spurious, tOurs.Milliseconds())
	fmt.Printf("| zbarimg 0.23 | %s | %d | %d | %d | %d ms |\n", pct(theirs.found, total), theirs.missed, theirs.wrong, theirs.spurious, tZbar.Milliseconds())
	fmt.Printf("| zbarimg, codes it has a reader for | %s | %d | | | |\n", pct(theirsNoDM.found, total-dmCodes), theirsNoDM.missed)
}
