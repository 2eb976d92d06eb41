package evidence

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
	"github.com/matthan/matthan/registry"
)

// ClipIndex is what clip ingestion needs of the registry.
type ClipIndex interface {
	GetIncident(ctx context.Context, id string) (*camera.Incident, error)
	AttachClip(ctx context.Context, incidentID string, clip *camera.Clip, actor camera.Actor) (*camera.Clip, bool, error)
	GetClip(ctx context.Context, id string) (*camera.Clip, error)
	ClipExists(ctx context.Context, id string) (bool, error)
	ListClips(ctx context.Context, after string, limit int) ([]*camera.Clip, string, error)
	AppendCustody(ctx context.Context, e camera.CustodyEntry) (camera.CustodyEntry, error)
	ClipTotals(ctx context.Context) (clips int64, bytes int64, err error)
}

var _ ClipIndex = (*registry.Store)(nil)

// Clips ingests evidence clips: uploads and captures are stored in Files,
// inspected, and recorded in Store with their custody; downloads and
// verifications are logged in the custody chain.
//
// Set the fields before the first call and do not change them; a Clips is
// then safe for concurrent use.
type Clips struct {
	Store ClipIndex
	Files *ClipStore
	// Source captures camera streams (an *rtsp.Prober); nil disables
	// Capture.
	Source VideoSource
	// Metrics, when set, gets the clip bytes and verification failures.
	Metrics *IncidentMetrics
	// Logger discards when nil.
	Logger *slog.Logger
	// Now is time.Now when nil; it dates captures.
	Now func() time.Time
	// CaptureStartTimeout bounds the wait for a capture's first
	// keyframe; DefaultCaptureStartTimeout when zero.
	CaptureStartTimeout time.Duration
}

func (c *Clips) log() *slog.Logger { return orDiscard(c.Logger) }

// orDiscard is l, or a logger that discards when l is nil.
func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

func (c *Clips) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Upload stores the body of an upload as evidence of an incident: it
// streams r (at most limit bytes, ETOOLARGE beyond) into the clip store,
// inspects the file, and attaches it to the incident with a custody
// "create" entry. filename is the client's name for the file, kept
// sanitised for display only. The incident is checked before the body is
// read (ENOTFOUND). A file that is not a readable MP4 is kept, with
// Inspected false and the reason. A cut upload or a failure leaves no file
// and no record.
func (c *Clips) Upload(ctx context.Context, incidentID string, r io.Reader, limit int64, filename string, actor camera.Actor) (*camera.Clip, error) {
	if _, err := c.Store.GetIncident(ctx, incidentID); err != nil {
		return nil, err
	}
	t, err := c.Files.writeTemp(ctx, r, limit)
	if err != nil {
		return nil, err
	}
	clip := &camera.Clip{Source: camera.ClipUpload, Filename: camera.SanitizeFilename(vntext.NFC(filename))}
	return c.store(ctx, incidentID, t, clip, actor)
}

// store inspects a complete temporary file, moves it into place and
// attaches it, all or nothing.
func (c *Clips) store(ctx context.Context, incidentID string, t *tempClip, clip *camera.Clip, actor camera.Actor) (*camera.Clip, error) {
	ins := InspectFile(t.path)
	clip.ID, clip.SHA256, clip.Bytes = t.sha, t.sha, t.n
	clip.Inspected, clip.InspectError = ins.OK, ins.Error
	clip.Codec, clip.Width, clip.Height, clip.Duration = ins.Codec, ins.Width, ins.Height, ins.Duration
	var stored *camera.Clip
	var attached bool
	_, err := c.Files.commit(t, func() error {
		var err error
		stored, attached, err = c.Store.AttachClip(ctx, incidentID, clip, actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	c.log().Info("clip stored", "clip", stored.ID, "incident", incidentID, "source", clip.Source,
		"bytes", stored.Bytes, "inspected", stored.Inspected, "attached", attached, "actor", actor.Name)
	c.refreshBytes(ctx)
	return stored, nil
}

// refreshBytes sets the clip bytes gauge from the store's totals.
func (c *Clips) refreshBytes(ctx context.Context) { c.Metrics.refreshBytes(ctx, c.Store, c.log()) }

// Open opens a clip's file for a download, an export or a viewing, after
// appending the custody entry that records who reads it and why: the read
// is logged even if the transfer then fails. action is CustodyDownload,
// CustodyExport or CustodyView. A clip whose file is gone is ENOTFOUND, naming the file
// (run a verification: it records the loss).
func (c *Clips) Open(ctx context.Context, clipID string, action camera.CustodyAction, reason string, actor camera.Actor) (*os.File, *camera.Clip, error) {
	if action != camera.CustodyDownload && action != camera.CustodyExport && action != camera.CustodyView {
		return nil, nil, camera.Errorf(camera.EINVALID, "action", "must be download, export or view")
	}
	clip, err := c.Store.GetClip(ctx, clipID)
	if err != nil {
		return nil, nil, err
	}
	f, err := c.Files.Open(clip.ID)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, camera.Errorf(camera.ENOTFOUND, "file", "the file of clip %s is missing from the clip store", clip.ID)
	}
	if err != nil {
		return nil, nil, err
	}
	if _, err := c.Store.AppendCustody(ctx, camera.CustodyEntry{ClipID: clip.ID, Actor: actor, Action: action, Reason: reason}); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, clip, nil
}

// RefreshMetrics sets the clip bytes gauge from the store, for the
// daemon's start.
func (c *Clips) RefreshMetrics(ctx context.Context) { c.refreshBytes(ctx) }
