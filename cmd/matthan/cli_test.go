package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs a command in-process with its own environment.
func runCLI(t *testing.T, environment map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	c := &cli{stdin: strings.NewReader(""), stdout: &o, stderr: &e, getenv: env(environment)}
	code = c.run(context.Background(), args)
	return o.String(), e.String(), code
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring, "" = must be empty
		stderr string // substring, "" = must be empty
	}{
		{"no command", nil, 2, "", "Usage:"},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"help", []string{"help"}, 0, "Commands:", ""},
		{"--help", []string{"--help"}, 0, "Commands:", ""},
		{"help serve", []string{"help", "serve"}, 0, "--listen", ""},
		{"help import", []string{"help", "import"}, 0, "matthan import cameras", ""},
		{"help unknown", []string{"help", "nope"}, 2, "", `unknown command "nope"`},
		{"serve -h", []string{"serve", "-h"}, 0, "--config", ""},
		{"report --help", []string{"report", "--help"}, 0, "--server URL", ""},
		{"import -h", []string{"import", "-h"}, 0, "matthan import cameras", ""},
		{"help token", []string{"help", "token"}, 0, "matthan token create", ""},
		{"serve unknown flag", []string{"serve", "--port", "80"}, 2, "", "flag provided but not defined: --port"},
		{"serve extra argument", []string{"serve", "now"}, 2, "", `unexpected argument "now"`},
		{"token without verb", []string{"token"}, 2, "", "missing create"},
		{"token unknown verb", []string{"token", "delete"}, 2, "", `unknown token "delete"`},
		{"token create without role", []string{"token", "create", "--name", "x"}, 2, "", "--role is required"},
		{"token create bad role", []string{"token", "create", "--name", "x", "--role", "mayor"}, 2, "", `--role must be one of admin, police, planner, fundraiser, got "mayor"`},
		{"import unknown kind", []string{"import", "bridges", "x.csv"}, 2, "", `unknown import "bridges"`},
		{"import without file", []string{"import", "cameras", "--token", "t"}, 2, "", "missing FILE"},
		{"import unknown format", []string{"import", "cameras", "x.txt", "--token", "t"}, 2, "", "cannot tell the format of x.txt"},
		{"import bad format", []string{"import", "cameras", "x.csv", "--format", "xlsx", "--token", "t"}, 2, "", `--format must be csv or geojson, got "xlsx"`},
		{"import without token", []string{"import", "cameras", "x.csv"}, 2, "", "no token: give --token or set MATTHAN_TOKEN"},
		{"import bad server", []string{"import", "cameras", "x.csv", "--token", "t", "--server", "ftp://x"}, 2, "", "--server must be an http:// or https:// URL"},
		{"export bad format", []string{"export", "cameras", "--format", "kml", "--token", "t"}, 2, "", `--format must be csv, geojson or xlsx, got "kml"`},
		{"export bom with geojson", []string{"export", "cameras", "--format", "geojson", "--bom", "--token", "t"}, 2, "", "--bom applies to --format csv only"},
		{"backup without file", []string{"backup", "--token", "t"}, 2, "", "missing FILE"},
		{"demo extra argument", []string{"demo", "extra"}, 2, "", `unexpected argument "extra"`},
		{"version extra argument", []string{"version", "x"}, 2, "", `unexpected argument "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, out, errOut)
			}
			check := func(what, got, want string) {
				if want == "" && got != "" {
					t.Errorf("%s = %q, want nothing", what, got)
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", what, got, want)
				}
			}
			check("stdout", out, tt.stdout)
			check("stderr", errOut, tt.stderr)
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, code := runCLI(t, nil, args...)
		if code != 0 || !strings.HasPrefix(out, "matthan ") || !strings.Contains(out, "go1.") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
	}
}

// TestServeInvalidConfig: a bad config stops serve before it opens
// anything, with the message naming the key, and exit status 1.
func TestServeInvalidConfig(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "never.db")
	_, errOut, code := runCLI(t, nil, "serve", "--db", db, "--config", "testdata/invalid-unknown-key.yml")
	if code != 1 || !strings.Contains(errOut, `unknown key "limits.body_byte"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = runCLI(t, map[string]string{"MATTHAN_CONFIG": "testdata/invalid-log-level.yml"}, "serve", "--db", db)
	if code != 1 || !strings.Contains(errOut, "log_level") {
		t.Errorf("MATTHAN_CONFIG: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = runCLI(t, map[string]string{"MATTHAN_BODY_LIMIT": "big"}, "serve", "--db", db)
	if code != 1 || !strings.Contains(errOut, "limits.body_bytes") || !strings.Contains(errOut, "MATTHAN_BODY_LIMIT") {
		t.Errorf("MATTHAN_BODY_LIMIT: exit %d, stderr %q", code, errOut)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*")); len(matches) != 0 {
		t.Errorf("serve with a bad config created %v", matches)
	}
}

// TestTokenCreate creates tokens in a database file in-process and checks
// they are stored under their hash with the right role.
func TestTokenCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sub", "t.db")
	out, errOut, code := runCLI(t, nil, "token", "create", "--role", "police", "--name", "Công an xã Song Bình", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	secret := strings.TrimSpace(out)
	if !strings.HasPrefix(secret, "mt_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("stdout %q, want the secret alone on one line", out)
	}
	if strings.Contains(errOut, secret) || !strings.Contains(errOut, "police") {
		t.Errorf("stderr %q: want the role and never the secret", errOut)
	}
	// The path also comes from MATTHAN_DB, as for serve.
	out2, errOut, code := runCLI(t, map[string]string{"MATTHAN_DB": db}, "token", "create", "--role", "admin", "--name", "ops")
	if code != 0 || strings.TrimSpace(out2) == secret {
		t.Fatalf("second token: exit %d, %s", code, errOut)
	}
	tok := lookupToken(t, db, secret)
	if tok.Role != "police" || tok.Name != "Công an xã Song Bình" {
		t.Errorf("stored token = %+v", tok)
	}
}
