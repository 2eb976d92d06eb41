package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/camera"
)

// playbackEnv is an incident with one uploaded clip, on a server whose
// clock the test moves.
type playbackEnv struct {
	*incEnv
	clock *testClock
	clip  camera.Clip
	data  []byte
}

func newPlaybackEnv(t *testing.T) *playbackEnv {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 11, 28, 20, 0, 0, 0, time.UTC)}
	e := newIncidentEnvWith(t, func(o *api.Options) { o.Now = clock.now })
	e.addCamera("CG-0001", 10.3541, 106.4612, "")
	in := e.createIncident(incidentJSON("CG-0001", t0))
	data := bytes.Repeat([]byte("khung hình bằng chứng "), 3000) // 75 KB
	clip, _ := e.upload(in.ID, "?filename=nga-tu.mp4", "application/octet-stream", bytes.NewReader(data), http.StatusCreated)
	return &playbackEnv{incEnv: e, clock: clock, clip: clip, data: data}
}

// custody returns the clip's chain.
func (e *playbackEnv) custody() []camera.CustodyEntry {
	e.t.Helper()
	var pg struct{ Items []camera.CustodyEntry }
	e.doJSON(e.police(), "GET", "/api/v1/clips/"+e.clip.ID+"/custody", nil, http.StatusOK, &pg)
	return pg.Items
}

// grant asks for a playback with a reason.
func (e *playbackEnv) grant(token, reason string) string {
	e.t.Helper()
	var out struct {
		URL         string    `json:"url"`
		ClipID      string    `json:"clip_id"`
		IdleSeconds int       `json:"idle_seconds"`
		ExpiresAt   time.Time `json:"expires_at"`
	}
	e.doJSON(token, "POST", "/api/v1/clips/"+e.clip.ID+"/playback", map[string]string{"reason": reason}, http.StatusCreated, &out)
	if !strings.HasPrefix(out.URL, "/api/v1/clips/"+e.clip.ID+"/playback/") || out.ClipID != e.clip.ID || out.IdleSeconds != 600 ||
		!out.ExpiresAt.Equal(e.clock.now().Add(time.Hour)) {
		e.t.Fatalf("playback answer %+v", out)
	}
	return out.URL
}

// get reads a playback URL with a token and an optional Range.
func (e *playbackEnv) get(token, url, rng string) (int, []byte, http.Header) {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+url, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	checkOpenAPI(e.t, res, b)
	return res.StatusCode, b, res.Header
}

func TestPlaybackLogsOneViewBeforeAnyByte(t *testing.T) {
	e := newPlaybackEnv(t)
	base := "/api/v1/clips/" + e.clip.ID + "/playback"

	t.Run("a reason is required and nothing is logged without one", func(t *testing.T) {
		e := e.on(t)
		before := len(e.custody())
		for _, body := range []string{`{}`, `{"reason":"   "}`, `{"reason":null}`} {
			if p := e.problem(e.police(), "POST", base, body, http.StatusBadRequest); p.Field != "reason" {
				t.Errorf("%s: field %q, want reason", body, p.Field)
			}
		}
		if p := e.problem(e.police(), "POST", base, map[string]string{"reason": strings.Repeat("x", 501)}, http.StatusBadRequest); p.Field != "reason" {
			t.Errorf("a 501-character reason: field %q", p.Field)
		}
		if p := e.problem(e.police(), "POST", base, `{"reason":"x","why":"y"}`, http.StatusBadRequest); p.Field != "why" {
			t.Errorf("an unknown field: field %q", p.Field)
		}
		if got := len(e.custody()); got != before {
			t.Errorf("refused requests added %d custody entries", got-before)
		}
	})
	t.Run("planners and fundraisers may not", func(t *testing.T) {
		e := e.on(t)
		for _, r := range []camera.Role{camera.RolePlanner, camera.RoleFundraiser} {
			e.problem(e.tokens[r], "POST", base, map[string]string{"reason": "xem"}, http.StatusForbidden)
		}
	})
	t.Run("one view entry with the reason, then ranges without more entries", func(t *testing.T) {
		e := e.on(t)
		before := len(e.custody())
		const reason = "Đối chiếu biển số xe, hồ sơ CA-CG/2026/101"
		url := e.grant(e.police(), reason)
		chain := e.custody()
		if len(chain) != before+2 {
			t.Fatalf("custody grew by %d entries, want a verify and a view: %+v", len(chain)-before, chain[before:])
		}
		verify, view := chain[before], chain[before+1]
		if verify.Action != camera.CustodyVerify || verify.Result != camera.VerifyMatch {
			t.Errorf("first new entry %+v, want a matching verify", verify)
		}
		if view.Action != camera.CustodyView || view.Reason != reason || view.Actor.Name != "police-1" || view.Actor.Role != camera.RolePolice {
			t.Errorf("second new entry %+v, want a view by police-1 with the reason", view)
		}
		// The player's requests: the start, the index at the end, the
		// whole file, and HEAD.
		st, b, h := e.get(e.police(), url, "bytes=0-99")
		if st != http.StatusPartialContent || !bytes.Equal(b, e.data[:100]) || h.Get("Content-Range") != fmt.Sprintf("bytes 0-99/%d", len(e.data)) {
			t.Errorf("first range: %d %q, %d bytes", st, h.Get("Content-Range"), len(b))
		}
		st, b, _ = e.get(e.police(), url, "bytes=-1000")
		if st != http.StatusPartialContent || !bytes.Equal(b, e.data[len(e.data)-1000:]) {
			t.Errorf("last 1000 bytes: %d, %d bytes", st, len(b))
		}
		st, b, h = e.get(e.police(), url, "")
		if st != http.StatusOK || sha(b) != e.clip.ID {
			t.Errorf("whole file: %d, %d bytes, sha %s", st, len(b), sha(b))
		}
		for k, want := range map[string]string{
			"Accept-Ranges": "bytes", "ETag": `"` + e.clip.ID + `"`, "Cache-Control": "private, no-store",
			"X-Content-Type-Options": "nosniff", "Content-Disposition": `inline; filename=nga-tu.mp4`,
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
		st, b, h = e.get(e.police(), url, "bytes=100-199")
		if got := h.Get("Content-Range"); got != fmt.Sprintf("bytes 100-199/%d", len(e.data)) {
			t.Errorf("a seek's Content-Range %q", got)
		}
		if st != http.StatusPartialContent || !bytes.Equal(b, e.data[100:200]) {
			t.Errorf("a seek: %d, %d bytes", st, len(b))
		}
		status, _, hh := e.do(e.police(), "HEAD", url, "", nil)
		if status != http.StatusOK || hh.Get("Content-Length") != fmt.Sprint(len(e.data)) {
			t.Errorf("HEAD: %d, length %q", status, hh.Get("Content-Length"))
		}
		if got := len(e.custody()); got != before+2 {
			t.Errorf("reading the grant added %d custody entries; one viewing is one entry", got-before-2)
		}
	})
	t.Run("a grant is worthless to another credential", func(t *testing.T) {
		e := e.on(t)
		url := e.grant(e.police(), "xem lại")
		for _, tok := range []string{adminToken, e.tokens[camera.RoleAdmin]} {
			if st, _, _ := e.get(tok, url, "bytes=0-9"); st != http.StatusNotFound {
				t.Errorf("another token reading the grant: %d, want 404", st)
			}
		}
		// Another police token, of another person, too.
		var other struct{ Token string }
		e.doJSON(adminToken, "POST", "/api/v1/tokens", map[string]string{"name": "police-2", "role": "police"}, http.StatusCreated, &other)
		if st, _, _ := e.get(other.Token, url, "bytes=0-9"); st != http.StatusNotFound {
			t.Errorf("another police token reading the grant: %d, want 404", st)
		}
		// A grant of one clip does not serve another.
		wrong := strings.Replace(url, e.clip.ID, strings.Repeat("0", 64), 1)
		if st, _, _ := e.get(e.police(), wrong, ""); st != http.StatusNotFound {
			t.Errorf("the grant under another clip id: %d, want 404", st)
		}
		if st, _, _ := e.get(e.police(), base+"/not-a-grant", ""); st != http.StatusNotFound {
			t.Errorf("a made-up grant: %d, want 404", st)
		}
		if st, _, _ := e.get(e.tokens[camera.RolePlanner], url, ""); st != http.StatusForbidden {
			t.Errorf("a planner: %d, want 403", st)
		}
	})
	t.Run("a console session's grant serves that session only", func(t *testing.T) {
		e := e.on(t)
		e.mustUser("ca.songbinh", camera.RolePolice, "mật khẩu đủ dài")
		b := e.browser(t)
		if st := b.signIn("ca.songbinh", "mật khẩu đủ dài"); st != http.StatusOK {
			t.Fatalf("sign-in: %d", st)
		}
		if st, _, _ := b.send("POST", base, `{"reason":"xem"}`, nil); st != http.StatusForbidden {
			t.Errorf("a session's request without its CSRF token: %d, want 403", st)
		}
		st, out, _ := b.send("POST", base, `{"reason":"Xem trên điện thoại"}`, map[string]string{"X-CSRF-Token": b.csrf})
		if st != http.StatusCreated {
			t.Fatalf("a session's playback: %d %s", st, out)
		}
		var g struct{ URL string }
		unmarshalT(t, out, &g)
		if st, body, _ := b.send("GET", g.URL, "", map[string]string{"Range": "bytes=0-9"}); st != http.StatusPartialContent || !bytes.Equal(body, e.data[:10]) {
			t.Errorf("the session reading its grant: %d", st)
		}
		if st, _, _ := e.get(e.police(), g.URL, ""); st != http.StatusNotFound {
			t.Errorf("a token reading a session's grant: %d, want 404", st)
		}
		b2 := e.browser(t)
		b2.signIn("ca.songbinh", "mật khẩu đủ dài")
		if st, _, _ := b2.send("GET", g.URL, "", nil); st != http.StatusNotFound {
			t.Errorf("another session of the same user: %d, want 404", st)
		}
		chain := e.custody()
		if last := chain[len(chain)-1]; last.Action != camera.CustodyView || last.Actor.Name != "ca.songbinh" || last.Reason != "Xem trên điện thoại" {
			t.Errorf("the session's viewing is logged as %+v", last)
		}
		b.send("DELETE", "/api/v1/session", "", map[string]string{"X-CSRF-Token": b.csrf})
		if st, _, _ := b.send("GET", g.URL, "", nil); st != http.StatusUnauthorized {
			t.Errorf("the grant after sign-out: %d, want 401", st)
		}
	})
	t.Run("a grant ends unused for ten minutes, and after an hour", func(t *testing.T) {
		e := e.on(t)
		url := e.grant(e.police(), "xem")
		e.clock.advance(9 * time.Minute)
		if st, _, _ := e.get(e.police(), url, "bytes=0-0"); st != http.StatusPartialContent {
			t.Fatalf("after 9 minutes: %d", st)
		}
		e.clock.advance(10 * time.Minute)
		if st, body, _ := e.get(e.police(), url, "bytes=0-0"); st != http.StatusNotFound || !strings.Contains(string(body), "ask again with a reason") {
			t.Errorf("10 minutes after its last use: %d %s", st, body)
		}
		// Used every 9 minutes, it still ends an hour after it was made.
		url = e.grant(e.police(), "xem lâu")
		for range 6 {
			e.clock.advance(9 * time.Minute)
			if st, _, _ := e.get(e.police(), url, "bytes=0-0"); st != http.StatusPartialContent {
				t.Fatalf("at %v: %d", e.clock.now(), st)
			}
		}
		e.clock.advance(6 * time.Minute)
		if st, _, _ := e.get(e.police(), url, "bytes=0-0"); st != http.StatusNotFound {
			t.Errorf("an hour after it was made: %d, want 404", st)
		}
	})
	t.Run("a fifth grant of one credential ends its first", func(t *testing.T) {
		e := e.on(t)
		var urls []string
		for i := range 5 {
			urls = append(urls, e.grant(e.police(), fmt.Sprint("tab ", i)))
			e.clock.advance(time.Second)
		}
		if st, _, _ := e.get(e.police(), urls[0], "bytes=0-0"); st != http.StatusNotFound {
			t.Errorf("the first of five grants: %d, want 404", st)
		}
		for _, u := range urls[1:] {
			if st, _, _ := e.get(e.police(), u, "bytes=0-0"); st != http.StatusPartialContent {
				t.Errorf("a later grant: %d", st)
			}
		}
	})
	t.Run("a grant serves the file it verified; an altered file gets none", func(t *testing.T) {
		e := e.on(t)
		url := e.grant(e.police(), "xem")
		path := e.files.Path(e.clip.ID)
		// The file is replaced under its name after the grant: the grant
		// keeps reading what it verified.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("giả mạo"), 0o600); err != nil {
			t.Fatal(err)
		}
		if st, body, _ := e.get(e.police(), url, ""); st != http.StatusOK || sha(body) != e.clip.ID {
			t.Errorf("the grant after the file was replaced: %d, sha %s", st, sha(body))
		}
		p := e.problem(e.police(), "POST", base, map[string]string{"reason": "xem"}, http.StatusConflict)
		if p.Field != "file" || !strings.Contains(p.Detail, "altered on disk") {
			t.Errorf("a playback of an altered file: %+v", p)
		}
		chain := e.custody()
		if last := chain[len(chain)-1]; last.Action != camera.CustodyVerify || last.Result != camera.VerifyMismatch {
			t.Errorf("the refused playback left %+v last, want the failed verification", last)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		e.problem(e.police(), "POST", base, map[string]string{"reason": "xem"}, http.StatusNotFound)
		e.problem(e.police(), "POST", "/api/v1/clips/"+strings.Repeat("a", 64)+"/playback", map[string]string{"reason": "xem"}, http.StatusNotFound)
	})
}

func (e *playbackEnv) on(t *testing.T) *playbackEnv {
	c := *e
	c.incEnv = e.incEnv.on(t)
	return &c
}
