package registry

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// Incident layout.
//
//   - "incidents": id → JSON camera.Incident.
//   - "incidents_by_time": start(8) id → summary (see incidentSummary):
//     the fields the counts and the retention job need, so that neither
//     decodes a record.
//   - "incidents_by_camera": camera id 0x00 start(8) id → empty, one entry
//     per camera of the incident.
//   - "incidents_by_place": cell(8) start(8) id → lat(8) lon(8), for
//     incidents with a place; the point is in the value so that the exact
//     distance filter reads no record.
//   - "incidents_by_case": folded case_ref 0x00 start(8) id → empty, for
//     incidents with a case reference.
//   - "incidents_by_category": category 0x00 start(8) id → empty.
//
// start(8) is the start time in Unix nanoseconds, big-endian, sign bit
// flipped, so that byte order is time order (as in health_transitions).
// Every index key therefore ends with start(8) id, and every index sorts
// one prefix's incidents by (start, id): the order of every list. Ids,
// camera ids and categories are printable (no 0x00), and folded case
// references are NFD-stripped text without control characters, so the
// 0x00 separator cannot occur inside a prefix.
//
// Index entries are written and removed in the transaction that writes or
// removes the incident.

// CellDeg is the side of a place-index cell in degrees: about 2.2 km of
// latitude, a little less of longitude in Vietnam. A 2 km radius query
// reads at most 3 × 3 cells.
const CellDeg = 0.02

// cellsPerDeg is 1/CellDeg, exact, so that cell numbers are computed by
// one multiplication, which is monotonic: a point inside a query's
// latitude range is always inside its range of cells.
const cellsPerDeg = 50

// encTime encodes t as 8 sortable bytes.
func encTime(t time.Time) [8]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixNano())^(1<<63))
	return b
}

// decTime decodes encTime.
func decTime(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^(1<<63))).UTC()
}

// cellOf returns the place-index cell of a point.
func cellOf(lat, lon float64) (int32, int32) {
	return int32(math.Floor(lat * cellsPerDeg)), int32(math.Floor(lon * cellsPerDeg))
}

// cellPrefix encodes a cell as 8 sortable bytes.
func cellPrefix(latIdx, lonIdx int32) []byte {
	b := make([]byte, 8, 8+8+camera.MaxIDLen*4)
	binary.BigEndian.PutUint32(b, uint32(latIdx)^(1<<31))
	binary.BigEndian.PutUint32(b[4:], uint32(lonIdx)^(1<<31))
	return b
}

// textPrefix is the prefix of a keyed index: s 0x00.
func textPrefix(s string) []byte {
	b := make([]byte, 0, len(s)+1+8+camera.MaxIDLen*4)
	b = append(b, s...)
	return append(b, 0)
}

// foldCaseRef is the key of a case reference: "HS-12/2026" and
// "hs-12/2026 " are one case.
func foldCaseRef(s string) string { return vntext.Fold(s) }

// entryKey appends start(8) id to prefix.
func entryKey(prefix []byte, start time.Time, id string) []byte {
	t := encTime(start)
	k := make([]byte, 0, len(prefix)+8+len(id))
	k = append(k, prefix...)
	k = append(k, t[:]...)
	return append(k, id...)
}

// incidentSummary is the value of a time-index entry. Fixed fields first,
// then strings, each after its 2-byte length:
//
//	end(8) subjects(4) flags(1) [lat(8) lon(8)] category handling camera0
//
// flags: bit 0 hold, bit 1 has place.
type incidentSummary struct {
	end      time.Time
	subjects int
	hold     bool
	hasPlace bool
	lat, lon float64
	category camera.Category
	handling camera.Handling
	camera0  string
}

func summaryOf(in *camera.Incident) incidentSummary {
	s := incidentSummary{
		end: in.End, subjects: in.Subjects, hold: in.Hold,
		category: in.Category, handling: in.Handling, camera0: in.CameraIDs[0],
	}
	if in.HasPlace() {
		s.hasPlace, s.lat, s.lon = true, *in.Lat, *in.Lon
	}
	return s
}

func (s *incidentSummary) encode() []byte {
	b := make([]byte, 0, 8+4+1+16+6+len(s.category)+len(s.handling)+len(s.camera0))
	t := encTime(s.end)
	b = append(b, t[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(s.subjects))
	var flags byte
	if s.hold {
		flags |= 1
	}
	if s.hasPlace {
		flags |= 2
	}
	b = append(b, flags)
	if s.hasPlace {
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(s.lat))
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(s.lon))
	}
	for _, str := range []string{string(s.category), string(s.handling), s.camera0} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(str)))
		b = append(b, str...)
	}
	return b
}

var errBadSummary = errors.New("corrupt incident time-index entry")

func decodeSummary(v []byte) (incidentSummary, error) {
	var s incidentSummary
	if len(v) < 13 {
		return s, errBadSummary
	}
	s.end = decTime(v[:8])
	s.subjects = int(binary.BigEndian.Uint32(v[8:12]))
	flags := v[12]
	s.hold, s.hasPlace = flags&1 != 0, flags&2 != 0
	v = v[13:]
	if s.hasPlace {
		if len(v) < 16 {
			return s, errBadSummary
		}
		s.lat = math.Float64frombits(binary.BigEndian.Uint64(v))
		s.lon = math.Float64frombits(binary.BigEndian.Uint64(v[8:]))
		v = v[16:]
	}
	var strs [3]string
	for i := range strs {
		if len(v) < 2 {
			return s, errBadSummary
		}
		n := int(binary.BigEndian.Uint16(v))
		if len(v) < 2+n {
			return s, errBadSummary
		}
		strs[i] = string(v[2 : 2+n])
		v = v[2+n:]
	}
	s.category, s.handling, s.camera0 = camera.Category(strs[0]), camera.Handling(strs[1]), strs[2]
	return s, nil
}

// placeValue is the value of a place-index entry.
func placeValue(lat, lon float64) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, math.Float64bits(lat))
	binary.BigEndian.PutUint64(b[8:], math.Float64bits(lon))
	return b
}

func decodePlace(v []byte) (lat, lon float64, ok bool) {
	if len(v) != 16 {
		return 0, 0, false
	}
	return math.Float64frombits(binary.BigEndian.Uint64(v)), math.Float64frombits(binary.BigEndian.Uint64(v[8:])), true
}

// indexBuckets are the index buckets of one transaction.
type indexBuckets [numIndexes]*bolt.Bucket

// Index positions in indexBuckets.
const (
	ixTime = iota
	ixCamera
	ixPlace
	ixCase
	ixCategory
	numIndexes
)

func openIndexes(tx *bolt.Tx) indexBuckets {
	return indexBuckets{
		ixTime:     tx.Bucket(bucketIncByTime),
		ixCamera:   tx.Bucket(bucketIncByCamera),
		ixPlace:    tx.Bucket(bucketIncByPlace),
		ixCase:     tx.Bucket(bucketIncByCase),
		ixCategory: tx.Bucket(bucketIncByCategory),
	}
}

// indexEntry is one entry of one index.
type indexEntry struct {
	index int
	key   []byte
	value []byte
}

// indexEntries returns every index entry of in.
func indexEntries(in *camera.Incident, out []indexEntry) []indexEntry {
	sum := summaryOf(in)
	out = append(out, indexEntry{ixTime, entryKey(nil, in.Start, in.ID), sum.encode()})
	for _, cid := range in.CameraIDs {
		out = append(out, indexEntry{ixCamera, entryKey(textPrefix(cid), in.Start, in.ID), nil})
	}
	if in.HasPlace() {
		out = append(out, indexEntry{ixPlace, entryKey(cellPrefix(cellOf(*in.Lat, *in.Lon)), in.Start, in.ID), placeValue(*in.Lat, *in.Lon)})
	}
	if in.CaseRef != "" {
		out = append(out, indexEntry{ixCase, entryKey(textPrefix(foldCaseRef(in.CaseRef)), in.Start, in.ID), nil})
	}
	return append(out, indexEntry{ixCategory, entryKey(textPrefix(string(in.Category)), in.Start, in.ID), nil})
}

// put writes every index entry of in.
func (ix indexBuckets) put(in *camera.Incident) error {
	for _, e := range indexEntries(in, nil) {
		if err := ix[e.index].Put(e.key, e.value); err != nil {
			return err
		}
	}
	return nil
}

// putSorted writes many entries in key order. bbolt splits a node only at
// commit, so within one transaction every insertion into the middle of a
// node moves what follows it: inserted in arbitrary order, the entries of
// a bulk import pile up in a few nodes and the moves grow quadratically
// (8,500 incidents/s); in key order each insertion moves only the node's
// older entries (see BenchmarkIncidentBulkCreate).
func (ix indexBuckets) putSorted(entries []indexEntry) error {
	slices.SortFunc(entries, func(a, b indexEntry) int {
		if a.index != b.index {
			return a.index - b.index
		}
		return bytes.Compare(a.key, b.key)
	})
	for _, e := range entries {
		if err := ix[e.index].Put(e.key, e.value); err != nil {
			return err
		}
	}
	return nil
}

// remove deletes every index entry of in, as it was stored.
func (ix indexBuckets) remove(in *camera.Incident) error {
	for _, e := range indexEntries(in, nil) {
		if err := ix[e.index].Delete(e.key); err != nil {
			return err
		}
	}
	return nil
}
