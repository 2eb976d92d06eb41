package geo

import (
	"bytes"
	"compress/gzip"
)

// gzipTile compresses a tile at gzip's best speed, with a writer from the
// index's pool. Measured on the 100,000-camera province
// (BenchmarkTiles100k), the default level took a third of a zoom-10
// tile's time for a few percent fewer bytes; a tile is made for one
// answer, not stored.
func (x *Index) gzipTile(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(data) / 3)
	zw, _ := x.gzips.Get().(*gzip.Writer)
	if zw == nil {
		var err error
		if zw, err = gzip.NewWriterLevel(&buf, gzip.BestSpeed); err != nil {
			return nil, err
		}
	} else {
		zw.Reset(&buf)
	}
	defer x.gzips.Put(zw)
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
