package exchange

import (
	"errors"
	"io"
)

// errTooLarge is returned by boundedReader when the record being read has
// run past its limit. It never leaves the package: the decoders turn it into
// a message that names the line or feature.
var errTooLarge = errors.New("exchange: record too large")

// boundedReader bounds how far a decoder may read past the start of the
// record it is on. encoding/csv and encoding/json both buffer a whole record
// (a line, a value) before looking at it, so without a bound one unclosed
// quote would make them buffer the rest of a 256 MiB upload.
//
// The decoder calls allow after each record with the input offset at which
// the next one starts; reads are then cut so that no more than size bytes
// past that offset are ever delivered. The error is sticky: once a record
// is too large, the stream cannot be resynchronised and decoding stops.
type boundedReader struct {
	r     io.Reader
	n     int64 // bytes delivered so far
	limit int64 // n never exceeds limit
	err   error
}

func newBoundedReader(r io.Reader, size int64) *boundedReader {
	return &boundedReader{r: r, limit: size}
}

// allow lets the reader deliver up to size bytes past offset from.
func (b *boundedReader) allow(from, size int64) { b.limit = from + size }

// Read implements io.Reader.
func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	room := b.limit - b.n
	if room <= 0 {
		b.err = errTooLarge
		return 0, b.err
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}
