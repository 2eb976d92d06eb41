package api_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/evidence"
)

const clipRoute = "/api/v1/incidents/:id/clips"

// multipartBody is a form with one part named field holding data.
func multipartBody(t *testing.T, field, filename string, data []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

// upload posts a body to an incident's clips and decodes the answer.
func (e *incEnv) upload(incident, query, ctype string, body io.Reader, want int) (camera.Clip, api.Problem) {
	e.t.Helper()
	status, got, _ := e.do(e.police(), "POST", "/api/v1/incidents/"+incident+"/clips"+query, ctype, body)
	if status != want {
		e.t.Fatalf("upload: status %d, want %d: %s", status, want, got)
	}
	var clip camera.Clip
	var p api.Problem
	if status == http.StatusCreated {
		unmarshalT(e.t, got, &clip)
	} else {
		unmarshalT(e.t, got, &p)
	}
	return clip, p
}

func unmarshalT(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// rawRequest sends a request by hand on a TCP connection, closes the
// sending side and reads the answer: how a client that breaks off
// mid-upload looks to the server.
func (e *incEnv) rawRequest(method, path string, header map[string]string, body []byte) (int, string) {
	e.t.Helper()
	u, _ := url.Parse(e.srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n", method, path, u.Host, e.police())
	for k, v := range header {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n")
	if _, err := conn.Write(append([]byte(b.String()), body...)); err != nil {
		e.t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		e.t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		e.t.Fatalf("read the answer: %v", err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(got)
}

func TestClipUploadMultipartAndRaw(t *testing.T) {
	e := newIncidentEnv(t)
	e.addCamera("CG-0001", 10.3541, 106.4612, "")
	in := e.createIncident(incidentJSON("CG-0001", t0))
	other := e.createIncident(incidentJSON("CG-0001", t0.Add(time.Hour)))

	data := bytes.Repeat([]byte("not really an mp4 "), 4000) // 72 KB
	body, ctype := multipartBody(t, "file", "../../../etc/Cướp giật.mp4", data)
	clip, _ := e.upload(in.ID, "", ctype, bytes.NewReader(body), 201)
	if clip.ID != sha(data) || clip.SHA256 != clip.ID || clip.Bytes != int64(len(data)) || clip.Source != camera.ClipUpload {
		t.Errorf("clip %+v", clip)
	}
	if clip.Filename != "Cướp giật.mp4" || clip.Inspected || clip.InspectError == "" {
		t.Errorf("filename %q, inspected %v (%s): want the last path element, not inspected", clip.Filename, clip.Inspected, clip.InspectError)
	}
	if clip.IncidentID != in.ID || clip.CreatedBy.Name != "police-1" {
		t.Errorf("clip %+v", clip)
	}

	// Raw, with a hostile file name in the query; the same bytes on a
	// second incident are the same clip, stored once.
	raw := []byte("another file, as a raw body")
	rc, _ := e.upload(other.ID, "?filename="+url.QueryEscape(`..\..\x/../../hack.mp4`), "video/mp4", bytes.NewReader(raw), 201)
	if rc.ID != sha(raw) || rc.Filename != "hack.mp4" {
		t.Errorf("raw clip %+v", rc)
	}
	again, _ := e.upload(other.ID, "", "application/octet-stream", bytes.NewReader(data), 201)
	if again.ID != clip.ID || len(again.IncidentIDs) != 2 {
		t.Errorf("the same bytes again: %+v", again)
	}

	// Only content addresses under the clip store; nothing beside it.
	want := []string{clip.ID[:2] + "/" + clip.ID, rc.ID[:2] + "/" + rc.ID}
	if want[0] > want[1] {
		want[0], want[1] = want[1], want[0]
	}
	if got := e.clipFiles(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("clip store holds %v, want %v", got, want)
	}
	if entries, _ := os.ReadDir(filepath.Dir(e.files.Dir())); len(entries) != 1 {
		t.Errorf("the clip store's parent holds %d entries, want only the store", len(entries))
	}

	var l struct{ Items []camera.Clip }
	e.doJSON(e.police(), "GET", "/api/v1/incidents/"+other.ID+"/clips", nil, 200, &l)
	if len(l.Items) != 2 || l.Items[0].ID != rc.ID || l.Items[1].ID != clip.ID {
		t.Errorf("incident clips %+v", l.Items)
	}
	var inc camera.Incident
	e.doJSON(e.police(), "GET", "/api/v1/incidents/"+in.ID, nil, 200, &inc)
	if len(inc.Clips) != 1 || inc.Clips[0] != clip.ID {
		t.Errorf("incident clips %v", inc.Clips)
	}

	for _, tt := range []struct {
		name, ctype, body, field string
		status                   int
	}{
		{"unknown content type", "text/plain", "x", "Content-Type", 400},
		{"empty raw body", "video/mp4", "", "file", 400},
		{"multipart without a file part", "", "", "file", 400},
		{"multipart with another part", "", "notes", "notes", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, ctype := []byte(tt.body), tt.ctype
			if ctype == "" {
				var b bytes.Buffer
				w := multipart.NewWriter(&b)
				if tt.body != "" {
					_ = w.WriteField(tt.body, "x")
				}
				_ = w.Close()
				body, ctype = b.Bytes(), w.FormDataContentType()
			}
			_, p := e.on(t).upload(in.ID, "", ctype, bytes.NewReader(body), tt.status)
			if p.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", p.Field, tt.field, p.Detail)
			}
		})
	}
	e.upload("INC-NONE", "", "video/mp4", strings.NewReader("x"), 404)
}

// hideLength hides a reader's length from the HTTP client, which then
// sends the body chunked.
type hideLength struct{ io.Reader }

func TestClipUploadTooLarge(t *testing.T) {
	e := newIncidentEnv(t)
	e.addCamera("CG-0001", 10.3541, 106.4612, "")
	in := e.createIncident(incidentJSON("CG-0001", t0))
	big := bytes.Repeat([]byte{7}, testClipLimit+1)
	mp, mpType := multipartBody(t, "file", "big.mp4", big)

	cases := []struct {
		name  string
		ctype string
		body  io.Reader
	}{
		{"raw with its length", "video/mp4", bytes.NewReader(big)},
		{"raw chunked", "video/mp4", hideLength{bytes.NewReader(big)}},
		{"multipart", mpType, bytes.NewReader(mp)},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e := e.on(t)
			_, p := e.upload(in.ID, "", tt.ctype, tt.body, 413)
			if !strings.Contains(p.Detail, fmt.Sprint(testClipLimit)) {
				t.Errorf("detail %q does not name the limit", p.Detail)
			}
			if files := e.clipFiles(); len(files) != 0 {
				t.Errorf("an upload over the limit left %v", files)
			}
		})
	}
	// Exactly the limit is fine.
	e.upload(in.ID, "", "video/mp4", bytes.NewReader(big[:testClipLimit]), 201)
}

func TestClipUploadCutOff(t *testing.T) {
	e := newIncidentEnv(t)
	e.addCamera("CG-0001", 10.3541, 106.4612, "")
	in := e.createIncident(incidentJSON("CG-0001", t0))
	path := "/api/v1/incidents/" + in.ID + "/clips"
	data := bytes.Repeat([]byte("0123456789abcdef"), 8192) // 128 KiB

	t.Run("raw, Content-Length larger than the body", func(t *testing.T) {
		status, body := e.on(t).rawRequest("POST", path, map[string]string{"Content-Type": "video/mp4", "Content-Length": fmt.Sprint(len(data))}, data[:50_000])
		if status != 400 || !strings.Contains(body, "cut off") {
			t.Errorf("status %d: %s", status, body)
		}
	})
	t.Run("multipart cut in the file", func(t *testing.T) {
		mp, ctype := multipartBody(t, "file", "x.mp4", data)
		status, body := e.on(t).rawRequest("POST", path, map[string]string{"Content-Type": ctype, "Content-Length": fmt.Sprint(len(mp))}, mp[:60_000])
		if status != 400 || !strings.Contains(body, "cut off") {
			t.Errorf("status %d: %s", status, body)
		}
	})
	t.Run("chunked body that fails", func(t *testing.T) {
		e := e.on(t)
		before := e.requests(clipRoute, "400")
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write(data[:64<<10])
			pw.CloseWithError(errors.New("the phone lost its signal"))
		}()
		req, err := http.NewRequest("POST", e.srv.URL+path, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+e.police())
		req.Header.Set("Content-Type", "video/mp4")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Logf("the client got %s", resp.Status)
		}
		// The server answers the broken request (to nobody) once it has
		// cleaned up.
		e.waitRequests(clipRoute, "400", before+1)
	})
	if files := e.clipFiles(); len(files) != 0 {
		t.Errorf("cut uploads left %v", files)
	}
	var l struct{ Items []camera.Clip }
	e.doJSON(e.police(), "GET", path, nil, 200, &l)
	if len(l.Items) != 0 {
		t.Errorf("cut uploads recorded %+v", l.Items)
	}
}

// TestClipCaptureDownloadVerify: capture from a real (fake) RTSP camera,
// refused while the camera is not up; download with a reason, logged in
// custody; an altered file is reported and no longer served.
func TestClipCaptureDownloadVerify(t *testing.T) {
	e := newIncidentEnv(t)
	cam, err := rtsptest.Start(rtsptest.Options{Username: "admin", Password: "Cam-pw-1", Width: 640, Height: 480})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	e.addCamera("CG-0001", 10.3541, 106.4612, cam.URLWithCredentials("admin", "Cam-pw-1"))
	in := e.createIncident(incidentJSON("CG-0001", t0))
	path := "/api/v1/incidents/" + in.ID + "/clips"
	capture := func(body string, want int) []byte {
		t.Helper()
		return e.doJSON(e.police(), "POST", path, body, want, nil)
	}

	// Not probed yet, then down: refused at once, naming the state.
	var p api.Problem
	unmarshalT(t, capture(`{"camera_id":"CG-0001","capture_seconds":1}`, 503), &p)
	if p.Field != "camera_id" || !strings.Contains(p.Detail, "camera CG-0001 has not been probed yet (state unknown): cannot capture") {
		t.Errorf("unknown camera state: %+v", p)
	}
	since := time.Date(2026, 11, 28, 6, 12, 0, 0, time.UTC)
	e.setHealth("CG-0001", camera.StateDown, camera.ReasonRefused, since)
	unmarshalT(t, capture(`{"camera_id":"CG-0001","capture_seconds":1}`, 503), &p)
	if !strings.Contains(p.Detail, "camera CG-0001 is down (refused) since 2026-11-28T06:12:00Z: cannot capture") {
		t.Errorf("down camera: %+v", p)
	}
	for _, tt := range []struct{ body, field string }{
		{`{"camera_id":"CG-0001","capture_seconds":0}`, "capture_seconds"},
		{`{"camera_id":"CG-0001","capture_seconds":301}`, "capture_seconds"},
		{`{"camera_id":"CG-0001"}`, "capture_seconds"},
		{`{"capture_seconds":2}`, "camera_id"},
		{`{"camera_id":"CG-9999","capture_seconds":2}`, "camera_id"},
		{`{"camera_id":"CG-0001","capture_seconds":2,"fps":5}`, "fps"},
	} {
		unmarshalT(t, capture(tt.body, 400), &p)
		if p.Field != tt.field {
			t.Errorf("%s: field %q, want %q (%s)", tt.body, p.Field, tt.field, p.Detail)
		}
	}

	// curl -d labels a JSON body as a form: it is read as JSON all the same.
	status, got, _ := e.do(e.police(), "POST", path, "application/x-www-form-urlencoded", strings.NewReader(`{"camera_id":"CG-0001","capture_seconds":0}`))
	if unmarshalT(t, got, &p); status != 400 || p.Field != "capture_seconds" {
		t.Errorf("capture request sent as a form: %d %s", status, got)
	}

	e.setHealth("CG-0001", camera.StateUp, camera.ReasonOK, since.Add(time.Hour))
	var clip camera.Clip
	unmarshalT(t, capture(`{"camera_id":"CG-0001","capture_seconds":1}`, 201), &clip)
	if clip.Source != camera.ClipCapture || clip.CameraID != "CG-0001" || !clip.Inspected || clip.Codec != "h264" || clip.Width != 640 || clip.Height != 480 {
		t.Errorf("captured %+v", clip)
	}
	if clip.Duration < 0.8 || clip.Duration > 1.5 {
		t.Errorf("duration %v s, want about 1", clip.Duration)
	}
	clipPath := "/api/v1/clips/" + clip.ID

	// No reason, no download.
	p = e.problem(e.police(), "GET", clipPath, nil, 400)
	if p.Field != "reason" {
		t.Errorf("download without a reason: %+v", p)
	}
	e.problem(e.police(), "GET", clipPath+"?reason="+url.QueryEscape(strings.Repeat("x", 501)), nil, 400)
	e.problem(e.police(), "GET", "/api/v1/clips/not-a-clip?reason=x", nil, 400)
	e.problem(e.police(), "GET", "/api/v1/clips/"+strings.Repeat("0", 64)+"?reason=x", nil, 404)

	// With a reason (header, then query).
	const reason = "Vụ án CA-CG/2026/101: trích xuất cho cơ quan điều tra"
	req, _ := http.NewRequest("GET", e.srv.URL+clipPath, nil)
	req.Header.Set("Authorization", "Bearer "+e.police())
	req.Header.Set("X-Reason", reason)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || sha(got) != clip.ID || int64(len(got)) != clip.Bytes {
		t.Fatalf("download: %d, %d bytes hashing to %s", resp.StatusCode, len(got), sha(got))
	}
	sum, _ := hex.DecodeString(clip.ID)
	b64 := base64.StdEncoding.EncodeToString(sum)
	for k, want := range map[string]string{
		"Content-Type":        "video/mp4",
		"Repr-Digest":         "sha-256=:" + b64 + ":",
		"Digest":              "SHA-256=" + b64,
		"Content-Disposition": `attachment; filename=clip-` + clip.ID[:16] + `.mp4`,
		"Cache-Control":       "no-store",
	} {
		if g := resp.Header.Get(k); g != want {
			t.Errorf("%s: %q, want %q", k, g, want)
		}
	}
	e.doJSON(adminToken, "GET", clipPath+"?reason=audit", nil, 200, nil)

	var v evidence.VerifyResult
	e.doJSON(e.police(), "GET", clipPath+"/verify", nil, 200, &v)
	if v.Result != camera.VerifyMatch || v.SHA256 != clip.ID || v.Custody.Action != camera.CustodyVerify {
		t.Errorf("verify %+v", v)
	}

	// The chain: create, then each download preceded by its check, then
	// the verification; a page at a time.
	var chain []camera.CustodyEntry
	next := clipPath + "/custody?limit=2"
	for next != "" {
		var pg struct {
			Items      []camera.CustodyEntry
			NextCursor string `json:"next_cursor"`
		}
		e.doJSON(e.police(), "GET", next, nil, 200, &pg)
		chain = append(chain, pg.Items...)
		next = ""
		if pg.NextCursor != "" {
			next = clipPath + "/custody?limit=2&cursor=" + pg.NextCursor
		}
	}
	wantChain := []struct {
		action camera.CustodyAction
		who    string
		reason string
	}{
		{camera.CustodyCreate, "police-1", ""},
		{camera.CustodyVerify, "police-1", ""},
		{camera.CustodyDownload, "police-1", reason},
		{camera.CustodyVerify, "env-admin", ""},
		{camera.CustodyDownload, "env-admin", "audit"},
		{camera.CustodyVerify, "police-1", ""},
	}
	if len(chain) != len(wantChain) {
		t.Fatalf("custody %+v, want %d entries", chain, len(wantChain))
	}
	for i, w := range wantChain {
		g := chain[i]
		if g.Action != w.action || g.Actor.Name != w.who || (w.reason != "" && g.Reason != w.reason) || g.At.IsZero() {
			t.Errorf("custody %d = %+v, want %s by %s (%s)", i, g, w.action, w.who, w.reason)
		}
		if g.Action == camera.CustodyVerify && g.Result != camera.VerifyMatch {
			t.Errorf("custody %d: result %q", i, g.Result)
		}
	}
	if chain[2].Actor.Role != camera.RolePolice {
		t.Errorf("download role %q", chain[2].Actor.Role)
	}

	// Alter the file on disk: verify reports it, download refuses it.
	file := filepath.Join(e.files.Dir(), clip.ID[:2], clip.ID)
	if err := os.Chmod(file, 0o640); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xde, 0xad}, 100); err != nil {
		t.Fatal(err)
	}
	f.Close()
	e.doJSON(e.police(), "GET", clipPath+"/verify", nil, 200, &v)
	if v.Result != camera.VerifyMismatch || v.SHA256 == clip.ID {
		t.Errorf("verify after alteration: %+v", v)
	}
	p = e.problem(e.police(), "GET", clipPath+"?reason=court", nil, 409)
	if !strings.Contains(p.Detail, "does not match its sha256 (altered on disk)") {
		t.Errorf("download of an altered file: %+v", p)
	}
	var last struct{ Items []camera.CustodyEntry }
	e.doJSON(e.police(), "GET", clipPath+"/custody", nil, 200, &last)
	if n := len(last.Items); n != 8 || last.Items[n-1].Action != camera.CustodyVerify || last.Items[n-1].Result != camera.VerifyMismatch {
		t.Errorf("custody after a refused download: %+v", last.Items)
	}

	// Gone from disk: missing.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	e.doJSON(e.police(), "GET", clipPath+"/verify", nil, 200, &v)
	if v.Result != camera.VerifyMissing {
		t.Errorf("verify of a deleted file: %+v", v)
	}
	e.problem(e.police(), "GET", clipPath+"?reason=court", nil, 404)
}

// TestClipCaptureAbandoned: a client that goes away during a capture
// leaves nothing behind.
func TestClipCaptureAbandoned(t *testing.T) {
	e := newIncidentEnv(t)
	cam, err := rtsptest.Start(rtsptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	e.addCamera("CG-0001", 10.3541, 106.4612, cam.URL())
	e.setHealth("CG-0001", camera.StateUp, camera.ReasonOK, time.Now().Add(-time.Hour))
	in := e.createIncident(incidentJSON("CG-0001", t0))

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", e.srv.URL+"/api/v1/incidents/"+in.ID+"/clips", strings.NewReader(`{"camera_id":"CG-0001","capture_seconds":30}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.police())
	req.Header.Set("Content-Type", "application/json")
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	// Recording has begun once the temporary file exists.
	deadline := time.Now().Add(10 * time.Second)
	for len(e.clipFiles()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the capture did not start within 10 s")
		}
		pollPause(t)
	}
	cancel()
	if err := <-done; err == nil {
		t.Error("the cancelled request succeeded")
	}
	e.waitRequests(clipRoute, "400", 1)
	if files := e.clipFiles(); len(files) != 0 {
		t.Errorf("an abandoned capture left %v", files)
	}
}
