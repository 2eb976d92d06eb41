package geo

import (
	"github.com/matthan/matthan/camera"
)

// AreaFilter narrows a query to some communes and road classes. Empty
// fields match everything; the fields that are set must all match.
type AreaFilter struct {
	// Communes matches any of these names exactly (the caller passes NFC
	// strings, as stored).
	Communes []string
	// CommuneMatch, when set, must also accept the commune name: pass an
	// accent-folding comparison here for "cho gao" to find "Chợ Gạo". It is
	// called at most once per distinct commune name per query, under the
	// index's read lock.
	CommuneMatch func(commune string) bool
	// RoadClasses matches any of these classes.
	RoadClasses []camera.RoadClass
}

// Filter narrows a camera query. Empty fields match everything.
type Filter struct {
	AreaFilter
	// States matches cameras whose current health is any of these.
	States []camera.HealthState
	// AfterID keeps only cameras whose id sorts after it: the cursor of
	// the id-ordered queries (Within, InPolygon). Near, Nearest and
	// Seeing ignore it.
	AfterID string
}

// matcher is a compiled filter: bit masks for the classes and states, and
// commune decisions by interned id.
type matcher struct {
	classes  uint8 // bit i: road class of rank i; 0 = any
	states   uint8 // bit i: camera.HealthStates[i]; 0 = any
	communes map[uint32]bool
	none     bool // communes were named but none is known: match nothing
	fn       func(string) bool
	cache    map[uint32]bool
	names    *interner
}

// compileArea checks and compiles an area filter against the interned
// names; the caller holds the read lock.
func compileArea(f AreaFilter, names *interner) (*matcher, error) {
	m := &matcher{fn: f.CommuneMatch, names: names}
	for _, c := range f.RoadClasses {
		if !c.Valid() {
			return nil, camera.Errorf(camera.EINVALID, "road_class", "must be one of national, provincial, district, commune, urban, other, got %q", c)
		}
		m.classes |= 1 << c.Rank()
	}
	if len(f.Communes) > 0 {
		m.communes = map[uint32]bool{}
		for _, name := range f.Communes {
			if id, ok := names.lookup(name); ok {
				m.communes[id] = true
			}
		}
		m.none = len(m.communes) == 0
	}
	if m.fn != nil {
		m.cache = map[uint32]bool{}
	}
	return m, nil
}

// compile checks and compiles a camera filter.
func compile(f Filter, names *interner) (*matcher, error) {
	m, err := compileArea(f.AreaFilter, names)
	if err != nil {
		return nil, err
	}
	for _, s := range f.States {
		if !s.Valid() {
			return nil, camera.Errorf(camera.EINVALID, "state", "must be one of up, degraded, down, auth_failed, unknown, got %q", s)
		}
		m.states |= 1 << stateIndex(s)
	}
	return m, nil
}

// area reports whether a commune and a road class pass the filter.
func (m *matcher) area(commune uint32, class uint8) bool {
	if m.none {
		return false
	}
	if m.classes != 0 && m.classes&(1<<class) == 0 {
		return false
	}
	if m.communes != nil && !m.communes[commune] {
		return false
	}
	if m.fn != nil {
		ok, seen := m.cache[commune]
		if !seen {
			ok = m.fn(m.names.name(commune))
			m.cache[commune] = ok
		}
		return ok
	}
	return true
}

// ok reports whether a camera passes the filter.
func (m *matcher) ok(e *entry) bool {
	if m.states != 0 && m.states&(1<<e.state) == 0 {
		return false
	}
	return m.area(e.commune, e.class)
}
