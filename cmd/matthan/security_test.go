package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTokenListRevokeCLI: token list prints every token of a stopped
// daemon's database without secrets; token revoke removes one by id.
func TestTokenListRevokeCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	environment := map[string]string{"MATTHAN_DB": db}
	// On a file that does not exist: an error, and no file made.
	if _, errOut, code := runCLI(t, environment, "token", "list"); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Errorf("list without a database: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("token list created the database: %v", err)
	}
	police, errOut, code := runCLI(t, environment, "token", "create", "--role", "police", "--name", "Công an xã Song Bình")
	if code != 0 {
		t.Fatalf("create: exit %d: %s", code, errOut)
	}
	idRE := regexp.MustCompile(`\(id ([0-9a-f]{16})`)
	m := idRE.FindStringSubmatch(errOut)
	if m == nil {
		t.Fatalf("create stderr %q names no id", errOut)
	}
	policeID := m[1]
	temp, errOut, code := runCLI(t, environment, "token", "create", "--role", "planner", "--name", "nhà thầu", "--expires-in", "30d")
	if code != 0 || !strings.Contains(errOut, ", expiring 20") {
		t.Fatalf("create --expires-in: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runCLI(t, environment, "token", "create", "--role", "planner", "--name", "x", "--expires-at", "2020-01-01T00:00:00Z"); code != 1 || !strings.Contains(errOut, "expires_at: must be in the future") {
		t.Errorf("create --expires-at in the past: exit %d: %s", code, errOut)
	}

	out, errOut, code := runCLI(t, environment, "token", "list")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^ID +NAME +ROLE +CREATED +CREATED BY +LAST USED +EXPIRES$`).MatchString(lines[0]) {
		t.Fatalf("list:\n%s", out)
	}
	rfc3339 := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)`
	if !regexp.MustCompile(`^` + policeID + ` +Công an xã Song Bình +police +` + rfc3339 + ` +cli +never +never$`).MatchString(lines[1]) {
		t.Errorf("police line %q", lines[1])
	}
	if !regexp.MustCompile(` +nhà thầu +planner +` + rfc3339 + ` +cli +never +` + rfc3339 + `$`).MatchString(lines[2]) {
		t.Errorf("planner line %q", lines[2])
	}
	for _, secret := range []string{police, temp} {
		if strings.Contains(out, strings.TrimSpace(secret)) {
			t.Errorf("the list shows a secret")
		}
	}

	if _, errOut, code := runCLI(t, environment, "token", "revoke", policeID); code != 0 || !strings.Contains(errOut, `revoked police token "Công an xã Song Bình" (id `+policeID+`)`) {
		t.Errorf("revoke: exit %d: %q", code, errOut)
	}
	if _, errOut, code := runCLI(t, environment, "token", "revoke", policeID); code != 1 || !strings.Contains(errOut, "no token with id") {
		t.Errorf("revoke again: exit %d: %q", code, errOut)
	}
	out, _, _ = runCLI(t, environment, "token", "list")
	if strings.Contains(out, policeID) || !strings.Contains(out, "nhà thầu") {
		t.Errorf("list after revoke:\n%s", out)
	}

	usage := []struct {
		args []string
		want string
	}{
		{[]string{"token", "revoke"}, "missing ID"},
		{[]string{"token", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"token", "create", "--role", "police", "--name", "x", "--expires-in", "1h", "--expires-at", "2030-01-01T00:00:00Z"}, "give --expires-in or --expires-at, not both"},
		{[]string{"token", "create", "--role", "police", "--name", "x", "--expires-in", "forever"}, `--expires-in must be a duration such as 90d, 12h or 30m, got "forever"`},
		{[]string{"token", "create", "--role", "police", "--name", "x", "--expires-at", "tomorrow"}, `--expires-at must be a time such as 2027-01-01T00:00:00+07:00, got "tomorrow"`},
	}
	for _, u := range usage {
		if _, errOut, code := runCLI(t, environment, u.args...); code != 2 || !strings.Contains(errOut, u.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", u.args, code, errOut, u.want)
		}
	}
}

// TestServeWarnsWithoutToken: a daemon that no request could authenticate
// to says so on stderr, with the command that creates the first token;
// with a token in the database, or MATTHAN_ADMIN_TOKEN, it does not.
func TestServeWarnsWithoutToken(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d b.db") // a space: the command must quote it
	want := "matthan token create --role admin --name NAME --db '" + db + "'"

	d := startDaemon(t, nil, "serve", "--db", db, "--listen", "127.0.0.1:0")
	if !d.stderr.waitFor(want, startDeadline) {
		t.Fatalf("no warning with %q on stderr:\n%s", want, d.stderr.String())
	}
	if !strings.Contains(d.stderr.String(), "no API token exists and MATTHAN_ADMIN_TOKEN is not set") {
		t.Errorf("stderr:\n%s", d.stderr.String())
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// Run the command it gave (with a name), then start again.
	if _, errOut, code := runBinary(t, nil, "token", "create", "--role", "admin", "--name", "ops", "--db", db); code != 0 {
		t.Fatalf("token create: %s", errOut)
	}
	for _, env := range [][]string{nil, {"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}} {
		d := startDaemon(t, env, "serve", "--db", db, "--listen", "127.0.0.1:0")
		if code := d.stop(syscall.SIGTERM); code != 0 {
			t.Fatalf("exit %d", code)
		}
		if strings.Contains(d.stderr.String(), "warning: no API token") {
			t.Errorf("env %v: a warning with a token in the database:\n%s", env, d.stderr.String())
		}
	}
	d = startDaemon(t, []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}, "serve", "--db", filepath.Join(dir, "empty.db"), "--listen", "127.0.0.1:0")
	if code := d.stop(syscall.SIGTERM); code != 0 || strings.Contains(d.stderr.String(), "warning: no API token") {
		t.Errorf("an admin token in the environment and an empty database: exit %d, stderr:\n%s", code, d.stderr.String())
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "matthan test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// TestServeTLS: with tls.cert_file and tls.key_file the daemon serves
// HTTPS (TLS 1.2 or later) with HSTS, refuses plain HTTP, and the client
// commands reach it with --ca-file or MATTHAN_CA_FILE.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, cert := selfSigned(t, dir)
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken, "MATTHAN_TLS_CERT_FILE=" + certFile, "MATTHAN_TLS_KEY_FILE=" + keyFile, "MATTHAN_BODY_TIMEOUT=300ms"}
	d := startDaemon(t, env, "serve", "--db", filepath.Join(dir, "x.db"), "--listen", "127.0.0.1:0")
	if !strings.HasPrefix(d.URL, "https://127.0.0.1:") {
		t.Fatalf("URL %q, want https://", d.URL)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	// The answers of the API are checked against its description, as
	// over plain HTTP.
	checked := func(tr *http.Transport) http.RoundTripper {
		return openapiValidator(t).Transport(tr, t.Name(), t.Errorf)
	}
	client := func(maxVersion uint16) *http.Client {
		return &http.Client{Transport: checked(&http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: maxVersion}})}
	}
	for _, path := range []string{"/healthz", "/api/v1/cameras"} {
		req, _ := http.NewRequest("GET", d.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+e2eAdminToken)
		resp, err := client(0).Do(req)
		if err != nil {
			t.Fatalf("GET %s over HTTPS: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
			t.Errorf("GET %s: %d, HSTS %q", path, resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
		}
	}
	// Over HTTP/2 (what curl and browsers speak to an HTTPS server) a
	// trickled body is cut off too.
	h2 := &http.Client{Transport: checked(&http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true})}
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write([]byte("{")) }() // one byte, then nothing
	req, _ := http.NewRequest("POST", d.URL+"/api/v1/cameras", pr)
	req.Header.Set("Authorization", "Bearer "+e2eAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h2.Do(req)
	if err != nil {
		t.Fatalf("HTTP/2 trickle: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "did not arrive within 300ms") {
		t.Errorf("HTTP/2 trickle: %s %d %s", resp.Proto, resp.StatusCode, body)
	}
	if _, err := client(tls.VersionTLS11).Get(d.URL + "/healthz"); err == nil {
		t.Errorf("a TLS 1.1 client was served")
	}
	// Plain HTTP to the HTTPS port gets no answer from the API.
	plain := "http://" + strings.TrimPrefix(d.URL, "https://")
	resp, err = http.Get(plain + "/healthz")
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK || strings.Contains(string(body), `"status"`) {
			t.Errorf("plain HTTP to the TLS port: %d %s", resp.StatusCode, body)
		}
	}

	// The client commands: a self-signed certificate needs --ca-file.
	_, errOut, code := runBinary(t, nil, "report", "--server", d.URL, "--token", e2eAdminToken)
	if code != 1 || !strings.Contains(errOut, "certificate") {
		t.Errorf("report without --ca-file: exit %d, %q", code, errOut)
	}
	if out, errOut, code := runBinary(t, nil, "report", "--server", d.URL, "--token", e2eAdminToken, "--ca-file", certFile); code != 0 {
		t.Errorf("report --ca-file: exit %d, %s %s", code, out, errOut)
	}
	backup := filepath.Join(dir, "copy.db")
	if _, errOut, code := runBinary(t, []string{"MATTHAN_CA_FILE=" + certFile, "MATTHAN_SERVER=" + d.URL, "MATTHAN_TOKEN=" + e2eAdminToken}, "backup", backup); code != 0 {
		t.Errorf("backup with MATTHAN_CA_FILE: exit %d, %s", code, errOut)
	}
	if _, errOut, code := runBinary(t, nil, "report", "--server", d.URL, "--token", e2eAdminToken, "--ca-file", keyFile); code != 1 || !strings.Contains(errOut, "holds no PEM certificate") {
		t.Errorf("report --ca-file KEY: exit %d, %q", code, errOut)
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// TestServeTLSErrors: a TLS setting that cannot work stops the daemon
// before it opens anything, naming the key.
func TestServeTLSErrors(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	other, _, _ := selfSigned(t, t.TempDir())
	db := filepath.Join(dir, "x.db")
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no cert file", map[string]string{"MATTHAN_TLS_CERT_FILE": filepath.Join(dir, "none.pem"), "MATTHAN_TLS_KEY_FILE": keyFile},
			"config: tls.cert_file: cannot be read: open " + filepath.Join(dir, "none.pem") + ": no such file or directory (from MATTHAN_TLS_CERT_FILE)"},
		{"no key file", map[string]string{"MATTHAN_TLS_CERT_FILE": certFile, "MATTHAN_TLS_KEY_FILE": filepath.Join(dir, "none.key")},
			"config: tls.key_file: cannot be read: open " + filepath.Join(dir, "none.key") + ": no such file or directory (from MATTHAN_TLS_KEY_FILE)"},
		{"key of another certificate", map[string]string{"MATTHAN_TLS_CERT_FILE": other, "MATTHAN_TLS_KEY_FILE": keyFile},
			"config: tls.cert_file, tls.key_file: " + other + " and " + keyFile + " are not a PEM certificate and its private key: tls: private key does not match public key"},
		{"cert only", map[string]string{"MATTHAN_TLS_CERT_FILE": certFile},
			"config: tls.cert_file: is set but tls.key_file is not: HTTPS needs both (from MATTHAN_TLS_CERT_FILE)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, tt.env, "serve", "--db", db, "--listen", "127.0.0.1:0")
			if code != 1 || strings.TrimSpace(errOut) != "matthan serve: "+tt.want {
				t.Errorf("exit %d, stderr %q\nwant %q", code, errOut, "matthan serve: "+tt.want)
			}
			if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the database was opened: %v", err)
			}
		})
	}
}

// TestSlowBodiesThroughDaemon: the body deadlines are the configured
// ones: a client trickling a JSON body or an import is answered 408 and
// its connection closed.
func TestSlowBodiesThroughDaemon(t *testing.T) {
	dir := t.TempDir()
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken, "MATTHAN_BODY_TIMEOUT=300ms", "MATTHAN_UPLOAD_GRACE=300ms", "MATTHAN_MIN_UPLOAD_RATE=1KiB"}
	d := startDaemon(t, env, "serve", "--db", filepath.Join(dir, "x.db"), "--listen", "127.0.0.1:0")
	for _, tc := range []struct{ path, ctype, detail string }{
		{"/api/v1/cameras", "application/json", "body: did not arrive within 300ms"},
		{"/api/v1/cameras/import", "text/csv", "body: arrived slower than 1024 bytes a second (after the first 300ms)"},
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(d.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second)) // bounds a failure
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: matthan\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: 100000\r\n\r\ni", tc.path, e2eAdminToken, tc.ctype)
		answer, err := io.ReadAll(conn) // until the daemon closes the connection
		conn.Close()
		if err != nil || !strings.HasPrefix(string(answer), "HTTP/1.1 408 ") || !strings.Contains(string(answer), tc.detail) {
			t.Errorf("%s trickled: %v\n%s", tc.path, err, answer)
		}
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d", code)
	}
}
