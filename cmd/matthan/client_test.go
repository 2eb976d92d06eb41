package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/matthan/matthan/registry"
)

// fakeDaemon answers the client commands' requests with canned responses,
// so that what the CLI prints and its exit status can be checked for
// answers a real daemon rarely gives.
func fakeDaemon(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func writeTemp(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportPrintsRejections(t *testing.T) {
	var gotType, gotAuth, gotQuery, gotBody string
	url := fakeDaemon(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotType, gotAuth, gotQuery, gotBody = r.Header.Get("Content-Type"), r.Header.Get("Authorization"), r.URL.RawQuery, string(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"created":3,"updated":1,"unchanged":0,"rejected":2,"rejections":[`+
			`{"line":4,"id":"CG-4","field":"lat","reason":"must be a number from -90 to 90, got 95"},`+
			`{"line":7,"id":"CG-7","field":"road_class","reason":"must be one of national, provincial, district, commune, urban, other, got \"highway\""}]}`)
	})
	file := writeTemp(t, "cams.csv", "id,name\nCG-1,x\n")
	out, errOut, code := runCLI(t, map[string]string{"MATTHAN_TOKEN": "tok-from-env"}, "import", "cameras", file, "--server", url, "--atomic")
	if code != 1 {
		t.Errorf("exit %d, want 1 (rows were rejected); stderr %s", code, errOut)
	}
	want := "created 3, updated 1, unchanged 0, rejected 2\n" +
		"rejected line 4 (id \"CG-4\"): lat: must be a number from -90 to 90, got 95\n" +
		"rejected line 7 (id \"CG-7\"): road_class: must be one of national, provincial, district, commune, urban, other, got \"highway\"\n"
	if out != want {
		t.Errorf("stdout =\n%s\nwant\n%s", out, want)
	}
	if !strings.HasPrefix(gotType, "text/csv") || gotAuth != "Bearer tok-from-env" || gotQuery != "atomic=true" || gotBody != "id,name\nCG-1,x\n" {
		t.Errorf("request: type %q auth %q query %q body %q", gotType, gotAuth, gotQuery, gotBody)
	}
}

func TestImportGeoJSONFeatureRejection(t *testing.T) {
	var gotType string
	url := fakeDaemon(t, func(w http.ResponseWriter, r *http.Request) {
		gotType = r.Header.Get("Content-Type")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"created":0,"updated":0,"unchanged":0,"rejected":1,"rejections":[{"feature":0,"field":"geometry","reason":"must be a Point"}]}`)
	})
	file := writeTemp(t, "cams.geojson", `{"type":"FeatureCollection","features":[]}`)
	out, _, code := runCLI(t, nil, "import", "cameras", file, "--server", url, "--token", "t")
	if code != 1 || !strings.Contains(out, "rejected feature 0: geometry: must be a Point") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if gotType != "application/geo+json" {
		t.Errorf("Content-Type = %q", gotType)
	}
}

func TestClientPrintsProblemDetail(t *testing.T) {
	url := fakeDaemon(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = io.WriteString(w, `{"type":"urn:matthan:problem:too_large","title":"Request Entity Too Large","status":413,"detail":"body: is larger than the limit of 1024 bytes","field":"body"}`)
	})
	file := writeTemp(t, "cams.csv", "id\n")
	_, errOut, code := runCLI(t, nil, "import", "cameras", file, "--server", url, "--token", "t")
	want := "matthan import: server answered 413 Request Entity Too Large: body: is larger than the limit of 1024 bytes\n"
	if code != 1 || errOut != want {
		t.Errorf("exit %d, stderr %q, want %q", code, errOut, want)
	}
	_, errOut, code = runCLI(t, nil, "export", "cameras", "--server", url, "--token", "t")
	if code != 1 || !strings.Contains(errOut, "413") {
		t.Errorf("export: exit %d, stderr %q", code, errOut)
	}
}

func TestClientServerDown(t *testing.T) {
	// A server that is gone: its listener is closed right away.
	srv := httptest.NewServer(http.NotFoundHandler())
	down := srv.URL
	srv.Close()
	_, errOut, code := runCLI(t, nil, "export", "cameras", "--server", down, "--token", "secret-token-value")
	if code != 1 || !strings.Contains(errOut, "connection refused") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(errOut, "secret-token-value") {
		t.Errorf("the error repeats the token: %q", errOut)
	}
}

func TestExportToFile(t *testing.T) {
	url := fakeDaemon(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("format") != "geojson" {
			http.Error(w, "format", http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, `{"type":"FeatureCollection","features":[]}`)
	})
	out := filepath.Join(t.TempDir(), "cams.geojson")
	_, errOut, code := runCLI(t, nil, "export", "cameras", "--format", "geojson", "-o", out, "--server", url, "--token", "t")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(out); string(b) != `{"type":"FeatureCollection","features":[]}` {
		t.Errorf("file = %q", b)
	}
}

// validDB returns the bytes of a fresh matthan database file.
func validDB(t *testing.T) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ok.db")
	s, err := registry.Open(p, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBackupChecksWhatItSaves(t *testing.T) {
	db := validDB(t)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr string // "" = success
	}{
		{"complete", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(db)))
			_, _ = w.Write(db)
		}, ""},
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			// Announces the whole file, sends half, and hangs up.
			w.Header().Set("Content-Length", strconv.Itoa(len(db)))
			_, _ = w.Write(db[:len(db)/2])
		}, "unexpected EOF"},
		{"not a database", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, strings.Repeat("not bbolt ", 1000))
		}, "backup is not a usable database"},
		{"refused", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"status":403,"title":"Forbidden","detail":"role planner may not GET /api/v1/backup"}`)
		}, "403 Forbidden: role planner may not GET /api/v1/backup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := fakeDaemon(t, tt.handler)
			file := filepath.Join(t.TempDir(), "b.db")
			// An older backup in place must survive a failed one.
			if err := os.WriteFile(file, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := runCLI(t, nil, "backup", file, "--server", url, "--token", "t")
			got, _ := os.ReadFile(file)
			if _, err := os.Stat(file + ".tmp"); !os.IsNotExist(err) {
				t.Errorf("%s.tmp left behind", file)
			}
			if tt.wantErr == "" {
				if code != 0 || string(got) != string(db) || !strings.Contains(out, strconv.Itoa(len(db))+" bytes") {
					t.Errorf("exit %d, stdout %q, stderr %q, %d bytes saved", code, out, errOut, len(got))
				}
				return
			}
			if code != 1 || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q, want 1 and %q", code, errOut, tt.wantErr)
			}
			if string(got) != "old" {
				t.Errorf("a failed backup replaced the previous file")
			}
		})
	}
}

func TestImportFromStdin(t *testing.T) {
	var got string
	url := fakeDaemon(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		_, _ = io.WriteString(w, `{"created":1,"updated":0,"unchanged":0,"rejected":0,"rejections":[]}`)
	})
	var o, e strings.Builder
	c := &cli{stdin: strings.NewReader("id,name\nCG-1,x\n"), stdout: &o, stderr: &e, getenv: env(nil)}
	code := c.run(t.Context(), []string{"import", "cameras", "-", "--format", "csv", "--server", url, "--token", "t"})
	if code != 0 || o.String() != "created 1, updated 0, unchanged 0, rejected 0\n" || got != "id,name\nCG-1,x\n" {
		t.Errorf("exit %d, stdout %q, stderr %q, server got %q", code, o.String(), e.String(), got)
	}
	_, errOut, code := runCLI(t, nil, "import", "cameras", "-", "--server", url, "--token", "t")
	if code != 2 || !strings.Contains(errOut, "give --format") {
		t.Errorf("stdin without --format: exit %d, stderr %q", code, errOut)
	}
}

// TestClientSchemeMismatch: http and https mixed up are told apart from a
// daemon that is not running.
func TestClientSchemeMismatch(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	tests := []struct{ server, want string }{
		{strings.Replace(plain.URL, "http://", "https://", 1), ": it answers plain HTTP, not HTTPS — write the URL with http:// (set --server or MATTHAN_SERVER)"},
		{tlsSrv.URL, ": its TLS certificate is not trusted ("},
	}
	for _, tt := range tests {
		_, errOut, code := runCLI(t, nil, "report", "--server", tt.server, "--token", "t")
		if code != 1 || !strings.Contains(errOut, "matthan report: cannot reach the daemon at "+tt.server+tt.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", tt.server, code, errOut, tt.want)
		}
	}
}
