package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/matthan/matthan/registry"
)

// fileStat is what changes in a file when it is written to.
type fileStat struct {
	size  int64
	mtime time.Time
}

func fileState(t *testing.T, path string) fileStat {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileStat{st.Size(), st.ModTime()}
}

// notifyEOF is a request body that closes sent once the HTTP client has
// read all of it: the request is then in the daemon's hands.
type notifyEOF struct {
	r    io.Reader
	sent chan struct{}
	done bool
}

func (n *notifyEOF) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	if err == io.EOF && !n.done {
		n.done = true
		close(n.sent)
	}
	return k, err
}

// TestSIGKILLDuringImport imports 50,000 cameras in requests of 5,000 and
// kills the daemon with SIGKILL while the 4th request is in flight. On
// restart the file must open, every camera of every acknowledged request
// must be there whole, and no camera may be half-written: each one stored
// equals its CSV row, or is absent.
//
// Two moments of death: as soon as the 4th body has been sent (the daemon
// is parsing and validating), and as soon as the database file starts to
// change after that (the daemon is committing: a torn write).
func TestSIGKILLDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 50,000 cameras")
	}
	t.Run("body sent", func(t *testing.T) { sigkillImport(t, false) })
	t.Run("file changing", func(t *testing.T) { sigkillImport(t, true) })
}

func sigkillImport(t *testing.T, waitForWrite bool) {
	const (
		total      = 50_000
		perReq     = 5_000
		killDuring = 4 // the request (1-based) in flight when the daemon dies
	)
	dir := t.TempDir()
	db := filepath.Join(dir, "kill.db")
	env := []string{"MATTHAN_ADMIN_TOKEN=" + e2eAdminToken}
	d := startDaemon(t, env, "serve", "--db", db, "--listen", "127.0.0.1:0")

	rows := cameraRows("CG-K", 0, total, false)
	chunk := func(i int) []byte { return encodeCSV(t, rows[i*perReq:(i+1)*perReq]) }

	for i := 0; i < killDuring-1; i++ {
		res := importCSV(t, d.URL, e2eAdminToken, chunk(i))
		if res.Created != perReq {
			t.Fatalf("request %d created %d, want %d", i+1, res.Created, perReq)
		}
	}
	before := fileState(t, db)

	body := &notifyEOF{r: bytes.NewReader(chunk(killDuring - 1)), sent: make(chan struct{})}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, d.URL+"/api/v1/cameras/import", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+e2eAdminToken)
	type answer struct {
		status int
		body   []byte
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- answer{status: resp.StatusCode, body: b, err: err}
	}()
	select {
	case <-body.sent:
	case a := <-answered:
		t.Fatalf("request %d ended before its body was sent: %+v", killDuring, a)
	}
	if waitForWrite {
		// Poll the file, with a deadline, until the commit starts writing.
		deadline := time.Now().Add(stopDeadline)
		for fileState(t, db) == before && len(answered) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the database file did not change after the import was sent")
			}
			time.Sleep(50 * time.Microsecond)
		}
	}
	if code := d.stop(syscall.SIGKILL); code != -1 {
		t.Fatalf("exit code after SIGKILL = %d, want -1 (killed)", code)
	}
	a := <-answered
	acked := a.err == nil && a.status == http.StatusOK
	t.Logf("request %d when killed: acknowledged=%v (status %d, err %v)", killDuring, acked, a.status, a.err)

	// Restart on the same file.
	d = startDaemon(t, env, "serve", "--db", db, "--listen", "127.0.0.1:0")
	stored := decodeCSV(t, export(t, d.URL, e2eAdminToken, "csv"))

	mustHave := (killDuring - 1) * perReq
	if acked {
		mustHave = killDuring * perReq
	}
	partial := 0
	for i, r := range rows {
		got, ok := stored[r[0]]
		switch {
		case i < mustHave && !ok:
			t.Fatalf("camera %s of an acknowledged request is missing", r[0])
		case i >= killDuring*perReq && ok:
			t.Fatalf("camera %s of a request never sent exists", r[0])
		case !ok:
			continue
		}
		if i >= mustHave {
			partial++
		}
		if diff := sameCamera(r, got); diff != "" {
			t.Fatalf("camera %s is not what was sent: %s", r[0], diff)
		}
	}
	if len(stored) != mustHave+partial {
		t.Errorf("%d cameras stored, want %d (+%d from the killed request)", len(stored), mustHave, partial)
	}
	t.Logf("after the kill: %d cameras stored, %d of them from the request in flight", len(stored), partial)

	// Whole records through the API too, credentials flag included.
	for _, i := range []int{0, perReq - 1, mustHave - 1} {
		var cam struct {
			Name    string `json:"name"`
			Commune string `json:"commune"`
			CostVND int64  `json:"cost_vnd"`
		}
		unmarshal(t, mustCall(t, http.StatusOK, http.MethodGet, d.URL+"/api/v1/cameras/"+rows[i][0], e2eAdminToken, "", nil), &cam)
		if cam.Name != rows[i][1] || cam.Commune != rows[i][4] || fmt.Sprint(cam.CostVND) != rows[i][14] {
			t.Errorf("GET %s = %v, want the row %v", rows[i][0], cam, rows[i])
		}
	}
	if code := d.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}

	// With no daemon left, bbolt's own consistency check passes.
	s, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatalf("registry.Open after the kill: %v", err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatalf("consistency check: %v", err)
	}
	n, err := s.CountCameras(context.Background())
	if err != nil || n != len(stored) {
		t.Errorf("CountCameras = %d, %v; want %d", n, err, len(stored))
	}
}
