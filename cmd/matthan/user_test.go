package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// runCLIStdin is runCLI with stdin.
func runCLIStdin(t *testing.T, environment map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &o, stderr: &e, getenv: env(environment)}
	code = c.run(context.Background(), args)
	return o.String(), e.String(), code
}

// signInStatus signs in to a running daemon and returns the status.
func signInStatus(t *testing.T, base, name, password string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/session", strings.NewReader(fmt.Sprintf(`{"name":%q,"password":%q}`, name, password)))
	req.Header.Set("Content-Type", "application/json")
	res, err := openapiClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestUserCLI: the first admin of a new installation and a forgotten
// password, on a stopped daemon's database; the daemon then signs them
// in (or not) as the commands said.
func TestUserCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	environment := map[string]string{"MATTHAN_DB": db}
	out, errOut, code := runCLI(t, environment, "user", "create", "--name", "quan.tri", "--role", "admin", "--full-name", "Nguyễn Văn An")
	generated := strings.TrimSpace(out)
	if code != 0 || len(generated) < 20 || !strings.Contains(errOut, "shown only this once") {
		t.Fatalf("create: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, errOut, code := runCLIStdin(t, environment, "mật khẩu công an\n", "user", "create", "--name", "ca.songbinh", "--role", "police", "--password-stdin"); code != 0 {
		t.Fatalf("create --password-stdin: exit %d: %s", code, errOut)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "create", "--name", "Công An", "--role", "police"}, "name: may hold only the letters a to z"},
		{[]string{"user", "create", "--name", "x.y", "--role", "chief"}, "--role must be one of"},
		{[]string{"user", "create", "--name", "quan.tri", "--role", "admin"}, `a user named "quan.tri" exists already`},
		{[]string{"user", "disable", "quan.tri"}, "quan.tri is the last enabled admin"},
		{[]string{"user", "passwd", "nobody"}, `no user named "nobody"`},
	} {
		if _, errOut, code := runCLI(t, environment, tc.args...); code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want it to say %q", tc.args, code, errOut, tc.want)
		}
	}
	out, _, code = runCLI(t, environment, "user", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^quan\.tri +admin +Nguyễn Văn An +\S+ +\S+ +enabled$`).MatchString(out) || !strings.Contains(out, "ca.songbinh") || strings.Contains(out, "argon2") {
		t.Errorf("list:\n%s", out)
	}

	d := startDaemon(t, []string{"MATTHAN_DB=" + db, "MATTHAN_POLLER_ENABLED=false"}, "serve", "--listen", "127.0.0.1:0")
	if st := signInStatus(t, d.URL, "quan.tri", generated); st != http.StatusOK {
		t.Errorf("sign in with the generated password: %d", st)
	}
	if st := signInStatus(t, d.URL, "ca.songbinh", "mật khẩu công an"); st != http.StatusOK {
		t.Errorf("sign in with the password from stdin: %d", st)
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("daemon exit %d", code)
	}

	newPass, errOut, code := runCLI(t, environment, "user", "passwd", "quan.tri")
	if code != 0 {
		t.Fatalf("passwd: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runCLI(t, environment, "user", "disable", "ca.songbinh"); code != 0 {
		t.Fatalf("disable: exit %d: %s", code, errOut)
	}
	d = startDaemon(t, []string{"MATTHAN_DB=" + db, "MATTHAN_POLLER_ENABLED=false"}, "serve", "--listen", "127.0.0.1:0")
	for _, tc := range []struct {
		name, password string
		want           int
	}{
		{"quan.tri", generated, http.StatusUnauthorized},
		{"quan.tri", strings.TrimSpace(newPass), http.StatusOK},
		{"ca.songbinh", "mật khẩu công an", http.StatusUnauthorized},
	} {
		if st := signInStatus(t, d.URL, tc.name, tc.password); st != tc.want {
			t.Errorf("sign in as %s after passwd/disable: %d, want %d", tc.name, st, tc.want)
		}
	}
}
