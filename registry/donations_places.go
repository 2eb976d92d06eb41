package registry

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// A commune exists when some camera is in it. Names are compared folded
// (vntext.Fold: no case, no diacritics, đ = d), so "Cho Gao" and "Chợ
// Gạo" are one commune; its canonical spelling is the one most of its
// cameras use (ties: the first in byte order), so that one camera typed
// without accents does not rename a commune of fifty.

// spelling is one way a commune is written on cameras.
type spelling struct {
	raw, fold string
	n         int // cameras written so
}

// communeNames collects the spellings of the communes of the cameras
// and picks each commune's canonical one.
type communeNames struct {
	spell map[string]*spelling // raw spelling → its fold and count
	canon map[string]string    // fold → canonical spelling, by finish
	last  *spelling            // cameras in id order often share a commune
}

func newCommuneNames() *communeNames {
	return &communeNames{spell: map[string]*spelling{}}
}

// add counts one camera written raw. Folding happens once per distinct
// spelling, not once per camera: a district has a few dozen.
func (c *communeNames) add(raw []byte) *spelling {
	if c.last != nil && c.last.raw == string(raw) {
		c.last.n++
		return c.last
	}
	s, ok := c.spell[string(raw)]
	if ok {
		s.n++
	} else {
		s = &spelling{raw: string(raw), fold: vntext.Fold(string(raw)), n: 1}
		c.spell[s.raw] = s
	}
	c.last = s
	return s
}

// finish picks the canonical spellings.
func (c *communeNames) finish() {
	best := map[string]*spelling{}
	for _, s := range c.spell {
		if b := best[s.fold]; b == nil || s.n > b.n || (s.n == b.n && s.raw < b.raw) {
			best[s.fold] = s
		}
	}
	c.canon = make(map[string]string, len(best))
	for f, s := range best {
		c.canon[f] = s.raw
	}
}

// loadCommuneNames reads the commune of every camera (from its facts
// record, camera_facts.go): the spellings, and in ids which commune each
// camera is in.
func loadCommuneNames(ctx context.Context, tx *bolt.Tx, ids map[string]*spelling) (*communeNames, error) {
	names := newCommuneNames()
	err := eachCameraFacts(ctx, tx, func(id []byte, f *cameraFacts) error {
		ids[string(id)] = names.add(f.commune)
		return nil
	})
	if err != nil {
		return nil, err
	}
	names.finish()
	return names, nil
}

// Places is a snapshot of which cameras exist and in which commune, for
// resolving donations (camera.Donation.Resolve) while decoding an import:
// it implements camera.Places. A million cameras take about 100 MB and a
// second and a half to load (BenchmarkPlaces1M). The store checks every
// donation again when it writes it, so a camera deleted after the
// snapshot cannot be given to. It is safe for concurrent use (it is read
// only).
type Places struct {
	ids   map[string]*spelling
	names *communeNames
}

var _ camera.Places = (*Places)(nil)

// Places loads a snapshot of the cameras' communes.
func (s *Store) Places(ctx context.Context) (*Places, error) {
	p := &Places{ids: map[string]*spelling{}}
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		p.names, err = loadCommuneNames(ctx, tx, p.ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// CameraCommune implements camera.Places.
func (p *Places) CameraCommune(id string) (string, bool) {
	sp, ok := p.ids[id]
	if !ok {
		return "", false
	}
	return p.names.canon[sp.fold], true
}

// Commune implements camera.Places.
func (p *Places) Commune(name string) (string, bool) {
	c, ok := p.names.canon[vntext.Fold(name)]
	return c, ok
}

// txPlaces is camera.Places inside a transaction: cameras are read one
// by one from it, communes from names read in the same transaction (the
// commune facts; a camera whose commune the names do not know keeps its
// own spelling). Unlike Places it holds only the cameras asked about,
// cached: an import names each camera several times, and one donation,
// or a thousand-row import, into a million-camera registry should read
// neither every camera nor every id.
type txPlaces struct {
	tx    *bolt.Tx
	names *communeNames
	seen  map[string]string // camera id → canonical commune
	canon map[string]string // raw spelling → canonical spelling
	err   error             // the first camera record that could not be read
}

func newTxPlaces(tx *bolt.Tx, names *communeNames) *txPlaces {
	return &txPlaces{tx: tx, names: names, seen: map[string]string{}, canon: map[string]string{}}
}

func (p *txPlaces) CameraCommune(id string) (string, bool) {
	if c, ok := p.seen[id]; ok {
		return c, true
	}
	var f cameraFacts
	found, err := getCameraFacts(p.tx, []byte(id), &f)
	if err != nil && p.err == nil {
		p.err = err
	}
	if !found {
		return "", false
	}
	c, ok := p.canon[string(f.commune)]
	if !ok {
		raw := string(f.commune)
		if c, ok = p.names.canon[vntext.Fold(raw)]; !ok {
			c = raw
		}
		p.canon[raw] = c
	}
	p.seen[id] = c
	return c, true
}

func (p *txPlaces) Commune(name string) (string, bool) {
	c, ok := p.names.canon[vntext.Fold(name)]
	return c, ok
}
