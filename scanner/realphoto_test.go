package scanner

//go:generate go run ./photogen -out testdata/zxing-photos.txt

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// photoEntry is one line of testdata/zxing-photos.txt (written by photogen): a real photo of
// ZXing's blackbox set, shipped in the gozxing module's testdata folders.
type photoEntry struct {
	Path      string   `json:"path"`
	Symbology string   `json:"symbology"`
	Want      []string `json:"want"`
	Gozxing   string   `json:"gozxing"`
	Source    string   `json:"source"`
}

var (
	gozxingDirOnce sync.Once
	gozxingDirPath string
)

// gozxingDir returns the gozxing module's directory in the module cache, or skips the test
// (with the reason) when it is not there: the real photos are not copied into this repository.
func gozxingDir(t testing.TB) string {
	t.Helper()
	gozxingDirOnce.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/makiuchi-d/gozxing").Output()
		if err != nil {
			return
		}
		dir := strings.TrimSpace(string(out))
		if st, err := os.Stat(filepath.Join(dir, "oned", "testdata")); err == nil && st.IsDir() {
			gozxingDirPath = dir
		}
	})
	if gozxingDirPath == "" {
		t.Skip("the gozxing module directory (go list -m -f {{.Dir}} github.com/makiuchi-d/gozxing) with its testdata is not in the module cache: go mod download github.com/makiuchi-d/gozxing")
	}
	return gozxingDirPath
}

// realPhoto reads one of the corpus's photos (path relative to the gozxing module).
func realPhoto(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(gozxingDir(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Skipf("real photo %s: %v", rel, err)
	}
	return b
}

// loadPhotoManifest reads testdata/zxing-photos.txt.
func loadPhotoManifest(t testing.TB) []photoEntry {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "zxing-photos.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []photoEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var e photoEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("zxing-photos.txt: %v: %s", err, line)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPhotoManifest: the manifest names every image of the corpus once, each with a symbology,
// and every image gozxing's tests read has its text.
func TestPhotoManifest(t *testing.T) {
	entries := loadPhotoManifest(t)
	if len(entries) < 300 {
		t.Fatalf("%d entries, want the 330 images of gozxing v0.1.1", len(entries))
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.Path] {
			t.Errorf("%s twice", e.Path)
		}
		seen[e.Path] = true
		if e.Symbology == "" || e.Gozxing == "" {
			t.Errorf("%s: no symbology or expectation: %+v", e.Path, e)
		}
		if (e.Gozxing == "reads" || e.Gozxing == "harder" || e.Gozxing == "pure") && len(e.Want) == 0 {
			t.Errorf("%s: read by gozxing but no text", e.Path)
		}
	}
	dir := gozxingDir(t)
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(e.Path))); err != nil {
			t.Errorf("%s: %v", e.Path, err)
		}
	}
}
