package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// BulkChunk is how many incidents CreateIncidents writes per transaction:
// large enough that the fsync and the rebalancing of the indexes are paid
// rarely, small enough that a transaction's dirty pages stay a few tens of
// megabytes.
const BulkChunk = 50_000

func decodeIncident(v []byte) (*camera.Incident, error) {
	in := &camera.Incident{}
	if err := json.Unmarshal(v, in); err != nil {
		return nil, fmt.Errorf("decode incident record: %w", err)
	}
	if in.Clips == nil {
		in.Clips = []string{}
	}
	return in, nil
}

func putIncident(b *bolt.Bucket, in *camera.Incident) error {
	v, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return b.Put([]byte(in.ID), v)
}

// placeLookup finds a camera's position for incidents that have none, and
// checks that the cameras exist. Positions are cached for one call: a bulk
// import names the same cameras over and over.
type placeLookup struct {
	cams  *bolt.Bucket
	cache map[string][2]float64
}

func newPlaceLookup(tx *bolt.Tx) *placeLookup {
	return &placeLookup{cams: tx.Bucket(bucketCameras), cache: map[string][2]float64{}}
}

// position returns a registered camera's position, ok false when there
// is no such camera.
func (p *placeLookup) position(id string) (pos [2]float64, ok bool, err error) {
	if pos, ok := p.cache[id]; ok {
		return pos, true, nil
	}
	v := p.cams.Get([]byte(id))
	if v == nil {
		return pos, false, nil
	}
	var rec struct {
		Lat float64 `json:"lat"`
		Lon float64 `json:"lon"`
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return pos, false, fmt.Errorf("camera %q: %w", id, err)
	}
	pos = [2]float64{rec.Lat, rec.Lon}
	p.cache[id] = pos
	return pos, true, nil
}

// check returns EINVALID naming camera_ids when a camera is not registered,
// and fills the incident's place from its first camera when it has none.
func (p *placeLookup) check(in *camera.Incident) error {
	return p.checkNew(in, nil)
}

// checkUpdate is check for an update: only the cameras the update adds
// must be registered, so that an incident whose camera was deleted since
// can still be edited (a legal hold set, a note added). A place removed by
// the update is filled from the first camera if it still exists.
func (p *placeLookup) checkUpdate(prev, in *camera.Incident) error {
	had := make(map[string]bool, len(prev.CameraIDs))
	for _, id := range prev.CameraIDs {
		had[id] = true
	}
	return p.checkNew(in, had)
}

func (p *placeLookup) checkNew(in *camera.Incident, known map[string]bool) error {
	for _, id := range in.CameraIDs {
		if known[id] {
			continue
		}
		if _, ok, err := p.position(id); err != nil {
			return err
		} else if !ok {
			return camera.Errorf(camera.EINVALID, "camera_ids", "no camera with id %q", id)
		}
	}
	if in.HasPlace() {
		return nil
	}
	pos, ok, err := p.position(in.CameraIDs[0])
	if ok {
		in.SetPlace(pos[0], pos[1])
	}
	return err
}

// CreateIncident stores a new incident and its index entries. An empty ID
// is generated ("INC-20261128-000123"); a given one must be free
// (ECONFLICT otherwise). Every camera must be registered; an incident
// without a place takes its first camera's. CreatedBy, CreatedAt and
// UpdatedAt are set by the store, Clips starts empty.
func (s *Store) CreateIncident(ctx context.Context, in *camera.Incident, actor camera.Actor) error {
	_, err := s.createIncidents(ctx, []*camera.Incident{in}, actor, false)
	return err
}

// CreateIncidents stores many incidents (an import of old records, a
// migration) in transactions of BulkChunk. All are validated before the
// first write; an invalid one fails the call with its index in the
// error's field ("incidents[12].end"). A conflict or a missing camera
// found while writing stops the call: the chunks before it are stored,
// and created says how many incidents that is. One audit entry is written
// per chunk.
func (s *Store) CreateIncidents(ctx context.Context, ins []*camera.Incident, actor camera.Actor) (created int, err error) {
	return s.createIncidents(ctx, ins, actor, true)
}

func (s *Store) createIncidents(ctx context.Context, ins []*camera.Incident, actor camera.Actor, bulk bool) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for i, in := range ins {
		in.ApplyDefaults()
		in.Clips = []string{}
		if err := in.Validate(); err != nil {
			return 0, itemError(bulk, i, err)
		}
	}
	created := 0
	for len(ins) > 0 {
		chunk := ins[:min(len(ins), BulkChunk)]
		ins = ins[len(chunk):]
		saved := make([]camera.Incident, len(chunk))
		for i, in := range chunk {
			saved[i] = *in
		}
		err := s.update(func(tx *bolt.Tx) error {
			return s.createChunk(ctx, tx, chunk, created, actor, bulk)
		})
		if err != nil {
			// Nothing of the chunk was stored: give the caller back
			// its incidents as they were (no generated id, no place).
			for i, in := range chunk {
				*in = saved[i]
			}
			return created, err
		}
		created += len(chunk)
	}
	return created, nil
}

// createChunk writes one transaction's worth of incidents. offset is the
// index of chunk[0] in the caller's slice, for error fields.
func (s *Store) createChunk(ctx context.Context, tx *bolt.Tx, chunk []*camera.Incident, offset int, actor camera.Actor, bulk bool) error {
	b := tx.Bucket(bucketIncidents)
	// Generated ids and time-ordered imports arrive in key order: full
	// pages waste less space and split less.
	b.FillPercent = 0.9
	ix := openIndexes(tx)
	ix[ixTime].FillPercent = 0.9
	places := newPlaceLookup(tx)
	now := s.now().UTC()
	// Records and index entries are written in key order at the end (see
	// putSorted); ids taken within the chunk are tracked here meanwhile.
	records := make([]indexEntry, 0, len(chunk))
	entries := make([]indexEntry, 0, len(chunk)*5)
	taken := make(map[string]bool, len(chunk))
	for i, in := range chunk {
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := places.check(in); err != nil {
			return itemError(bulk, offset+i, err)
		}
		if in.ID == "" {
			for {
				seq, err := b.NextSequence()
				if err != nil {
					return err
				}
				in.ID = camera.FormatIncidentID(now, seq)
				if !taken[in.ID] && b.Get([]byte(in.ID)) == nil {
					break
				}
			}
		} else if taken[in.ID] || b.Get([]byte(in.ID)) != nil {
			return itemError(bulk, offset+i, camera.Errorf(camera.ECONFLICT, "id", "an incident with id %q already exists", in.ID))
		}
		taken[in.ID] = true
		in.CreatedBy, in.CreatedAt, in.UpdatedAt = actor, now, now
		v, err := json.Marshal(in)
		if err != nil {
			return err
		}
		records = append(records, indexEntry{key: []byte(in.ID), value: v})
		entries = indexEntries(in, entries)
	}
	slices.SortFunc(records, func(a, b indexEntry) int { return bytes.Compare(a.key, b.key) })
	for _, r := range records {
		if err := b.Put(r.key, r.value); err != nil {
			return err
		}
	}
	if err := ix.putSorted(entries); err != nil {
		return err
	}
	if !bulk {
		return appendAudit(tx, now, actor, "incident.create", chunk[0].ID, nil)
	}
	target := fmt.Sprintf("%d incidents, %s to %s", len(chunk), chunk[0].ID, chunk[len(chunk)-1].ID)
	return appendAudit(tx, now, actor, "incident.import", target, nil)
}

// itemError prefixes the field of a bulk item's error with its index.
func itemError(bulk bool, i int, err error) error {
	if !bulk {
		return err
	}
	var e *camera.Error
	if errors.As(err, &e) {
		return &camera.Error{Code: e.Code, Field: fmt.Sprintf("incidents[%d].%s", i, e.Field), Message: e.Message}
	}
	return fmt.Errorf("incident %d: %w", i, err)
}

// GetIncident returns the incident with the given id, or ENOTFOUND.
func (s *Store) GetIncident(ctx context.Context, id string) (*camera.Incident, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var in *camera.Incident
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIncidents)
		var v []byte
		if b != nil {
			v = b.Get([]byte(id))
		}
		if v == nil {
			return notFound("incident", id)
		}
		var err error
		in, err = decodeIncident(v)
		return err
	})
	return in, err
}

// UpdateIncident reads the incident, applies fn to a copy and stores the
// result with its index entries in one transaction (PATCH, setting or
// lifting a legal hold). fn may change every field a user sets; the id,
// the creator, the creation time and the clips are kept whatever fn does.
// The result is validated; a place removed by fn is filled again from the
// first camera. The audit entry lists the fields that changed.
func (s *Store) UpdateIncident(ctx context.Context, id string, actor camera.Actor, fn func(*camera.Incident) error) (*camera.Incident, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *camera.Incident
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIncidents)
		v := b.Get([]byte(id))
		if v == nil {
			return notFound("incident", id)
		}
		prev, err := decodeIncident(v)
		if err != nil {
			return err
		}
		in := prev.Clone()
		if err := fn(in); err != nil {
			return err
		}
		if in.ID != id {
			return camera.Errorf(camera.EINVALID, "id", "cannot be changed (is %q)", id)
		}
		in.CreatedBy, in.CreatedAt, in.Clips = prev.CreatedBy, prev.CreatedAt, prev.Clips
		in.ApplyDefaults()
		if err := in.Validate(); err != nil {
			return err
		}
		if err := newPlaceLookup(tx).checkUpdate(prev, in); err != nil {
			return err
		}
		changes := diffIncident(prev, in)
		if len(changes) == 0 {
			out = prev
			return nil
		}
		ix := openIndexes(tx)
		if err := ix.remove(prev); err != nil {
			return err
		}
		now := s.now().UTC()
		in.UpdatedAt = now
		if err := putIncident(b, in); err != nil {
			return err
		}
		if err := ix.put(in); err != nil {
			return err
		}
		out = in
		return appendAudit(tx, now, actor, "incident.update", id, changes)
	})
	return out, err
}

// diffIncident returns the JSON names of the user fields that differ.
func diffIncident(a, b *camera.Incident) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("camera_ids", strings.Join(a.CameraIDs, "\x00") != strings.Join(b.CameraIDs, "\x00"))
	add("start", !a.Start.Equal(b.Start))
	add("end", !a.End.Equal(b.End))
	add("category", a.Category != b.Category)
	add("case_ref", a.CaseRef != b.CaseRef)
	add("subjects", a.Subjects != b.Subjects)
	add("handling", a.Handling != b.Handling)
	add("note", a.Note != b.Note)
	add("hold", a.Hold != b.Hold)
	add("lat", !sameCoord(a.Lat, b.Lat))
	add("lon", !sameCoord(a.Lon, b.Lon))
	return out
}

func sameCoord(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// CountIncidents returns how many incidents are stored.
func (s *Store) CountIncidents(ctx context.Context) (int, error) {
	var n int
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketIncidents); b != nil {
			n = b.Stats().KeyN
		}
		return ctx.Err()
	})
	return n, err
}
