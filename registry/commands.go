package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry/record"
)

// The command kinds and their payloads. A payload carries every value the
// node that took the write chose (the camera as given, a token's key, a
// password's hash, a session's key); the store's clock is the command's
// time. Secrets never travel: a token or a session travels as the hash
// of its secret, a password as its argon2id hash. Cameras travel as their
// stored record (record.EncodeCamera), which holds their RTSP
// credentials: every node needs them to probe.
const (
	KindCameraCreate  = "camera.create"
	KindCameraReplace = "camera.replace"
	KindCameraUpdate  = "camera.update"
	KindCameraDelete  = "camera.delete"
	KindCameraImport  = "camera.import"
	KindHealthRecord  = "health.record"
	KindUserCreate    = "user.create"
	KindUserUpdate    = "user.update"
	KindTokenCreate   = "token.create"
	KindTokenRevoke   = "token.revoke"
	KindSessionCreate = "session.create"
	KindSessionTouch  = "session.touch"
	KindSessionEnd    = "session.end"
	KindSessionDelete = "session.delete"
	KindBackupRecord  = "backup.record"
	KindHealthDelete  = "health.delete"
)

// CameraRecord is a camera as it travels in a payload: its stored record,
// credentials included (camera.Camera keeps them out of its JSON).
type CameraRecord struct{ *camera.Camera }

// MarshalJSON writes the camera's record.
func (r CameraRecord) MarshalJSON() ([]byte, error) { return record.EncodeCamera(r.Camera) }

// UnmarshalJSON reads a camera's record.
func (r *CameraRecord) UnmarshalJSON(b []byte) error {
	c, err := record.DecodeCamera(b)
	if err != nil {
		return err
	}
	r.Camera = c
	return nil
}

// Payloads, one per kind. Value names what Outcome.Value holds.

// CameraCreate is KindCameraCreate's payload; Value is the camera as
// stored (*camera.Camera).
type CameraCreate struct {
	Camera CameraRecord `json:"camera"`
	Actor  camera.Actor `json:"actor"`
}

// CameraReplace is KindCameraReplace's payload; Value is ReplaceResult.
type CameraReplace struct {
	Camera          CameraRecord `json:"camera"`
	KeepCredentials bool         `json:"keep_credentials"`
	Actor           camera.Actor `json:"actor"`
}

// ReplaceResult is the Value of KindCameraReplace.
type ReplaceResult struct {
	Camera  *camera.Camera
	Created bool
}

// CameraUpdate is KindCameraUpdate's payload: the camera as the taking
// node read it (Prev) and as its change left it (Next). The change is a
// function of the API (PATCH, retire) run where the request was taken;
// the apply stores Next only if the camera is still Prev, and refuses
// with ErrStale otherwise, so that the taking node reads again and runs
// the change again (a compare-and-set). Value is the camera as stored.
type CameraUpdate struct {
	ID     string       `json:"id"`
	Action string       `json:"action"`
	Prev   CameraRecord `json:"prev"`
	Next   CameraRecord `json:"next"`
	Actor  camera.Actor `json:"actor"`
}

// ErrStale is the outcome of a KindCameraUpdate whose camera changed
// after the taking node read it: read it again and retry.
var ErrStale = errors.New("the record changed since it was read")

// CameraDelete is KindCameraDelete's payload; Value is nil.
type CameraDelete struct {
	ID    string       `json:"id"`
	Actor camera.Actor `json:"actor"`
}

// CameraImport is KindCameraImport's payload: the rows of an import (or,
// for an import too large for one command, a part of them: a
// non-atomic import commits in parts anyway). Value is ImportOutcome.
type CameraImport struct {
	Cameras []CameraRecord `json:"cameras"`
	Options ImportOptions  `json:"options"`
	Actor   camera.Actor   `json:"actor"`
}

// ImportOutcome is the Value of KindCameraImport: the counts, and the
// cameras as stored (credentials and kept fields filled in), in the
// order of the payload.
type ImportOutcome struct {
	Result  ImportResult
	Cameras []*camera.Camera
}

// HealthRecord is KindHealthRecord's payload: confirmed transitions and
// the current health of the cameras they concern. Value is nil.
type HealthRecord struct {
	Current     []camera.Health     `json:"current,omitempty"`
	Transitions []camera.Transition `json:"transitions,omitempty"`
}

// UserCreate is KindUserCreate's payload; Value is the user as stored
// (*camera.User).
type UserCreate struct {
	User         camera.User  `json:"user"`
	PasswordHash string       `json:"password_hash"`
	Actor        camera.Actor `json:"actor"`
}

// UserUpdate is KindUserUpdate's payload (Change.Password is nil; the new
// password travels as PasswordHash); Value is *camera.User.
type UserUpdate struct {
	Name         string       `json:"name"`
	Change       UserChange   `json:"change"`
	PasswordHash string       `json:"password_hash,omitempty"`
	Actor        camera.Actor `json:"actor"`
}

// TokenCreate is KindTokenCreate's payload: Key is the HashToken of the
// secret the taking node drew and answers with. Value is Token.
type TokenCreate struct {
	Spec  TokenSpec    `json:"spec"`
	Key   string       `json:"key"`
	Actor camera.Actor `json:"actor"`
}

// TokenRevoke is KindTokenRevoke's payload; Value is Token.
type TokenRevoke struct {
	ID    string       `json:"id"`
	Actor camera.Actor `json:"actor"`
}

// SessionCreate is KindSessionCreate's payload: Key is the HashToken of
// the secret the taking node drew. Value is Session.
type SessionCreate struct {
	User   camera.User   `json:"user"`
	Key    string        `json:"key"`
	CSRF   string        `json:"csrf"`
	Limits SessionLimits `json:"limits"`
}

// SessionKey is the payload of KindSessionTouch and KindSessionEnd;
// Value is nil.
type SessionKey struct {
	Key string `json:"key"`
}

// SessionDelete is KindSessionDelete's payload (signing out); Value is
// nil.
type SessionDelete struct {
	Key   string       `json:"key"`
	Actor camera.Actor `json:"actor"`
}

// HealthDelete is KindHealthDelete's payload; Value is nil.
type HealthDelete struct {
	ID string `json:"id"`
}

// BackupRecord is KindBackupRecord's payload (the audit entry of a
// backup, or with Action ActionSnapshot of a copy sent to a joining
// node); Value is nil.
type BackupRecord struct {
	Name   string       `json:"name"`
	Size   int64        `json:"size"`
	Actor  camera.Actor `json:"actor"`
	Action string       `json:"action,omitempty"`
}

// applyFunc applies one command's payload on s, a copy of the store bound
// to the batch's transaction and the command's time.
type applyFunc func(s *Store, ctx context.Context, payload []byte) (any, error)

// decode reads a payload into a value of type P.
func decode[P any](payload []byte) (P, error) {
	var p P
	payload, err := openPayload(payload)
	if err != nil {
		return p, badPayload{err}
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return p, badPayload{err}
	}
	return p, nil
}

// kind makes the applyFunc of a payload type.
func kind[P any](run func(s *Store, ctx context.Context, p P) (any, error)) applyFunc {
	return func(s *Store, ctx context.Context, payload []byte) (any, error) {
		p, err := decode[P](payload)
		if err != nil {
			return nil, err
		}
		return run(s, ctx, p)
	}
}

// applierOf returns the apply of kind, false for a kind this program
// does not know.
func applierOf(k string) (applyFunc, bool) {
	switch k {
	case KindCameraCreate:
		return kind(func(s *Store, ctx context.Context, p CameraCreate) (any, error) {
			if p.Camera.Camera == nil {
				return nil, badPayload{errors.New("no camera")}
			}
			return p.Camera.Camera, s.CreateCamera(ctx, p.Camera.Camera, p.Actor)
		}), true
	case KindCameraReplace:
		return kind(func(s *Store, ctx context.Context, p CameraReplace) (any, error) {
			if p.Camera.Camera == nil {
				return nil, badPayload{errors.New("no camera")}
			}
			created, err := s.ReplaceCamera(ctx, p.Camera.Camera, p.KeepCredentials, p.Actor)
			return ReplaceResult{Camera: p.Camera.Camera, Created: created}, err
		}), true
	case KindCameraUpdate:
		return kind(applyCameraUpdate), true
	case KindCameraDelete:
		return kind(func(s *Store, ctx context.Context, p CameraDelete) (any, error) {
			return nil, s.DeleteCamera(ctx, p.ID, p.Actor)
		}), true
	case KindCameraImport:
		return kind(func(s *Store, ctx context.Context, p CameraImport) (any, error) {
			cams := make([]*camera.Camera, len(p.Cameras))
			for i, r := range p.Cameras {
				if r.Camera == nil {
					return nil, badPayload{fmt.Errorf("row %d: no camera", i)}
				}
				cams[i] = r.Camera
			}
			res, err := s.Import(ctx, cams, p.Options, p.Actor)
			return ImportOutcome{Result: res, Cameras: cams}, err
		}), true
	case KindHealthRecord:
		return kind(func(s *Store, ctx context.Context, p HealthRecord) (any, error) {
			return nil, s.RecordHealth(ctx, p.Current, p.Transitions)
		}), true
	case KindUserCreate:
		return kind(func(s *Store, ctx context.Context, p UserCreate) (any, error) {
			u := p.User
			return &u, s.CreateUserHash(ctx, &u, p.PasswordHash, p.Actor)
		}), true
	case KindUserUpdate:
		return kind(func(s *Store, ctx context.Context, p UserUpdate) (any, error) {
			return s.UpdateUserHash(ctx, p.Name, p.Change, p.PasswordHash, p.Actor)
		}), true
	case KindTokenCreate:
		return kind(func(s *Store, ctx context.Context, p TokenCreate) (any, error) {
			return s.CreateTokenKey(ctx, p.Spec, p.Key, p.Actor)
		}), true
	case KindTokenRevoke:
		return kind(func(s *Store, ctx context.Context, p TokenRevoke) (any, error) {
			return s.RevokeToken(ctx, p.ID, p.Actor)
		}), true
	case KindSessionCreate:
		return kind(func(s *Store, ctx context.Context, p SessionCreate) (any, error) {
			return s.CreateSessionKey(ctx, &p.User, p.Key, p.CSRF, p.Limits)
		}), true
	case KindSessionTouch:
		return kind(func(s *Store, ctx context.Context, p SessionKey) (any, error) {
			return nil, s.TouchSession(ctx, p.Key)
		}), true
	case KindSessionEnd:
		return kind(func(s *Store, ctx context.Context, p SessionKey) (any, error) {
			return nil, s.EndSession(ctx, p.Key)
		}), true
	case KindSessionDelete:
		return kind(func(s *Store, ctx context.Context, p SessionDelete) (any, error) {
			return nil, s.DeleteSessionKey(ctx, p.Key, p.Actor)
		}), true
	case KindHealthDelete:
		return kind(func(s *Store, ctx context.Context, p HealthDelete) (any, error) {
			return nil, s.DeleteHealth(ctx, p.ID)
		}), true
	case KindBackupRecord:
		return kind(func(s *Store, ctx context.Context, p BackupRecord) (any, error) {
			if p.Action == ActionSnapshot {
				return nil, s.RecordSnapshot(ctx, p.Actor, p.Name, p.Size)
			}
			return nil, s.RecordBackup(ctx, p.Actor, p.Name, p.Size)
		}), true
	}
	if f, ok := donationApplier(k); ok {
		return f, true
	}
	if f, ok := tipApplier(k); ok {
		return f, true
	}
	return evidenceApplier(k)
}

// applyCameraUpdate stores p.Next if the camera is still p.Prev.
func applyCameraUpdate(s *Store, ctx context.Context, p CameraUpdate) (any, error) {
	if p.Prev.Camera == nil || p.Next.Camera == nil {
		return nil, badPayload{errors.New("no camera")}
	}
	return s.UpdateCamera(ctx, p.ID, p.Action, p.Actor, func(c *camera.Camera) error {
		if !SameCamera(c, p.Prev.Camera) {
			return ErrStale
		}
		*c = *p.Next.Camera.Clone()
		return nil
	})
}

// SameCamera reports whether a and b hold the same stored values,
// credentials and times included.
func SameCamera(a, b *camera.Camera) bool {
	return len(camera.Diff(a, b)) == 0 && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}
