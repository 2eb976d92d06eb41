package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"math"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/vntext"
)

// List limits, as the API's (docs/design.md).
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// MaxRadiusM bounds a place query's radius: 500 km is more than a
// province; a wider question is a report, not a list.
const MaxRadiusM = 500_000

// maxCells is the most place-index cells a query reads; a wider place (a
// big box, a radius near a pole) is answered from the time index, whose
// entries carry the point too.
const maxCells = 2500

// BBox is a longitude/latitude box, as in the bbox query parameter
// (minLon,minLat,maxLon,maxLat). Boxes across the antimeridian are not
// supported.
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// IncidentQuery selects incidents. Every set field must match:
//
//   - From, To: the incident's start is in [From, To); a zero bound is
//     open. (Windows are at most 24 h, so an incident overlapping
//     [From, To) starts in [From-24h, To): widen From for that question.)
//   - CameraID: the camera is one of the incident's.
//   - Category; CaseRef, compared folded (case, accents, spaces).
//   - RadiusM > 0: the incident's place is within RadiusM metres
//     (haversine, docs/design.md) of (Lat, Lon).
//   - BBox: the incident's place is inside the box, edges included.
//   - Commune: the incident's commune — its first camera's, as in the
//     counts (IncidentCounts) — is the one named, compared as camera
//     filters compare communes (accents, case and a "Xã"/"Thị trấn"
//     prefix do not matter).
//
// Results are in a stable order, newest first: start time descending,
// then id descending. After is the cursor of the previous page.
type IncidentQuery struct {
	CameraID string
	From, To time.Time
	Category camera.Category
	CaseRef  string
	Lat, Lon float64
	RadiusM  float64
	BBox     *BBox
	Commune  string
	After    string
	Limit    int
}

// Validate checks the query: a QueryError names the part at fault (an
// invalid point is camera.ValidateLatLon's error).
func (q *IncidentQuery) Validate() error {
	if q.CameraID != "" {
		if err := camera.ValidateID(q.CameraID); err != nil {
			return queryErrorf(QueryCamera, "%s", strings.TrimPrefix(err.Error(), "id: "))
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return queryErrorf(QueryEnd, "must be after from")
	}
	if q.Category != "" && !q.Category.Valid() {
		return queryErrorf(QueryCategory, "unknown category %q", q.Category)
	}
	if q.RadiusM != 0 {
		if math.IsNaN(q.RadiusM) || q.RadiusM < 0 || q.RadiusM > MaxRadiusM {
			return queryErrorf(QueryRadius, "must be more than 0 and at most %d metres", MaxRadiusM)
		}
		if err := camera.ValidateLatLon(q.Lat, q.Lon); err != nil {
			return err
		}
	}
	if b := q.BBox; b != nil {
		if err := camera.ValidateLatLon(b.MinLat, b.MinLon); err != nil {
			return queryErrorf(QueryBox, "%s", err)
		}
		if err := camera.ValidateLatLon(b.MaxLat, b.MaxLon); err != nil {
			return queryErrorf(QueryBox, "%s", err)
		}
		if b.MinLat > b.MaxLat || b.MinLon > b.MaxLon {
			return queryErrorf(QueryBox, "must be minLon,minLat,maxLon,maxLat with min ≤ max (boxes across the antimeridian are not supported)")
		}
	}
	return nil
}

// index kinds, as recorded in cursors.
const (
	idxTime byte = iota + 1
	idxCamera
	idxPlace
	idxCase
	idxCategory
)

// plan is how a query is answered: which index, which prefixes of it.
type plan struct {
	kind     byte
	bucket   []byte
	prefixes [][]byte
}

// planFor picks the most selective index a query can use: a case (a
// handful of incidents), then a camera (a hundred a year), then a place
// (the cells covering it), then a category, then the time index.
func planFor(q *IncidentQuery) plan {
	switch {
	case q.CaseRef != "":
		return plan{kind: idxCase, bucket: bucketIncByCase, prefixes: [][]byte{textPrefix(foldCaseRef(q.CaseRef))}}
	case q.CameraID != "":
		return plan{kind: idxCamera, bucket: bucketIncByCamera, prefixes: [][]byte{textPrefix(q.CameraID)}}
	}
	if cells, ok := q.cells(); ok {
		return plan{kind: idxPlace, bucket: bucketIncByPlace, prefixes: cells}
	}
	if q.Category != "" {
		return plan{kind: idxCategory, bucket: bucketIncByCategory, prefixes: [][]byte{textPrefix(string(q.Category))}}
	}
	return plan{kind: idxTime, bucket: bucketIncByTime, prefixes: [][]byte{nil}}
}

// cells returns the place-index cells covering the query's place, or false
// when it has none or when they are too many (or wrap the antimeridian).
func (q *IncidentQuery) cells() ([][]byte, bool) {
	var minLat, maxLat, minLon, maxLon float64
	switch {
	case q.RadiusM > 0:
		// The bounding box of a spherical cap: latitude ± the angular
		// radius, longitude ± asin(sin r / cos φ) (exact for a sphere),
		// widened by a hair for rounding.
		r := q.RadiusM / geo.EarthRadius * 1.000001
		const deg = 180 / math.Pi
		minLat, maxLat = q.Lat-r*deg-1e-9, q.Lat+r*deg+1e-9
		if minLat <= -90 || maxLat >= 90 {
			return nil, false
		}
		s := math.Sin(r) / math.Cos(q.Lat*math.Pi/180)
		if s >= 1 {
			return nil, false
		}
		dLon := math.Asin(s)*deg + 1e-9
		minLon, maxLon = q.Lon-dLon, q.Lon+dLon
		if minLon < -180 || maxLon > 180 {
			return nil, false
		}
		if b := q.BBox; b != nil { // both: read the smaller area
			minLat, maxLat = math.Max(minLat, b.MinLat), math.Min(maxLat, b.MaxLat)
			minLon, maxLon = math.Max(minLon, b.MinLon), math.Min(maxLon, b.MaxLon)
			if minLat > maxLat || minLon > maxLon {
				return [][]byte{}, true // nothing can match
			}
		}
	case q.BBox != nil:
		minLat, maxLat, minLon, maxLon = q.BBox.MinLat, q.BBox.MaxLat, q.BBox.MinLon, q.BBox.MaxLon
	default:
		return nil, false
	}
	lat0, lon0 := cellOf(minLat, minLon)
	lat1, lon1 := cellOf(maxLat, maxLon)
	if n := (int64(lat1) - int64(lat0) + 1) * (int64(lon1) - int64(lon0) + 1); n > maxCells {
		return nil, false
	}
	var out [][]byte
	for la := lat0; la <= lat1; la++ {
		for lo := lon0; lo <= lon1; lo++ {
			out = append(out, cellPrefix(la, lo))
		}
	}
	return out, true
}

// placeOK is the exact place filter.
func (q *IncidentQuery) placeOK(lat, lon float64) bool {
	// The one distance of the system is geo's (geo.Distance, on the sphere
	// of geo.EarthRadius): the store imports geo for it rather than keep a
	// copy that could drift. That points down the ladder: geo is pure (no
	// storage, no I/O) and imports nothing of this module but camera.
	if q.RadiusM > 0 && geo.Distance(q.Lat, q.Lon, lat, lon) > q.RadiusM {
		return false
	}
	if b := q.BBox; b != nil && (lat < b.MinLat || lat > b.MaxLat || lon < b.MinLon || lon > b.MaxLon) {
		return false
	}
	return true
}

func (q *IncidentQuery) hasPlace() bool { return q.RadiusM > 0 || q.BBox != nil }

// matches is the full filter, applied to every candidate an index yields.
func (q *IncidentQuery) matches(in *camera.Incident) bool {
	if !q.From.IsZero() && in.Start.Before(q.From) || !q.To.IsZero() && !in.Start.Before(q.To) {
		return false
	}
	if q.Category != "" && in.Category != q.Category {
		return false
	}
	if q.CaseRef != "" && foldCaseRef(in.CaseRef) != foldCaseRef(q.CaseRef) {
		return false
	}
	if q.CameraID != "" {
		found := false
		for _, id := range in.CameraIDs {
			found = found || id == q.CameraID
		}
		if !found {
			return false
		}
	}
	if q.hasPlace() && (!in.HasPlace() || !q.placeOK(*in.Lat, *in.Lon)) {
		return false
	}
	return true
}

// ListIncidents returns up to q.Limit incidents matching q (DefaultListLimit
// when 0, at most MaxListLimit), newest first, and the cursor of the next
// page ("" on the last page). A cursor is valid only for the query that
// produced it (EINVALID naming cursor otherwise).
func (s *Store) ListIncidents(ctx context.Context, q IncidentQuery) (items []*camera.Incident, next string, err error) {
	if err := q.Validate(); err != nil {
		return nil, "", err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	p := planFor(&q)
	var after []byte // start(8) id of the last item of the previous page
	if q.After != "" {
		if after, err = decodeCursor(q.After, p.kind); err != nil {
			return nil, "", err
		}
	}
	// Key suffix bounds: [lo, hi). An incident of the previous page is
	// excluded by hi = its own suffix.
	var lo, hi []byte
	if !q.From.IsZero() {
		t := encTime(q.From)
		lo = t[:]
	}
	if !q.To.IsZero() {
		t := encTime(q.To)
		hi = t[:]
	}
	if after != nil && (hi == nil || bytes.Compare(after, hi) < 0) {
		hi = after
	}

	err = s.view(func(tx *bolt.Tx) error {
		b, records := tx.Bucket(p.bucket), tx.Bucket(bucketIncidents)
		if b == nil || records == nil {
			return nil
		}
		inCommune := q.communeMatcher(tx)
		m := newMerge(b, p.prefixes, lo, hi)
		for n := 0; ; n++ {
			if n%1024 == 1023 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			suffix, v, ok := m.next()
			if !ok {
				return nil
			}
			if !q.prefilter(p.kind, v) {
				continue
			}
			if p.kind == idxTime && inCommune != nil {
				// The summary names the first camera: no record is read
				// for an incident of another commune.
				if sum, err := decodeSummary(v); err == nil {
					if ok, err := inCommune(sum.camera0); err != nil || !ok {
						if err != nil {
							return err
						}
						continue
					}
				}
			}
			rec := records.Get(suffix[8:])
			if rec == nil {
				continue // cannot happen: entries go with their record
			}
			in, err := decodeIncident(rec)
			if err != nil {
				return err
			}
			if !q.matches(in) {
				continue
			}
			if inCommune != nil {
				if ok, err := inCommune(in.CameraIDs[0]); err != nil || !ok {
					if err != nil {
						return err
					}
					continue
				}
			}
			if len(items) == limit {
				next = encodeCursor(p.kind, items[len(items)-1])
				return nil
			}
			items = append(items, in)
		}
	})
	return items, next, err
}

// communeMatcher returns whether a camera, looked up in tx, is in the
// query's commune; nil when the query names none.
func (q *IncidentQuery) communeMatcher(tx *bolt.Tx) func(cameraID string) (bool, error) {
	f := vntext.NewCommuneFilter(q.Commune)
	if f.Empty() {
		return nil
	}
	communes := communeLookup{tx: tx, cache: map[string]string{}}
	in := map[string]bool{} // by camera id: a camera's incidents are many
	return func(id string) (bool, error) {
		if ok, seen := in[id]; seen {
			return ok, nil
		}
		c, err := communes.of(id)
		if err != nil {
			return false, err
		}
		in[id] = f.Match(c)
		return in[id], nil
	}
}

// prefilter rejects, from the index value alone, candidates whose place
// does not match, so that their records are not read.
func (q *IncidentQuery) prefilter(kind byte, v []byte) bool {
	if !q.hasPlace() {
		return true
	}
	switch kind {
	case idxPlace:
		lat, lon, ok := decodePlace(v)
		return ok && q.placeOK(lat, lon)
	case idxTime:
		sum, err := decodeSummary(v)
		if err != nil {
			return true // let the record decide
		}
		return sum.hasPlace && q.placeOK(sum.lat, sum.lon)
	}
	return true
}

// Cursors: base64url of version(1) kind(1) start(8) id.
const cursorVersion = 1

func encodeCursor(kind byte, last *camera.Incident) string {
	t := encTime(last.Start)
	b := append([]byte{cursorVersion, kind}, t[:]...)
	return base64.RawURLEncoding.EncodeToString(append(b, last.ID...))
}

// decodeCursor returns the start(8) id suffix a cursor points at.
func decodeCursor(c string, kind byte) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 11 || b[0] != cursorVersion {
		return nil, queryErrorf(QueryCursor, "is not a cursor of this list")
	}
	if b[1] != kind {
		return nil, queryErrorf(QueryCursor, "belongs to a different query: keep the query's parameters while paging")
	}
	if camera.ValidateID(string(b[10:])) != nil {
		return nil, queryErrorf(QueryCursor, "is not a cursor of this list")
	}
	return b[2:], nil
}
