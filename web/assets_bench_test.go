package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"strings"
	"testing"
)

// BenchmarkAssetsGzip: the console's scripts and styles, all of them,
// gzipped as a browser receives them. Target: 500 KB. The assets must be
// built (make web).
//
//	go test ./web -run '^$' -bench AssetsGzip -benchtime 1x
func BenchmarkAssetsGzip(b *testing.B) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		b.Fatal(err)
	}
	if _, built, err := loadManifest(sub); err != nil || !built {
		b.Fatalf("the console's assets are not built (%v): run make web", err)
	}
	var total, raw int
	for b.Loop() {
		total, raw = 0, 0
		err := fs.WalkDir(sub, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".js") || strings.HasSuffix(path, ".css")) {
				return err
			}
			data, err := fs.ReadFile(sub, path)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(data)
			_ = zw.Close()
			total += buf.Len()
			raw += len(data)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total)/1024, "KB-gzip")
	b.ReportMetric(float64(raw)/1024, "KB-raw")
	b.ReportMetric(0, "ns/op")
}
