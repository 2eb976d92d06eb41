package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestGracefulShutdown: on SIGTERM the daemon stops accepting connections
// but lets a request in flight finish, then exits 0 with the request's
// work stored.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}
	d := startDaemon(t, env, "serve", "--db", db, "--listen", "127.0.0.1:0")

	data := encodeCSV(t, cameraRows("CG-G", 0, 2000, false))
	half := len(data) / 2
	pr, pw := io.Pipe()

	// "Expect: 100-continue" makes the daemon tell us when its handler
	// starts reading the body: from then on the request is in flight.
	started := make(chan struct{})
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got100Continue: func() { close(started) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL+"/api/v1/cameras/import", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(data))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+e2eAdminToken)
	req.Header.Set("Expect", "100-continue")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: stopDeadline}}
	type answer struct {
		status int
		body   []byte
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- answer{resp.StatusCode, b, err}
	}()
	go func() {
		// The first half now; the rest once the daemon is shutting down.
		if _, err := pw.Write(data[:half]); err != nil {
			pw.CloseWithError(err)
		}
	}()
	select {
	case <-started:
	case a := <-answered:
		t.Fatalf("the import ended before it started: %+v", a)
	case <-time.After(startDeadline):
		t.Fatal("the daemon never read the import body")
	}

	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !d.stderr.waitFor("shutting down", stopDeadline) {
		t.Fatalf("no shutdown logged after SIGTERM:\n%s", d.stderr.String())
	}
	// Shutdown closes the listener first: new connections are refused.
	if resp, err := (&http.Client{Transport: &http.Transport{}}).Get(d.URL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("a new connection was served during shutdown: %s", resp.Status)
	}

	if _, err := pw.Write(data[half:]); err != nil {
		t.Fatalf("sending the rest of the body: %v", err)
	}
	_ = pw.Close()
	a := <-answered
	if a.err != nil || a.status != http.StatusOK {
		t.Fatalf("the request in flight got %d %s, %v; want 200", a.status, a.body, a.err)
	}
	if !bytes.Contains(a.body, []byte(`"created":2000`)) {
		t.Errorf("answer %s, want 2000 created", a.body)
	}
	if code := d.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}

	d = startDaemon(t, env, "serve", "--db", db, "--listen", "127.0.0.1:0")
	if n := len(decodeCSV(t, export(t, d.URL, e2eAdminToken, "csv"))); n != 2000 {
		t.Errorf("%d cameras after the restart, want 2000", n)
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
