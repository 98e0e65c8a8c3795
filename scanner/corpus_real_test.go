//go:build corpus

package scanner

// go test -tags corpus -run TestCorpusTable/real -v ./scanner/ prints the README's real-photo
// table: every image of testdata/zxing-photos.txt (ZXing's blackbox photos in the gozxing
// module, see photogen) run through `storeagent decode -json FILE` (this package's build, as a
// whole process), `zbarimg --xml -q FILE` and, with CORPUS_BASE_BIN set, an older storeagent
// build, one after another per file so that all see the same load. CORPUS_ONLY (a substring of
// the path) narrows the run; -v logs every image whose result is not exactly its codes.
// storeagent is built as packaging/pkgbuild ships it (CGO_ENABLED=0, -ldflags "-s -w"); build
// CORPUS_BASE_BIN the same way. CORPUS_REPEAT=N runs each photo N times through each decoder in
// turn and keeps the least disturbed (shortest) wall and CPU time of each, for a shared machine.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

type decoderRun struct {
	name string
	cmd  func(file string) *exec.Cmd
	// parse turns the command's stdout into codes.
	parse func(out []byte) ([]Code, error)
	// the scores and times summed over the photos
	found, missed, wrong, spurious, images int
	spent, cpu                             time.Duration
	slowest                                time.Duration
	slowestFile                            string
	bySym                                  map[string][2]int // symbology → found, codes
}

func parseDecodeJSON(out []byte) ([]Code, error) {
	var codes []Code
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var c Code
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("%v: %q", err, line)
		}
		codes = append(codes, c)
	}
	return codes, nil
}

func parseZbarXML(out []byte) ([]Code, error) {
	var doc struct {
		Sources []struct {
			Indexes []struct {
				Symbols []struct {
					Type string `xml:"type,attr"`
					Data string `xml:"data"`
				} `xml:"symbol"`
			} `xml:"index"`
		} `xml:"source"`
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, nil
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	var codes []Code
	for _, s := range doc.Sources {
		for _, i := range s.Indexes {
			for _, sym := range i.Symbols {
				codes = append(codes, Code{Symbology: sym.Type, Data: sym.Data})
			}
		}
	}
	return codes, nil
}

// realComparable is comparable with CR LF as LF: zbar's XML output (and any XML reader) gives
// a vCard's line ends as LF.
func realComparable(codes []Code) []string {
	out := comparableSet(codes)
	for i := range out {
		out[i] = strings.ReplaceAll(out[i], "\r\n", "\n")
	}
	return out
}

func testCorpusReal(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not on PATH (Debian package zbar-tools)")
	}
	dir := gozxingDir(t)
	entries := loadPhotoManifest(t)
	if only := os.Getenv("CORPUS_ONLY"); only != "" {
		var keep []photoEntry
		for _, e := range entries {
			if strings.Contains(e.Path, only) {
				keep = append(keep, e)
			}
		}
		entries = keep
	}
	bin := filepath.Join(t.TempDir(), "storeagent")
	if err := buildShipped(bin); err != nil {
		t.Fatal(err)
	}
	repeat := 1
	if n, err := strconv.Atoi(os.Getenv("CORPUS_REPEAT")); err == nil && n > 1 {
		repeat = n
	}
	storeagent := func(name, bin string) *decoderRun {
		return &decoderRun{
			name:  name,
			cmd:   func(f string) *exec.Cmd { return exec.Command(bin, "decode", "-json", f) },
			parse: parseDecodeJSON,
		}
	}
	runs := []*decoderRun{
		storeagent("`storeagent decode`", bin),
		{
			name:  "`zbarimg` " + zbarVersion(zbar),
			cmd:   func(f string) *exec.Cmd { return exec.Command(zbar, "--xml", "-q", "--nodbus", f) },
			parse: parseZbarXML,
		},
	}
	if base := os.Getenv("CORPUS_BASE_BIN"); base != "" {
		runs = append(runs, storeagent("the build before (CORPUS_BASE_BIN)", base))
	}
	total, unscored := 0, 0
	for _, r := range runs {
		r.bySym = map[string][2]int{}
	}
	for _, e := range entries {
		file := filepath.Join(dir, filepath.FromSlash(e.Path))
		var want []string
		for _, w := range e.Want {
			want = append(want, realComparable([]Code{{Symbology: e.Symbology, Data: w}})...)
		}
		total += len(want)
		if len(want) == 0 {
			unscored++
		}
		var outs [][]byte
		tooks, cpus := make([]time.Duration, len(runs)), make([]time.Duration, len(runs))
		for i := range repeat {
			for j, r := range runs {
				var stdout bytes.Buffer
				cmd := r.cmd(file)
				cmd.Stdout = &stdout
				start := time.Now()
				err := cmd.Run()
				took := time.Since(start)
				if ee, ok := err.(*exec.ExitError); err != nil && !ok {
					t.Fatalf("%s %s: %v", r.name, e.Path, err)
				} else if ok && ee.ExitCode() > 4 {
					t.Fatalf("%s %s: %v", r.name, e.Path, err)
				}
				cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				if i == 0 {
					outs = append(outs, stdout.Bytes())
					tooks[j], cpus[j] = took, cpu
				}
				tooks[j], cpus[j] = min(tooks[j], took), min(cpus[j], cpu)
			}
		}
		for j, r := range runs {
			took := tooks[j]
			r.spent += took
			r.cpu += cpus[j]
			r.images++
			if took > r.slowest {
				r.slowest, r.slowestFile = took, e.Path
			}
			codes, err := r.parse(outs[j])
			if err != nil {
				t.Fatalf("%s %s: %v", r.name, e.Path, err)
			}
			got := realComparable(codes)
			if len(want) == 0 {
				// No text known (zxing cannot read it either): only another symbology is scored.
				for _, g := range got {
					if kindOf(g) != kindOf(realComparable([]Code{{Symbology: e.Symbology, Data: "x"}})[0]) {
						r.spurious++
						t.Logf("%s %s (text unknown): spurious %q", r.name, e.Path, g)
					}
				}
				continue
			}
			f, m, w, s := corpusScore(want, got)
			r.found, r.missed, r.wrong, r.spurious = r.found+f, r.missed+m, r.wrong+w, r.spurious+s
			bs := r.bySym[e.Symbology]
			r.bySym[e.Symbology] = [2]int{bs[0] + f, bs[1] + len(want)}
			if m+w+s > 0 {
				t.Logf("%s %s [%s, gozxing %s]: found %d missed %d wrong %d spurious %d, got %q (%d ms)",
					r.name, e.Path, e.Symbology, e.Gozxing, f, m, w, s, got, took.Milliseconds())
			}
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\n%d real photos (ZXing blackbox via gozxing), %d codes (%d images without a known text, scored for spurious codes only); times: shortest of %d runs; %s; load %s\n\n",
		len(entries), total, unscored, repeat, time.Now().UTC().Format("2006-01-02 15:04 MST"), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Printf("| decoder | found | missed | wrong | spurious | time per image, whole process: mean (slowest) | CPU per image (user+sys) |\n|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		n := time.Duration(max(1, r.images))
		fmt.Printf("| %s | %d of %d (%.0f %%) | %d | %d | %d | %.1f ms (%d ms, %s) | %.1f ms |\n", r.name, r.found, total,
			100*float64(r.found)/float64(max(1, total)), r.missed, r.wrong, r.spurious,
			float64((r.spent/n).Microseconds())/1000, r.slowest.Milliseconds(), r.slowestFile, float64((r.cpu/n).Microseconds())/1000)
	}
	var syms []string
	for s := range runs[0].bySym {
		syms = append(syms, s)
	}
	sort.Strings(syms)
	fmt.Printf("\n| symbology | codes |")
	for _, r := range runs {
		fmt.Printf(" %s |", r.name)
	}
	fmt.Printf("\n|---|---|%s\n", strings.Repeat("---|", len(runs)))
	for _, s := range syms {
		fmt.Printf("| %s | %d |", s, runs[0].bySym[s][1])
		for _, r := range runs {
			fmt.Printf(" %d |", r.bySym[s][0])
		}
		fmt.Println()
	}
}

func zbarVersion(bin string) string {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// buildShipped builds cmd/storeagent into bin the way packaging/pkgbuild builds the shipped
// binary: pure Go (CGO_ENABLED=0, a static binary, no dynamic loader at start), symbols stripped.
func buildShipped(bin string) error {
	cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", bin, "../cmd/storeagent")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}
