package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// Reference layer names: the map data coverage is computed against, and
// the roads drawn under it.
const (
	LayerIntersections = "intersections" // JSON array of geo.Intersection
	LayerCommunes      = "communes"      // commune boundaries GeoJSON, as imported
	// LayerRoads is the roads of the last import of roads, as a GeoJSON
	// FeatureCollection of lines with name and road_class
	// (geo.RoadsGeoJSON). Stored with the intersections found on them, in
	// one PutLayers; a database from before it has none.
	LayerRoads = "roads"
)

// A layer is tens of megabytes (200,000 junctions are 37 MB of JSON).
// Written in one transaction it held bbolt's only writer for 0.6–1.4 s, and every camera write, health change and donation waited for
// it. It is written in pieces instead, each in a transaction of its own,
// with other writes in between; then one small transaction points the
// layer at the new pieces and drops the old ones, so that readers see the
// old layer or the new one, whole.
//
// The layer is gzipped first (at the fastest level): JSON and GeoJSON
// shrink five to ten times, so there are that many fewer pieces to write,
// and the database file grows that much less at each import.
//
// In the layers bucket, key name holds either the layer itself (as layers
// were stored before: read as they are) or a manifest: layerMagic, then
// the generation, the number of pieces, the length of the layer and the
// length of its gzipped form, big-endian. The pieces, of the gzipped
// form, are in the nested bucket "pieces", under name, 0, generation (8
// bytes), index (4 bytes).
var (
	layerMagic        = []byte("\x00matthan-layer-pieces\x00")
	bucketLayerPieces = []byte("pieces")
)

// layerPiece is the size of a piece. Measured on the project's machine
// (a busy virtual disk), a transaction writing 256 KiB takes 1–20 ms, one
// writing 1 MiB 8–200 ms: a camera write waits for one piece at most.
const layerPiece = 256 << 10

// errLayerManifest reports a manifest that does not parse.
var errLayerManifest = errors.New("stored layer manifest is malformed")

type layerManifest struct {
	gen    uint64
	pieces uint32
	size   uint64 // of the layer
	zsize  uint64 // of its gzipped form, in the pieces
}

func (m layerManifest) encode() []byte {
	out := append([]byte(nil), layerMagic...)
	out = binary.BigEndian.AppendUint64(out, m.gen)
	out = binary.BigEndian.AppendUint32(out, m.pieces)
	out = binary.BigEndian.AppendUint64(out, m.size)
	return binary.BigEndian.AppendUint64(out, m.zsize)
}

// parseManifest reads a manifest; ok is false for a layer stored whole.
func parseManifest(v []byte) (m layerManifest, ok bool, err error) {
	rest, found := bytes.CutPrefix(v, layerMagic)
	if !found {
		return m, false, nil
	}
	if len(rest) != 28 {
		return m, true, errLayerManifest
	}
	return layerManifest{binary.BigEndian.Uint64(rest), binary.BigEndian.Uint32(rest[8:]), binary.BigEndian.Uint64(rest[12:]), binary.BigEndian.Uint64(rest[20:])}, true, nil
}

func pieceKey(name string, gen uint64, i uint32) []byte {
	k := append([]byte(name), 0)
	k = binary.BigEndian.AppendUint64(k, gen)
	return binary.BigEndian.AppendUint32(k, i)
}

// PutLayer stores a reference layer (replacing the previous one; nil
// removes it) with an audit entry naming what was imported. The value is
// opaque here: the
// geo package parses it. It is written a piece at a time (see above);
// ctx is looked at between pieces, and a layer not written whole is not
// stored at all.
func (s *Store) PutLayer(ctx context.Context, name string, raw []byte, summary string, actor camera.Actor) error {
	return s.PutLayers(ctx, []LayerPut{{Name: name, Raw: raw, Summary: summary}}, actor)
}

// LayerPut is one layer of PutLayers.
type LayerPut struct {
	Name string
	// Raw is the layer; nil removes it.
	Raw []byte
	// Summary says what was imported, in the audit entry.
	Summary string
}

// PutLayers stores reference layers together, as PutLayer does one: the
// pieces of each are written first, then one transaction points every
// layer at its new pieces (or removes it), with an audit entry each, so
// that readers see all the old layers or all the new ones — the roads
// and the junctions found on them agree. If any is not written whole,
// none is stored.
func (s *Store) PutLayers(ctx context.Context, layers []LayerPut, actor camera.Actor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ms := make([]layerManifest, len(layers))
	drop := func() {
		for i, l := range layers {
			s.dropPieces(l.Name, ms[i].gen)
		}
	}
	for i, l := range layers {
		if l.Raw == nil {
			continue
		}
		m, err := s.putPieces(ctx, l.Name, l.Raw)
		ms[i] = m
		if err != nil {
			drop()
			return err
		}
	}
	return s.update(func(tx *bolt.Tx) error {
		for i, l := range layers {
			if err := commitLayer(tx, l, ms[i]); err != nil {
				return fmt.Errorf("store layer %s: %w", l.Name, err)
			}
			if err := appendAudit(tx, s.now().UTC(), actor, "layer.import", l.Name, []string{l.Summary}); err != nil {
				return err
			}
		}
		return nil
	})
}

// putPieces writes the pieces of raw, gzipped, under a new generation of
// layer name, and returns its manifest. On failure the pieces written
// are the caller's to drop (the manifest has their generation).
func (s *Store) putPieces(ctx context.Context, name string, raw []byte) (layerManifest, error) {
	up, err := SplitLayer(raw)
	if err != nil {
		return layerManifest{}, err
	}
	m := layerManifest{pieces: uint32(len(up.Pieces)), size: up.Size, zsize: up.ZSize}
	for i, piece := range up.Pieces {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		gen, err := s.PutLayerPiece(ctx, name, m.gen, uint32(i), piece)
		if err != nil {
			return m, err
		}
		m.gen = gen
	}
	return m, nil
}

// LayerUpload is a layer cut into the pieces it is stored in: its
// gzipped bytes, a piece at a time (SplitLayer).
type LayerUpload struct {
	Pieces      [][]byte
	Size, ZSize uint64 // of the layer, of its gzipped form
}

// SplitLayer gzips raw and cuts it into pieces, as PutLayers stores it.
// In cluster mode each piece is a command of its own (PutLayerPiece),
// then one command commits the layers (CommitLayers).
func SplitLayer(raw []byte) (LayerUpload, error) {
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	if err != nil {
		return LayerUpload{}, err
	}
	if _, err := zw.Write(raw); err != nil {
		return LayerUpload{}, err
	}
	if err := zw.Close(); err != nil {
		return LayerUpload{}, err
	}
	zipped := z.Bytes()
	up := LayerUpload{Size: uint64(len(raw)), ZSize: uint64(len(zipped))}
	for start := 0; start < len(zipped); start += layerPiece {
		up.Pieces = append(up.Pieces, zipped[start:min(start+layerPiece, len(zipped))])
	}
	return up, nil
}

// PutLayerPiece stores piece i of a new generation of layer name, in a
// transaction of its own, and returns the generation: gen 0 with i 0
// draws a new one. The layer is unchanged until CommitLayers points it at
// its pieces.
func (s *Store) PutLayerPiece(ctx context.Context, name string, gen uint64, i uint32, piece []byte) (uint64, error) {
	if (gen == 0) != (i == 0) {
		return 0, camera.Errorf(camera.EINVALID, "piece", "piece %d of layer %s without its generation", i, name)
	}
	err := s.update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketLayers).CreateBucketIfNotExists(bucketLayerPieces)
		if err != nil {
			return err
		}
		if gen == 0 {
			if gen, err = b.NextSequence(); err != nil {
				return err
			}
		}
		return b.Put(pieceKey(name, gen, i), piece)
	})
	if err != nil {
		return 0, fmt.Errorf("store layer %s: %w", name, err)
	}
	return gen, nil
}

// LayerCommit points layer Name at the pieces PutLayerPiece stored under
// Gen (or removes it, with Remove), with Summary in its audit entry.
type LayerCommit struct {
	Name    string `json:"name"`
	Summary string `json:"summary"`
	Remove  bool   `json:"remove,omitempty"`
	Gen     uint64 `json:"gen,omitempty"`
	Pieces  uint32 `json:"pieces,omitempty"`
	Size    uint64 `json:"size,omitempty"`
	ZSize   uint64 `json:"zsize,omitempty"`
}

// CommitLayers is the last transaction of PutLayers: every layer of
// commits at once, with an audit entry each.
func (s *Store) CommitLayers(ctx context.Context, commits []LayerCommit, actor camera.Actor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		for _, c := range commits {
			l := LayerPut{Name: c.Name, Summary: c.Summary}
			if !c.Remove {
				l.Raw = []byte{} // not nil: stored, not removed
			}
			m := layerManifest{gen: c.Gen, pieces: c.Pieces, size: c.Size, zsize: c.ZSize}
			if err := commitLayer(tx, l, m); err != nil {
				return fmt.Errorf("store layer %s: %w", l.Name, err)
			}
			if err := appendAudit(tx, s.now().UTC(), actor, "layer.import", l.Name, []string{l.Summary}); err != nil {
				return err
			}
		}
		return nil
	})
}

// DropLayerPieces deletes the pieces of a generation not committed.
func (s *Store) DropLayerPieces(ctx context.Context, name string, gen uint64) error {
	s.dropPieces(name, gen)
	return nil
}

// commitLayer points layer l at the pieces of manifest m, or removes it
// when l.Raw is nil, and drops every other generation of its pieces: the
// one replaced, and any a crash left half written.
func commitLayer(tx *bolt.Tx, l LayerPut, m layerManifest) error {
	layers := tx.Bucket(bucketLayers)
	if pieces := layers.Bucket(bucketLayerPieces); pieces != nil {
		prefix := append([]byte(l.Name), 0)
		var stale [][]byte
		c := pieces.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) == len(prefix)+12 && (l.Raw == nil || binary.BigEndian.Uint64(k[len(prefix):]) != m.gen) {
				stale = append(stale, bytes.Clone(k))
			}
		}
		for _, k := range stale {
			if err := pieces.Delete(k); err != nil {
				return err
			}
		}
	}
	if l.Raw == nil {
		return layers.Delete([]byte(l.Name))
	}
	return layers.Put([]byte(l.Name), m.encode())
}

// dropPieces deletes the pieces of a generation not stored whole.
func (s *Store) dropPieces(name string, gen uint64) {
	if gen == 0 {
		return
	}
	_ = s.update(func(tx *bolt.Tx) error {
		pieces := tx.Bucket(bucketLayers).Bucket(bucketLayerPieces)
		if pieces == nil {
			return nil
		}
		prefix := binary.BigEndian.AppendUint64(append([]byte(name), 0), gen)
		var keys [][]byte
		c := pieces.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			if err := pieces.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetLayer returns a copy of a stored layer, or nil when none was
// imported.
func (s *Store) GetLayer(ctx context.Context, name string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		layers := tx.Bucket(bucketLayers)
		v := layers.Get([]byte(name))
		if v == nil {
			return nil
		}
		m, pieced, err := parseManifest(v)
		if err != nil {
			return fmt.Errorf("layer %s: %w", name, err)
		}
		if !pieced {
			out = append([]byte(nil), v...)
			return nil
		}
		zipped := make([]byte, 0, m.zsize)
		pieces := layers.Bucket(bucketLayerPieces)
		for i := range m.pieces {
			if err := ctx.Err(); err != nil {
				return err
			}
			var p []byte
			if pieces != nil {
				p = pieces.Get(pieceKey(name, m.gen, i))
			}
			if p == nil {
				return fmt.Errorf("layer %s: piece %d of %d is missing: %w", name, i, m.pieces, errLayerManifest)
			}
			zipped = append(zipped, p...)
		}
		if uint64(len(zipped)) != m.zsize {
			return fmt.Errorf("layer %s: %d bytes stored, the manifest says %d: %w", name, len(zipped), m.zsize, errLayerManifest)
		}
		zr, err := gzip.NewReader(bytes.NewReader(zipped))
		if err != nil {
			return fmt.Errorf("layer %s: %w", name, err)
		}
		out = make([]byte, 0, m.size)
		if out, err = readAllInto(out, zr); err != nil {
			return fmt.Errorf("layer %s: %w", name, err)
		}
		if uint64(len(out)) != m.size {
			return fmt.Errorf("layer %s: %d bytes, the manifest says %d: %w", name, len(out), m.size, errLayerManifest)
		}
		return nil
	})
	return out, err
}

// readAllInto appends everything r gives to buf, whose capacity is the
// size expected.
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
