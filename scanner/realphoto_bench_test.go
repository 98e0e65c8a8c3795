package scanner

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDecodeImage_RealPhotos decodes every photo of testdata/zxing-photos.txt once per
// iteration, in process (no process start, unlike the corpus table's timing).
func BenchmarkDecodeImage_RealPhotos(b *testing.B) {
	dir := gozxingDir(b)
	var files [][]byte
	for _, e := range loadPhotoManifest(b) {
		f, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.Path)))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, f)
	}
	b.ResetTimer()
	for range b.N {
		for _, f := range files {
			if _, err := DecodeImageBytes(f); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*len(files)), "ms/image")
}
