package exchange

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// readTestdata returns the contents of testdata/name.
func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// decodeFile decodes testdata/name to the end, failing the test on a fatal
// error.
func decodeFile(t *testing.T, f Format, name string) ([]*camera.Camera, []Rejection) {
	t.Helper()
	return decodeBytes(t, f, readTestdata(t, name))
}

// decodeBytes decodes b to the end, failing the test on a fatal error.
func decodeBytes(t *testing.T, f Format, b []byte) ([]*camera.Camera, []Rejection) {
	t.Helper()
	d, err := NewDecoder(f, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	cams, rejects, err := ReadAll(d)
	if err != nil {
		t.Fatalf("fatal error: %v", err)
	}
	return cams, rejects
}

// fatalError decodes b to the end and returns the fatal error, failing the
// test if there is none.
func fatalError(t *testing.T, f Format, b []byte) error {
	t.Helper()
	d, err := NewDecoder(f, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ReadAll(d)
	if err == nil {
		t.Fatal("no fatal error")
	}
	return err
}

// checkCameras compares cameras field by field, so that a failure names the
// field.
func checkCameras(t *testing.T, got, want []*camera.Camera) {
	t.Helper()
	if len(got) != len(want) {
		for _, c := range got {
			t.Logf("got %+v", *c)
		}
		t.Fatalf("got %d cameras, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("camera %d:\n got %+v\nwant %+v", i, *got[i], *want[i])
		}
	}
}

// checkRejections compares rejections; a want Reason is a substring.
func checkRejections(t *testing.T, got, want []Rejection) {
	t.Helper()
	for i := 0; i < len(got) || i < len(want); i++ {
		switch {
		case i >= len(want):
			t.Errorf("unexpected rejection %+v", got[i])
		case i >= len(got):
			t.Errorf("missing rejection %+v", want[i])
		default:
			g, w := got[i], want[i]
			if g.Line != w.Line || g.Feature != w.Feature || g.ID != w.ID || g.Field != w.Field || !strings.Contains(g.Reason, w.Reason) {
				t.Errorf("rejection %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
	}
}

// update rewrites the golden files: go test ./exchange -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update to accept):\n got:\n%s\nwant:\n%s", name, got, want)
	}
}
