package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestExportImportRoundTrip: an export imported into a daemon with an
// empty database exports byte-identical, in CSV and in GeoJSON. The import
// goes through the CLI, as an operator moving a registry would do it.
func TestExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}
	serve := func(name string) *proc {
		return startDaemon(t, env, "serve", "--db", filepath.Join(dir, name+".db"), "--listen", "127.0.0.1:0")
	}

	src := serve("source")
	importCSV(t, src.URL, e2eAdminToken, encodeCSV(t, cameraRows("CG-RT", 0, 400, true)))
	want := map[string][]byte{
		"csv":     export(t, src.URL, e2eAdminToken, "csv"),
		"geojson": export(t, src.URL, e2eAdminToken, "geojson"),
	}
	if code := src.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	for _, format := range []string{"csv", "geojson"} {
		t.Run(format, func(t *testing.T) {
			file := filepath.Join(dir, "export."+format)
			if err := os.WriteFile(file, want[format], 0o600); err != nil {
				t.Fatal(err)
			}
			dst := serve("fresh-" + format)
			out, errOut, code := runBinary(t, nil, "import", "cameras", file, "--server", dst.URL, "--token", e2eAdminToken, "--atomic")
			if code != 0 || strings.TrimSpace(out) != "created 400, updated 0, unchanged 0, rejected 0" {
				t.Fatalf("import: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			// Both formats must come back identical, whichever was imported,
			// except for one thing: credentials are write-only, never
			// exported, so cameras that had some in the source have none in
			// the copy, and the GeoJSON says so in has_credentials.
			for _, f := range []string{"csv", "geojson"} {
				got := export(t, dst.URL, e2eAdminToken, f)
				want := want[f]
				if f == "geojson" {
					want = bytes.ReplaceAll(want, []byte(`"has_credentials":true`), []byte(`"has_credentials":false`))
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s export after importing the %s export differs:\n%s", f, format, firstDiff(got, want))
				}
			}
			if code := dst.stop(syscall.SIGTERM); code != 0 {
				t.Fatalf("exit code %d", code)
			}
		})
	}
}

// firstDiff shows where two exports part ways.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-80)
	return "got  …" + string(got[lo:min(len(got), i+80)]) + "…\nwant …" + string(want[lo:min(len(want), i+80)]) + "…"
}
