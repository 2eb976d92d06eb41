package exchange

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// A record over MaxCSVRecordBytes ends the import with an error naming the
// line where it starts, whether it is one long line or a quote left open
// that would swallow the rest of the file.
func TestCSVDecoderRecordTooLarge(t *testing.T) {
	row := "OK-1,n,1,2,,,,,,,,,,,\n"
	long := strings.Repeat("x", MaxCSVRecordBytes)
	tests := []struct {
		name string
		body string
		rows int // rows before the error
		line string
	}{
		{"long line", CSVHeader + "\n" + row + "L-1," + long + ",1,2,,,,,,,,,,,\n", 1, "line 3"},
		{"just over", CSVHeader + "\n" + row + "L-1," + long[:MaxCSVRecordBytes-15] + ",1,2,,,,,,,,,,,\n", 1, "line 3"},
		{"open quote", CSVHeader + "\n" + row + row + "\"L-1,n,1,2,,,,,,,,,,,\n" + strings.Repeat(row, 2*MaxCSVRecordBytes/len(row)), 2, "line 4"},
		{"open quote in last field", CSVHeader + "\n" + "L-1,n,1,2,,,,,,,,,,,\"1\n" + strings.Repeat(row, 2*MaxCSVRecordBytes/len(row)), 0, "line 2"},
		{"header", strings.Repeat("id", MaxCSVRecordBytes), 0, "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewCSVDecoder(strings.NewReader(tt.body))
			rows := 0
			for {
				_, err := d.Next()
				if err == nil {
					rows++
					continue
				}
				if errors.Is(err, io.EOF) {
					t.Fatal("no error")
				}
				if rows != tt.rows {
					t.Errorf("got %d rows before the error, want %d", rows, tt.rows)
				}
				if camera.ErrorCode(err) != camera.EINVALID || camera.ErrorField(err) != tt.line || !strings.Contains(err.Error(), "larger than") {
					t.Errorf("error = %v (field %q), want %s larger than ...", err, camera.ErrorField(err), tt.line)
				}
				return
			}
		})
	}
	// A record just under the limit is fine (it is then rejected for its
	// name's length, not for its size).
	body := CSVHeader + "\nL-1," + long[:MaxCSVRecordBytes-100] + ",1,2,,,,,,,,,,,\n" + row
	_, rejects := decodeBytes(t, FormatCSV, []byte(body))
	if len(rejects) != 1 || rejects[0].Field != "name" {
		t.Errorf("rejects = %+v, want one for the name", rejects)
	}
}

// A read error is returned wrapped, so that the HTTP layer can still see an
// *http.MaxBytesError.
func TestCSVDecoderReadError(t *testing.T) {
	errBoom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(CSVHeader+"\nA-1,n,1,2,,,,,,,,,,,\n"), &errReader{errBoom})
	d := NewCSVDecoder(r)
	if row, err := d.Next(); err != nil || row.Camera == nil {
		t.Fatalf("first row = %+v, %v; want a camera", row, err)
	}
	_, err := d.Next()
	if !errors.Is(err, errBoom) {
		t.Errorf("error = %v, want it to wrap %v", err, errBoom)
	}
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }
