package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gozxingDir(t *testing.T) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/makiuchi-d/gozxing").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skip("gozxing module directory not found (go mod download github.com/makiuchi-d/gozxing)")
	}
	if _, err := os.Stat(filepath.Join(dir, "oned", "testdata")); err != nil {
		t.Skipf("gozxing testdata: %v", err)
	}
	return dir
}

// TestCollect: the expectations read from gozxing's tests, for each way they are written (a
// table row, a call, a commented-out row, a []string of several codes, `file = ...`), and the
// committed manifest is what photogen writes now.
func TestCollect(t *testing.T) {
	dir := gozxingDir(t)
	entries, err := collect(dir)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Entry{}
	for _, e := range entries {
		by[e.Path] = e
	}
	for path, want := range map[string]string{
		"oned/testdata/ean13/1.png":    `{"path":"oned/testdata/ean13/1.png","symbology":"ean13","want":["8413000065504"],"gozxing":"reads","source":"oned/ean13_reader_test.go"}`,
		"oned/testdata/ean13/34.png":   `{"path":"oned/testdata/ean13/34.png","symbology":"ean13","want":["9781558604971"],"gozxing":"fails","source":"oned/ean13_reader_test.go"}`,
		"oned/testdata/code39/2-1.png": `{"path":"oned/testdata/code39/2-1.png","symbology":"code39","want":["Extended !?*#"],"gozxing":"reads","source":"oned/code39_reader_test.go"}`,
		"oned/rss/testdata/2_6.png":    `{"path":"oned/rss/testdata/2_6.png","symbology":"gs1-databar","want":["0102001234567893"],"gozxing":"harder","source":"oned/rss/rss14_reader_test.go"}`,
		"oned/testdata/upca/1.png":     `{"path":"oned/testdata/upca/1.png","symbology":"upca","want":[],"gozxing":"none","source":"oned/upca_reader_test.go"}`,
		"qrcode/testdata/qrcode-2.jpg": `{"path":"qrcode/testdata/qrcode-2.jpg","symbology":"qr","want":["UI office hours signup\r\nhttp://www.corp.google.com/sparrow/ui_office_hours/ \r\n"],"gozxing":"reads","source":"qrcode/qrcode_reader_test.go"}`,
		"datamatrix/testdata/C40.png":  `{"path":"datamatrix/testdata/C40.png","symbology":"datamatrix","want":["Testing C40"],"gozxing":"pure","source":"datamatrix/datamatrix_reader_test.go"}`,
	} {
		got, _ := json.Marshal(by[path])
		if string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", path, got, want)
		}
	}
	if n := len(by["multi/qrcode/testdata/1.png"].Want); n != 4 {
		t.Errorf("multi/qrcode/testdata/1.png: %d texts, want its 4 QR codes", n)
	}
	out := filepath.Join(t.TempDir(), "m.txt")
	cmd := exec.Command("go", "run", ".", "-gozxing", dir, "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("photogen: %v\n%s", err, b)
	}
	fresh, _ := os.ReadFile(out)
	committed, err := os.ReadFile("../testdata/zxing-photos.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Error("scanner/testdata/zxing-photos.txt is not what photogen writes: go generate ./scanner/")
	}
}
