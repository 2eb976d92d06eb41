package exchange

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"slices"
	"testing"

	"github.com/matthan/matthan/camera"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/ (go test fuzz v1), so
// that a plain go test runs them; add every crasher the fuzzer finds there.

func FuzzCSVDecoder(f *testing.F) {
	for _, name := range []string{"cameras.csv", "excel.csv", "rejects.csv"} {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cams := checkDecoder(t, NewCSVDecoder(bytes.NewReader(data)))
		// Round trip with every column, so that status and notes are
		// checked too.
		checkRoundTrip(t, cams, func(r io.Reader) Decoder { return NewCSVDecoder(r) }, func(w io.Writer, cams []*camera.Camera) error {
			enc := NewCSVEncoder(w)
			enc.StatusAndNotes = true
			for _, c := range cams {
				if err := enc.Encode(c); err != nil {
					return err
				}
			}
			return enc.Close()
		})
	})
}

func FuzzGeoJSONDecoder(f *testing.F) {
	for _, name := range []string{"cameras.geojson", "osm.geojson", "rejects.geojson"} {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cams := checkDecoder(t, NewGeoJSONDecoder(bytes.NewReader(data)))
		checkRoundTrip(t, cams, func(r io.Reader) Decoder { return NewGeoJSONDecoder(r) }, func(w io.Writer, cams []*camera.Camera) error {
			return WriteGeoJSON(w, slices.Values(cams))
		})
	})
}

// checkDecoder reads d to the end and checks what every decoder promises:
// no panic, accepted cameras valid, rejections located and explained.
func checkDecoder(t *testing.T, d Decoder) []*camera.Camera {
	t.Helper()
	var cams []*camera.Camera
	for i := 0; ; i++ {
		if i > 1<<20 {
			t.Fatal("decoder does not end")
		}
		row, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if camera.ErrorCode(err) != camera.EINVALID {
				t.Fatalf("fatal error %v has code %q, want %q", err, camera.ErrorCode(err), camera.EINVALID)
			}
			// Calling Next again must return the same error, not panic.
			if _, err2 := d.Next(); err2 != err {
				t.Fatalf("Next after fatal error = %v, want %v", err2, err)
			}
			return cams
		}
		if (row.Camera == nil) == (row.Reject == nil) {
			t.Fatalf("row %+v: want exactly one of Camera and Reject", row)
		}
		if row.Line < 1 && row.Feature < 0 {
			t.Fatalf("row %+v has no position", row)
		}
		if r := row.Reject; r != nil {
			if r.Reason == "" || r.Line != row.Line || r.Feature != row.Feature {
				t.Fatalf("bad rejection %+v in row %+v", r, row)
			}
			continue
		}
		if err := row.Camera.Validate(); err != nil {
			t.Fatalf("accepted camera %+v does not validate: %v", row.Camera, err)
		}
		cams = append(cams, row.Camera)
	}
	return cams
}

// checkRoundTrip exports cams, imports the export and wants the same
// cameras, then exports them again and wants the same bytes. Credentials are
// cleared first: an export never has them, so an imported export cannot.
func checkRoundTrip(t *testing.T, cams []*camera.Camera, newDecoder func(io.Reader) Decoder, encode func(io.Writer, []*camera.Camera) error) {
	t.Helper()
	want := make([]*camera.Camera, len(cams))
	for i, c := range cams {
		want[i] = c.Clone()
		want[i].Credentials = camera.Credentials{}
	}
	var out bytes.Buffer
	if err := encode(&out, want); err != nil {
		t.Fatalf("export: %v", err)
	}
	got, rejects, err := ReadAll(newDecoder(bytes.NewReader(out.Bytes())))
	if err != nil || len(rejects) > 0 {
		t.Fatalf("re-import of the export: err %v, rejects %+v\nexport:\n%s", err, rejects, out.Bytes())
	}
	if len(got) != len(want) {
		t.Fatalf("re-import gave %d cameras, want %d\nexport:\n%s", len(got), len(want), out.Bytes())
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("camera %d after export and import:\n got %+v\nwant %+v\nexport:\n%s", i, *got[i], *want[i], out.Bytes())
		}
	}
	var again bytes.Buffer
	if err := encode(&again, got); err != nil {
		t.Fatalf("second export: %v", err)
	}
	if !bytes.Equal(again.Bytes(), out.Bytes()) {
		t.Fatalf("second export differs:\n%s\nfirst:\n%s", again.Bytes(), out.Bytes())
	}
}
