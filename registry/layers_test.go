package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
)

// layerBytes is a layer of n random bytes: gzip cannot shrink it, so it
// takes as many pieces as it has bytes.
func layerBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(n)))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// piecesOf is how many pieces raw takes once gzipped.
func piecesOf(t *testing.T, raw []byte) int {
	t.Helper()
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return (z.Len() + layerPiece - 1) / layerPiece
}

// pieceKeys lists the stored pieces of every layer.
func pieceKeys(t *testing.T, s *Store) [][]byte {
	t.Helper()
	var keys [][]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLayers).Bucket(bucketLayerPieces)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			keys = append(keys, bytes.Clone(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestLayerPieces stores layers of several sizes, replacing each other:
// each reads back whole, and only the pieces of the layers in place stay.
// A real layer (JSON) is gzipped to a few pieces.
func TestLayerPieces(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "matthan.db"))
	ctx := context.Background()
	communes := layerBytes(1000, 'c')
	if err := s.PutLayer(ctx, LayerCommunes, communes, "1 commune", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	for i, n := range []int{5, layerPiece, layerPiece + 1, 3*layerPiece - 17, 100} {
		raw := layerBytes(n, byte(i))
		if err := s.PutLayer(ctx, LayerIntersections, raw, "x", camera.SystemActor); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetLayer(ctx, LayerIntersections)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("layer of %d bytes read back as %d bytes (%v)", n, len(got), err)
		}
		want := piecesOf(t, raw) + piecesOf(t, communes)
		if keys := pieceKeys(t, s); len(keys) != want {
			t.Errorf("after a layer of %d bytes: %d pieces stored, want %d", n, len(keys), want)
		}
	}
	if got, err := s.GetLayer(ctx, LayerCommunes); err != nil || !bytes.Equal(got, communes) {
		t.Errorf("the other layer: %d bytes (%v)", len(got), err)
	}
	json := bytes.Repeat([]byte(`{"id":"J-0123456789ab","name":"Ngã tư Ngang 12 – Dọc 34","lat":10.3512345,"lon":106.4012345,"road_class":"urban","legs":4},`), 40_000)
	if err := s.PutLayer(ctx, LayerIntersections, json, "x", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetLayer(ctx, LayerIntersections); err != nil || !bytes.Equal(got, json) {
		t.Fatalf("a JSON layer read back as %d bytes (%v)", len(got), err)
	}
	if n := len(pieceKeys(t, s)) - piecesOf(t, communes); n > len(json)/layerPiece/5 {
		t.Errorf("%d MB of JSON took %d pieces of %d KiB", len(json)>>20, n, layerPiece>>10)
	}
}

// TestLayerStoredWhole reads a layer stored before layers were pieced: as
// it is; and a new import replaces it.
func TestLayerStoredWhole(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "matthan.db"))
	ctx := context.Background()
	old := []byte(`[{"id":"J-1","name":"Ngã tư","lat":10.35,"lon":106.46,"road_class":"national"}]`)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketLayers).Put([]byte(LayerIntersections), old) }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetLayer(ctx, LayerIntersections); err != nil || !bytes.Equal(got, old) {
		t.Fatalf("a layer stored whole reads %q (%v)", got, err)
	}
	raw := layerBytes(2*layerPiece, 'n')
	if err := s.PutLayer(ctx, LayerIntersections, raw, "x", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetLayer(ctx, LayerIntersections); err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("after the new import: %d bytes (%v)", len(got), err)
	}
	if got, err := s.GetLayer(ctx, LayerCommunes); got != nil || err != nil {
		t.Errorf("a layer never imported: %q, %v", got, err)
	}
}

// cancelAfter is a context cancelled after a number of looks at Err.
type cancelAfter struct {
	context.Context
	left int
}

func (c *cancelAfter) Err() error {
	c.left--
	if c.left < 0 {
		return context.Canceled
	}
	return nil
}

// TestLayerPutCancelled: a layer whose writing is cancelled part-way is
// not stored, and leaves no piece behind.
func TestLayerPutCancelled(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "matthan.db"))
	ctx := context.Background()
	old := layerBytes(layerPiece+5, 'o')
	if err := s.PutLayer(ctx, LayerIntersections, old, "old", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	err := s.PutLayer(&cancelAfter{Context: ctx, left: 3}, LayerIntersections, layerBytes(5*layerPiece, 'n'), "new", camera.SystemActor)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("PutLayer cancelled: %v", err)
	}
	if got, err := s.GetLayer(ctx, LayerIntersections); err != nil || !bytes.Equal(got, old) {
		t.Errorf("after a cancelled import the layer is %d bytes (%v), want the old %d", len(got), err, len(old))
	}
	if keys, want := pieceKeys(t, s), piecesOf(t, old); len(keys) != want {
		t.Errorf("%d pieces stored, want the old layer's %d", len(keys), want)
	}
}

// TestLayersTogether: the roads are stored with the intersections found
// on them, in one PutLayers: both read back, each audited; a later
// import of intersections alone leaves the roads; nil removes a layer and
// its pieces. A database from before the roads layer (intersections
// stored whole, no roads) reads no roads.
func TestLayersTogether(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "matthan.db"))
	ctx := context.Background()
	old := []byte(`[{"id":"J-1","name":"Ngã tư","lat":10.35,"lon":106.46,"road_class":"national"}]`)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketLayers).Put([]byte(LayerIntersections), old) }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetLayer(ctx, LayerRoads); got != nil || err != nil {
		t.Fatalf("a database from before the roads layer reads roads %q, %v", got, err)
	}

	isects, roads := layerBytes(layerPiece+9, 'i'), layerBytes(2*layerPiece+3, 'r')
	err := s.PutLayers(ctx, []LayerPut{
		{Name: LayerIntersections, Raw: isects, Summary: "12 intersections"},
		{Name: LayerRoads, Raw: roads, Summary: "7 roads"},
	}, camera.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{LayerIntersections: isects, LayerRoads: roads} {
		if got, err := s.GetLayer(ctx, name); err != nil || !bytes.Equal(got, want) {
			t.Errorf("layer %s read back as %d bytes (%v), want %d", name, len(got), err, len(want))
		}
	}
	audit, _, err := s.ListAudit(ctx, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 || audit[0].Target != LayerRoads || audit[0].Changes[0] != "7 roads" || audit[1].Target != LayerIntersections {
		t.Errorf("audit %+v", audit)
	}

	// Intersections alone: the roads stay.
	isects2 := layerBytes(100, 'j')
	if err := s.PutLayer(ctx, LayerIntersections, isects2, "1 intersection", camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetLayer(ctx, LayerRoads); !bytes.Equal(got, roads) {
		t.Errorf("after an import of intersections alone the roads are %d bytes", len(got))
	}
	if keys, want := pieceKeys(t, s), piecesOf(t, isects2)+piecesOf(t, roads); len(keys) != want {
		t.Errorf("%d pieces stored, want %d", len(keys), want)
	}

	// Cancelled while the second layer is written: neither changes, and
	// no piece of either stays.
	err = s.PutLayers(&cancelAfter{Context: ctx, left: 4}, []LayerPut{
		{Name: LayerIntersections, Raw: layerBytes(2*layerPiece, 'k'), Summary: "x"},
		{Name: LayerRoads, Raw: layerBytes(3*layerPiece, 's'), Summary: "y"},
	}, camera.SystemActor)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("PutLayers cancelled: %v", err)
	}
	if got, _ := s.GetLayer(ctx, LayerIntersections); !bytes.Equal(got, isects2) {
		t.Errorf("after a cancelled import the intersections are %d bytes", len(got))
	}
	if got, _ := s.GetLayer(ctx, LayerRoads); !bytes.Equal(got, roads) {
		t.Errorf("after a cancelled import the roads are %d bytes", len(got))
	}
	if keys, want := pieceKeys(t, s), piecesOf(t, isects2)+piecesOf(t, roads); len(keys) != want {
		t.Errorf("after a cancelled import %d pieces stored, want %d", len(keys), want)
	}

	// Removed with new intersections.
	err = s.PutLayers(ctx, []LayerPut{{Name: LayerIntersections, Raw: isects, Summary: "x"}, {Name: LayerRoads, Summary: "roads removed"}}, camera.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetLayer(ctx, LayerRoads); got != nil || err != nil {
		t.Errorf("removed roads read %d bytes, %v", len(got), err)
	}
	if keys, want := pieceKeys(t, s), piecesOf(t, isects); len(keys) != want {
		t.Errorf("after the roads are removed %d pieces stored, want %d", len(keys), want)
	}
}
