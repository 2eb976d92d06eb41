package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/matthan/matthan/camera"
)

// copyBuffer is the buffer of every copy of clip bytes: memory per upload
// stays this size whatever the size of the file.
const copyBuffer = 32 << 10

// tempPrefix starts the names of files being written. They live in the
// clips directory itself, on the same file system as their final place,
// so that the final rename is atomic.
const tempPrefix = ".tmp-"

// staleTemp is the age past which a temporary file is a leftover of a
// crash: no upload or capture takes a day.
const staleTemp = 24 * time.Hour

// ClipStore keeps evidence files, content-addressed: the file whose
// SHA-256 is h lives at <dir>/<h[0:2]>/<h>, without extension (an upload
// that is not a readable MP4 is kept too, so the name promises nothing;
// the clip record says what it is). The client's file name never reaches
// the file system. Files are written to a temporary file, fsynced, then
// renamed into place, so a crash leaves either nothing or the whole file.
// Stored files are read-only (0440).
//
// A ClipStore is safe for concurrent use.
type ClipStore struct {
	dir string

	// mu makes "move a file into place and record it" atomic with
	// respect to "check that a file is unreferenced and delete it", so
	// that retention never deletes a file an upload of the same bytes
	// has just attached again.
	mu sync.Mutex
}

// NewClipStore opens (creating it if needed) the clips directory and
// removes temporary files a crash left behind more than a day ago.
func NewClipStore(dir string) (*ClipStore, error) {
	if dir == "" {
		return nil, errors.New("clips directory: empty path")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("clips directory: %w", err)
	}
	s := &ClipStore{dir: dir}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("clips directory: %w", err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return s, nil
}

// Dir returns the clips directory.
func (s *ClipStore) Dir() string { return s.dir }

// Path returns where the file of clip id (its SHA-256) is stored.
func (s *ClipStore) Path(id string) string {
	if !camera.ValidClipID(id) {
		// Never build a path from anything but a hash.
		return filepath.Join(s.dir, "invalid")
	}
	return filepath.Join(s.dir, id[:2], id)
}

// Open opens a stored file for reading; the error wraps fs.ErrNotExist
// when it is gone.
func (s *ClipStore) Open(id string) (*os.File, error) {
	if !camera.ValidClipID(id) {
		return nil, camera.Errorf(camera.EINVALID, "id", "must be 64 lowercase hex digits")
	}
	return os.Open(s.Path(id))
}

// Save streams r into the store, up to limit bytes, and returns the
// file's SHA-256, its size and its path. A stream longer than limit fails
// with ETOOLARGE; a stream that fails (a cut upload) or a cancelled ctx
// fails with its error; in both cases nothing is left on disk. Memory
// stays at one 32 KiB buffer whatever the size.
//
// Save only stores the file: Clips.Upload also inspects and records it.
func (s *ClipStore) Save(ctx context.Context, r io.Reader, limit int64) (sha string, n int64, path string, err error) {
	t, err := s.writeTemp(ctx, r, limit)
	if err != nil {
		return "", 0, "", err
	}
	path, err = s.commit(t, nil)
	if err != nil {
		return "", 0, "", err
	}
	return t.sha, t.n, path, nil
}

// tempClip is a complete file waiting in its temporary place.
type tempClip struct {
	path string
	sha  string
	n    int64
}

func (t *tempClip) discard() { _ = os.Remove(t.path) }

// newTemp creates a temporary file in the clips directory.
func (s *ClipStore) newTemp(kind string) (*os.File, error) {
	f, err := os.CreateTemp(s.dir, tempPrefix+kind+"-*")
	if err != nil {
		return nil, fmt.Errorf("create temporary clip file: %w", err)
	}
	return f, nil
}

// writeTemp copies r into a temporary file, hashing on the way.
func (s *ClipStore) writeTemp(ctx context.Context, r io.Reader, limit int64) (*tempClip, error) {
	if limit <= 0 {
		return nil, camera.Errorf(camera.EINVALID, "limit", "must be more than 0 bytes")
	}
	f, err := s.newTemp("upload")
	if err != nil {
		return nil, err
	}
	t := &tempClip{path: f.Name()}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			t.discard()
		}
	}()
	h := sha256.New()
	// One byte over the limit is read to tell "exactly limit" from
	// "more than limit".
	src := io.LimitReader(ctxReader{ctx, r}, limit+1)
	n, err := io.CopyBuffer(io.MultiWriter(f, h), src, make([]byte, copyBuffer))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("receive clip: %w", err)
	}
	if n > limit {
		return nil, camera.Errorf(camera.ETOOLARGE, "file", "is larger than the limit of %d bytes", limit)
	}
	if n == 0 {
		return nil, camera.Errorf(camera.EINVALID, "file", "is empty")
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("sync clip file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close clip file: %w", err)
	}
	ok = true
	t.sha, t.n = hex.EncodeToString(h.Sum(nil)), n
	return t, nil
}

// hashTemp hashes a complete temporary file written by someone else (the
// MP4 muxer of a capture, which seeks back and cannot be hashed on the
// way).
func (s *ClipStore) hashTemp(ctx context.Context, path string) (*tempClip, error) {
	sha, n, err := hashFile(ctx, path)
	if err != nil {
		return nil, err
	}
	return &tempClip{path: path, sha: sha, n: n}, nil
}

// commit moves a temporary file to its content address and, with the
// store's lock held, runs record (the metadata transaction). When record
// fails the file is removed again, unless it was already stored before
// (the same bytes, recorded by another clip). The temporary file is gone
// when commit returns.
func (s *ClipStore) commit(t *tempClip, record func() error) (string, error) {
	final := s.Path(t.sha)
	s.mu.Lock()
	defer s.mu.Unlock()
	renamed := false
	defer func() {
		if !renamed {
			t.discard()
		}
	}()
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return "", fmt.Errorf("clips directory: %w", err)
	}
	_, statErr := os.Stat(final)
	existed := statErr == nil
	if err := os.Chmod(t.path, 0o440); err != nil {
		return "", fmt.Errorf("protect clip file: %w", err)
	}
	// Renaming over an existing file of the same hash replaces it with
	// identical bytes (or repairs a damaged copy): either way the file at
	// the address is the one whose hash is its name.
	if err := os.Rename(t.path, final); err != nil {
		return "", fmt.Errorf("store clip file: %w", err)
	}
	renamed = true
	if err := syncDir(filepath.Dir(final)); err != nil {
		return "", err
	}
	if record != nil {
		if err := record(); err != nil {
			if !existed {
				_ = os.Remove(final)
			}
			return "", err
		}
	}
	return final, nil
}

// removeUnreferenced deletes the file of clip id unless referenced says it
// is still recorded, with the lock that commit holds: an upload of the
// same bytes either attached before the check (the file stays) or moves
// its own copy into place after the deletion.
func (s *ClipStore) removeUnreferenced(ctx context.Context, id string, referenced func(context.Context, string) (bool, error)) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref, err := referenced(ctx, id)
	if err != nil || ref {
		return false, err
	}
	err = os.Remove(s.Path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// hashFile returns the SHA-256 and size of a file, reading it with one
// 32 KiB buffer.
func hashFile(ctx context.Context, path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, ctxReader{ctx, f}, make([]byte, copyBuffer))
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// syncDir fsyncs a directory, so that a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync clips directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync clips directory: %w", err)
	}
	return nil
}

// ctxReader ends a read loop when ctx is done: an upload whose client went
// away, a daemon stopping.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
