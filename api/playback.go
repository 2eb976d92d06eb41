package api

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
)

// Watching a clip in a browser. A <video> element reads its source in
// several range requests (the index of a captured MP4 is at its end,
// and every seek is another request) and cannot send a header, while the
// download route wants a reason with every request and logs each one. So
// a viewing is granted once: POST /api/v1/clips/{id}/playback with the
// reason re-hashes the file and appends one "view" entry to the clip's
// chain of custody, before any byte is sent, and answers a URL that
// serves that file, with ranges, to the same session (or token) only,
// for a short while. The grant serves one clip, for reading only; it is
// worthless to anyone else (the URL is checked against the credential
// that asked for it) and ends when left unused.

// Playback grant limits.
const (
	// DefaultPlaybackIdle is how long a grant lives unused: a paused
	// video left for a coffee needs a reason again.
	DefaultPlaybackIdle = 10 * time.Minute
	// DefaultPlaybackMax is how long a grant lives at most, used or not.
	DefaultPlaybackMax = time.Hour
	// maxGrantsPerCredential bounds one session's grants: a person
	// watches a clip at a time, perhaps in two or three tabs. A new
	// grant past it ends the oldest.
	maxGrantsPerCredential = 4
	// maxGrants bounds every grant of the daemon (each holds an open
	// file).
	maxGrants = 1024
)

// playbackInput is the body of a playback request.
type playbackInput struct {
	Reason *string `json:"reason"`
}

// playbackAnswer is what a playback request answers.
type playbackAnswer struct {
	// URL serves the clip to the credential that asked, with ranges.
	URL    string `json:"url"`
	ClipID string `json:"clip_id"`
	// IdleSeconds is how long the URL lives unused; ExpiresAt is when it
	// ends however it is used.
	IdleSeconds int       `json:"idle_seconds"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// playbackGrant is one viewing: the verified file, held open, and who
// may read it.
type playbackGrant struct {
	id         string
	clip       *camera.Clip
	file       *os.File
	size       int64
	credential string
	created    time.Time // the server's clock (Options.Now)
	lastUsed   time.Time
	inflight   int  // requests reading the file now
	ended      bool // expired or replaced: closed once no request reads it
	timer      *time.Timer
}

// playbackGrants are a server's live grants. Validity is judged by the
// server's clock; the timers only release the files of grants nobody
// uses any more (on the wall clock, at the same durations).
type playbackGrants struct {
	mu        sync.Mutex
	byID      map[string]*playbackGrant
	idle, max time.Duration
}

func newPlaybackGrants(idle, max time.Duration) *playbackGrants {
	if idle <= 0 {
		idle = DefaultPlaybackIdle
	}
	if max <= 0 {
		max = DefaultPlaybackMax
	}
	return &playbackGrants{byID: map[string]*playbackGrant{}, idle: idle, max: max}
}

// add registers a grant for an open, verified file, ending the oldest of
// the same credential past maxGrantsPerCredential. It fails (ETOOMANY)
// when the daemon holds maxGrants already; the caller then closes f.
func (p *playbackGrants) add(g *playbackGrant) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var mine []*playbackGrant
	for _, o := range p.byID {
		if o.credential == g.credential {
			mine = append(mine, o)
		}
	}
	for len(mine) >= maxGrantsPerCredential {
		oldest := 0
		for i, o := range mine {
			if o.created.Before(mine[oldest].created) {
				oldest = i
			}
		}
		p.endLocked(mine[oldest])
		mine = append(mine[:oldest], mine[oldest+1:]...)
	}
	if len(p.byID) >= maxGrants {
		return camera.Errorf(camera.ETOOMANY, "", "%d clips are being played now, the most this daemon serves at once: try again in a few minutes", maxGrants)
	}
	p.byID[g.id] = g
	g.timer = time.AfterFunc(p.idle, func() { p.release(g) })
	return nil
}

// grantUse is what a request reads through a grant.
type grantUse struct {
	clip *camera.Clip
	file *os.File // open until done is called
	size int64
}

// acquire returns what grant id serves to a request of credential on
// clipID at now, and done, to call when the request has finished reading
// it; ok is false when there is no such live grant for that credential
// and clip.
func (p *playbackGrants) acquire(id, clipID, credential string, now time.Time) (u grantUse, done func(), ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.byID[id]
	if g == nil || g.ended || g.clip.ID != clipID || g.credential != credential {
		return u, nil, false
	}
	if !now.Before(g.lastUsed.Add(p.idle)) || !now.Before(g.created.Add(p.max)) {
		p.endLocked(g)
		return u, nil, false
	}
	g.inflight++
	g.lastUsed = now
	return grantUse{clip: g.clip, file: g.file, size: g.size}, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		g.inflight--
		if g.ended {
			p.closeLocked(g)
			return
		}
		g.timer.Reset(p.idle)
	}, true
}

// release is a grant's timer: it ends a grant left unused, or looks again
// later while a request is reading it.
func (p *playbackGrants) release(g *playbackGrant) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if g.inflight > 0 && !g.ended {
		g.timer.Reset(p.idle)
		return
	}
	p.endLocked(g)
}

// endLocked ends a grant: no new request may use it, and its file is
// closed once the requests reading it are done.
func (p *playbackGrants) endLocked(g *playbackGrant) {
	g.ended = true
	if p.byID[g.id] == g {
		delete(p.byID, g.id)
	}
	if g.timer != nil {
		g.timer.Stop()
	}
	p.closeLocked(g)
}

func (p *playbackGrants) closeLocked(g *playbackGrant) {
	if g.inflight == 0 && g.file != nil {
		_ = g.file.Close()
		g.file = nil
	}
}

// credentialOf names the credential of a request without holding it:
// the hash of its session secret, or of its bearer token.
func credentialOf(c *gin.Context) string {
	if _, ok := c.Get(sessionKey); ok {
		return "session:" + registry.HashToken(sessionSecret(c.Request))
	}
	_, secret, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	return "token:" + registry.HashToken(strings.TrimSpace(secret))
}

// newGrantID returns 256 random bits, URL-safe.
func newGrantID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// grantPlayback answers POST /api/v1/clips/{id}/playback {"reason"}: the
// file is re-hashed (a "verify" entry; an altered or missing file is
// refused as a download is), the viewing is logged with its reason (a
// "view" entry) before the URL is answered, and the URL then serves the
// file to this session or token only.
func (s *Server) grantPlayback(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	id, err := clipID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var in playbackInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	reason := ""
	if in.Reason != nil {
		reason = vntext.NFC(strings.TrimSpace(*in.Reason))
	}
	if reason == "" {
		s.writeError(c, invalid("reason", "is required: say why the clip is watched; it is kept in the clip's chain of custody"))
		return
	}
	f, clip, served := s.openVerified(c, id, camera.CustodyView, reason)
	if !served {
		return
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		s.writeError(c, err)
		return
	}
	gid, err := newGrantID()
	if err != nil {
		f.Close()
		s.writeError(c, err)
		return
	}
	now := s.now()
	g := &playbackGrant{id: gid, clip: clip, file: f, size: info.Size(), credential: credentialOf(c), created: now, lastUsed: now}
	if err := s.playback.add(g); err != nil {
		f.Close()
		s.writeError(c, err)
		return
	}
	s.log.Info("clip playback granted", slog.String("clip", id), slog.String("by", actor(c).Name))
	ok(c, http.StatusCreated, playbackAnswer{
		URL:    "/api/v1/clips/" + id + "/playback/" + gid,
		ClipID: id, IdleSeconds: int(s.playback.idle / time.Second), ExpiresAt: now.Add(s.playback.max),
	})
}

// playClip answers GET and HEAD /api/v1/clips/{id}/playback/{grant}: the
// file verified when the grant was made, with ranges, to the credential
// that asked for the grant. Anything else — another session, an ended
// grant, another clip — is 404, saying to ask again.
func (s *Server) playClip(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	id, err := clipID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	g, done, found := s.playback.acquire(c.Param("grant"), id, credentialOf(c), s.now())
	if !found {
		s.writeError(c, camera.Errorf(camera.ENOTFOUND, "grant", "no playback of clip %s for this session at this address: a playback ends %v after its last use and %v after it was granted; ask again with a reason (POST /api/v1/clips/%s/playback)",
			id, s.playback.idle, s.playback.max, id))
		return
	}
	defer done()
	sum, _ := hex.DecodeString(g.clip.SHA256)
	h := c.Writer.Header()
	ctype := "application/octet-stream"
	if g.clip.Inspected {
		ctype = "video/mp4"
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": downloadName(g.clip)}))
	h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	h.Set("ETag", `"`+g.clip.SHA256+`"`)
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// ServeContent answers ranges (206), If-Range against the ETag, and
	// HEAD; a section reader per request, since several read the one
	// open file at once (ReadAt does not move a shared offset).
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, io.NewSectionReader(g.file, 0, g.size))
	s.log.Debug("clip played", slog.String("clip", id), slog.String("range", c.GetHeader("Range")), slog.String("by", actor(c).Name))
}
