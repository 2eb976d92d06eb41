package record

import "encoding/binary"

// The pieces of the binary values: uvarints, varints and strings
// prefixed by their length.

// AppendString appends a length-prefixed string (or bytes).
func AppendString[T ~string | ~[]byte](b []byte, s T) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Reader decodes the varints and strings of records and index values
// without allocating; its slices point into the value, valid as long as
// the transaction. A short or malformed input makes it bad and yields
// zeros.
type Reader struct {
	b   []byte
	bad bool
}

// NewReader returns a Reader of v.
func NewReader(v []byte) Reader { return Reader{b: v} }

// Bad reports whether a read went past the value or met a malformed
// varint.
func (r *Reader) Bad() bool { return r.bad }

// Len is how many bytes are left.
func (r *Reader) Len() int { return len(r.b) }

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Varint reads a signed varint.
func (r *Reader) Varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Bytes reads a length-prefixed string (AppendString).
func (r *Reader) Bytes() []byte {
	n := r.Uvarint()
	if n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// Rest returns what is left.
func (r *Reader) Rest() []byte {
	s := r.b
	r.b = nil
	return s
}
