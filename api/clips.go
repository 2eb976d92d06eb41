package api

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/evidence"
	"github.com/matthan/matthan/internal/vntext"
)

// ClipService keeps evidence clips: *evidence.Clips.
type ClipService interface {
	Upload(ctx context.Context, incidentID string, r io.Reader, limit int64, filename string, actor camera.Actor) (*camera.Clip, error)
	Capture(ctx context.Context, incidentID string, cam *camera.Camera, d time.Duration, actor camera.Actor) (*camera.Clip, error)
	Open(ctx context.Context, clipID string, action camera.CustodyAction, reason string, actor camera.Actor) (*os.File, *camera.Clip, error)
	Verify(ctx context.Context, clipID string, actor camera.Actor) (evidence.VerifyResult, error)
}

var _ ClipService = (*evidence.Clips)(nil)

// DefaultClipLimit is the largest upload when Options.ClipLimit is zero.
const DefaultClipLimit = 2 << 30

// multipartSlack is what a multipart body may carry besides the file:
// boundaries and part headers.
const multipartSlack = 1 << 20

// Capture lengths a client may ask for, in seconds.
const (
	minCaptureSeconds = 1
	maxCaptureSeconds = int(evidence.MaxCaptureDuration / time.Second)
)

// addClip adds evidence to an incident, in one of three ways chosen by the
// Content-Type: a multipart form whose "file" part is the clip, a raw body
// (video/mp4 or application/octet-stream, the file name in ?filename=),
// or a JSON capture request {"camera_id", "capture_seconds"} (sent as
// application/json, or as curl -d sends it) that records that long from
// the camera now (the request waits for it). Uploads are
// streamed to disk, never held in memory; one over the limit is 413, one
// cut off is 400, and neither leaves anything behind.
func (s *Server) addClip(c *gin.Context) {
	q, err := checkQuery(c, "filename")
	if err != nil {
		s.writeError(c, err)
		return
	}
	id, err := pathID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var clip *camera.Clip
	switch ct := c.ContentType(); ct {
	case "multipart/form-data":
		s.upload(c)
		clip, err = s.uploadMultipart(c, id)
		err = s.uploadError(c, err)
	case "video/mp4", "application/octet-stream":
		if n := c.Request.ContentLength; n > s.clipLimit {
			err = camera.Errorf(camera.ETOOLARGE, "file", "is larger than the limit of %d bytes (Content-Length %d)", s.clipLimit, n)
			break
		}
		s.upload(c)
		clip, err = s.clips.Upload(c, id, c.Request.Body, s.clipLimit, q.Get("filename"), actor(c))
		err = s.uploadError(c, err)
	case "application/json", "application/x-www-form-urlencoded", "":
		// A capture request is JSON; like the other JSON routes it is
		// read whatever a client such as curl -d labels it.
		clip, err = s.capture(c, id)
		if camera.ErrorCode(err) == camera.EINTERNAL && c.Request.Context().Err() != nil {
			// The client went away (or the daemon is stopping): the
			// capture was abandoned and nothing was stored.
			s.log.Info("clip capture abandoned", slog.String("incident", id), slog.String("by", actor(c).Name), slog.Any("err", err))
			err = invalid("capture_seconds", "the capture was abandoned before its end: nothing was stored")
		}
	default:
		err = invalid("Content-Type", "must be multipart/form-data (a part named file), video/mp4 or application/octet-stream (the clip as the body), or application/json (a capture request), got %q", ct)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Location", "/api/v1/clips/"+clip.ID)
	ok(c, http.StatusCreated, clip)
}

// uploadMultipart streams the "file" part of a multipart body into the
// clip store.
func (s *Server) uploadMultipart(c *gin.Context, incidentID string) (*camera.Clip, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.clipLimit+multipartSlack)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, invalid("Content-Type", "is not a usable multipart/form-data type: %v", err)
	}
	part, err := mr.NextPart()
	if errors.Is(err, io.EOF) {
		return nil, invalid("file", "is required: send the clip in a part named file")
	}
	if err != nil {
		return nil, err
	}
	defer part.Close()
	if name := part.FormName(); name != "file" {
		if name == "" {
			name = "body"
		}
		return nil, invalid(name, "is not a known part: send the clip in the first part, named file")
	}
	// FileName keeps only the last element of the client's path; the
	// store keeps it, sanitised, for display only.
	return s.clips.Upload(c, incidentID, part, s.clipLimit, part.FileName(), actor(c))
}

// uploadError turns what a broken upload looks like into a client error:
// a body cut off before its end, a client gone.
func (s *Server) uploadError(c *gin.Context, err error) error {
	if err == nil || camera.ErrorCode(err) != camera.EINTERNAL {
		return err
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return camera.Errorf(camera.ETOOLARGE, "body", "is larger than the limit of %d bytes", s.clipLimit)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || c.Request.Context().Err() != nil:
		// The body ended early, or the client went away (the server
		// cancels the request's context when the connection closes).
		s.log.Info("clip upload cut off", slog.String("incident", c.Param("id")), slog.String("by", actor(c).Name), slog.Any("err", err))
		return invalid("file", "the upload was cut off before its end: nothing was stored")
	}
	return err
}

// captureInput is the JSON body of a capture request.
type captureInput struct {
	CameraID       *string `json:"camera_id"`
	CaptureSeconds *int    `json:"capture_seconds"`
}

// capture records from a camera that is up. One that is not is refused at
// once, naming its state, reason and since when, rather than after a
// timeout.
func (s *Server) capture(c *gin.Context, incidentID string) (*camera.Clip, error) {
	var in captureInput
	if err := s.decodeJSON(c, &in); err != nil {
		return nil, err
	}
	switch {
	case in.CameraID == nil || strings.TrimSpace(*in.CameraID) == "":
		return nil, invalid("camera_id", "is required: the camera to record from")
	case in.CaptureSeconds == nil:
		return nil, invalid("capture_seconds", "is required: %d to %d", minCaptureSeconds, maxCaptureSeconds)
	case *in.CaptureSeconds < minCaptureSeconds || *in.CaptureSeconds > maxCaptureSeconds:
		return nil, invalid("capture_seconds", "must be from %d to %d, got %d", minCaptureSeconds, maxCaptureSeconds, *in.CaptureSeconds)
	}
	camID := strings.TrimSpace(*in.CameraID)
	if _, err := s.incidents.GetIncident(c, incidentID); err != nil {
		return nil, err
	}
	cam, err := s.store.GetCamera(c, camID)
	if camera.ErrorCode(err) == camera.ENOTFOUND {
		return nil, invalid("camera_id", "no camera with id %q", camID)
	}
	if err != nil {
		return nil, err
	}
	h, err := s.health.CurrentHealth(c, cam.ID)
	if err != nil {
		return nil, err
	}
	if h.State != camera.StateUp {
		return nil, camera.Errorf(camera.EUNAVAILABLE, "camera_id", "%s: cannot capture", describeHealth(cam.ID, h, s.loc))
	}
	return s.clips.Capture(c, incidentID, cam, time.Duration(*in.CaptureSeconds)*time.Second, actor(c))
}

// describeHealth says what state a camera is in, with the time in the
// daemon's zone, e.g. "camera CG-0001 is down (refused) since
// 2026-11-28T20:00:00+07:00".
func describeHealth(id string, h camera.Health, loc *time.Location) string {
	if h.State == camera.StateUnknown && h.Since.IsZero() {
		return "camera " + id + " has not been probed yet (state unknown)"
	}
	var b strings.Builder
	b.WriteString("camera " + id + " is " + string(h.State))
	if h.Reason != "" {
		b.WriteString(" (" + h.Reason + ")")
	}
	if !h.Since.IsZero() {
		b.WriteString(" since " + h.Since.In(loc).Format(time.RFC3339))
	}
	return b.String()
}

// clipID returns the :id path parameter as a clip id.
func clipID(c *gin.Context) (string, error) {
	id := c.Param("id")
	if !camera.ValidClipID(id) {
		return "", invalid("id", "must be a clip id: 64 lowercase hex digits (the SHA-256 of the file)")
	}
	return id, nil
}

// downloadClip sends a clip's file. A reason is required (X-Reason or
// ?reason=); before a byte is sent the file is re-hashed (a "verify"
// custody entry) and the download logged (a "download" entry, with the
// token's name and role, the time and the reason). A file that no longer
// matches its hash is refused: altered evidence is reported, never served
// as if it were valid.
func (s *Server) downloadClip(c *gin.Context) {
	q, err := checkQuery(c, "reason")
	if err != nil {
		s.writeError(c, err)
		return
	}
	id, err := clipID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	reason := strings.TrimSpace(c.GetHeader("X-Reason"))
	if reason == "" {
		reason = strings.TrimSpace(q.Get("reason"))
	}
	if reason == "" {
		s.writeError(c, invalid("reason", "is required: say why the clip is downloaded (X-Reason header or ?reason=); it is kept in the clip's chain of custody"))
		return
	}
	reason = vntext.NFC(reason)
	f, clip, served := s.openVerified(c, id, camera.CustodyDownload, reason)
	if !served {
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		s.writeError(c, err)
		return
	}
	sum, _ := hex.DecodeString(clip.SHA256)
	digest := base64.StdEncoding.EncodeToString(sum)
	ctype := "application/octet-stream"
	if clip.Inspected {
		ctype = "video/mp4"
	}
	h := c.Writer.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.FormatInt(info.Size(), 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(clip)}))
	h.Set("Repr-Digest", "sha-256=:"+digest+":")
	h.Set("Digest", "SHA-256="+digest)
	h.Set("ETag", `"`+clip.SHA256+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	n, err := io.Copy(c.Writer, f)
	if err != nil {
		s.log.Warn("clip download interrupted", slog.String("clip", id), slog.Int64("bytes", n), slog.Any("err", err))
		return
	}
	s.log.Info("clip downloaded", slog.String("clip", id), slog.Int64("bytes", n), slog.String("by", actor(c).Name))
}

// downloadName is the file name a download suggests: the uploader's name
// (sanitised when stored) or one made of the clip's id.
func downloadName(clip *camera.Clip) string {
	name := camera.SanitizeFilename(clip.Filename)
	if name == "" {
		name = "clip-" + clip.ID[:16]
		if clip.Inspected {
			name += ".mp4"
		}
	}
	return name
}

// verifyClip re-hashes a clip's file and answers match, mismatch or
// missing; the check is appended to the clip's chain of custody.
func (s *Server) verifyClip(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	id, err := clipID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	res, err := s.clips.Verify(c, id, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, res)
}

// clipCustody answers a clip's chain of custody, oldest first.
func (s *Server) clipCustody(c *gin.Context) {
	q, err := checkQuery(c, "limit", "cursor")
	if err != nil {
		s.writeError(c, err)
		return
	}
	id, err := clipID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, from, err := seqPageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	items, next, err := s.incidents.ListCustody(c, id, from, limit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := page[camera.CustodyEntry]{Items: items}
	if out.Items == nil {
		out.Items = []camera.CustodyEntry{}
	}
	if next != 0 {
		out.NextCursor = encodeCursor(strconv.FormatUint(next, 10))
	}
	ok(c, http.StatusOK, out)
}

// incidentClips answers an incident's clips in the order they were
// attached (at most camera.MaxClipsPerIncident: one page).
func (s *Server) incidentClips(c *gin.Context) {
	id, err := idWithoutQuery(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	clips, err := s.incidents.IncidentClips(c, id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if clips == nil {
		clips = []*camera.Clip{}
	}
	ok(c, http.StatusOK, page[*camera.Clip]{Items: clips})
}

// openVerified is what both routes that hand out a clip's bytes (a
// download, a playback grant) do first: check the custody entry they will
// write, re-hash the file, refuse one altered or missing, and open it with
// action and reason appended to the clip's chain of custody. It answers
// the error itself and says ok false when the clip may not be served.
func (s *Server) openVerified(c *gin.Context, id string, action camera.CustodyAction, reason string) (*os.File, *camera.Clip, bool) {
	entry := camera.CustodyEntry{ClipID: id, Action: action, Reason: reason}
	if err := entry.Validate(); err != nil {
		s.writeError(c, err)
		return nil, nil, false
	}
	res, err := s.clips.Verify(c, id, actor(c))
	if err != nil {
		s.writeError(c, err)
		return nil, nil, false
	}
	switch res.Result {
	case camera.VerifyMismatch:
		s.writeError(c, camera.Errorf(camera.ECONFLICT, "file", "clip file does not match its sha256 (altered on disk): it now hashes to %s; it is not served, and the check is in its chain of custody", res.SHA256))
		return nil, nil, false
	case camera.VerifyMissing:
		s.writeError(c, camera.Errorf(camera.ENOTFOUND, "file", "the file of clip %s is missing from the clip store", id))
		return nil, nil, false
	}
	f, clip, err := s.clips.Open(c, id, action, reason, actor(c))
	if err != nil {
		s.writeError(c, err)
		return nil, nil, false
	}
	return f, clip, true
}
