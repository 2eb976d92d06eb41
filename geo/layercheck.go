package geo

import (
	"context"
	"errors"

	"github.com/matthan/matthan/camera"
)

// Checking a layer before it is imported (the dry run of the layer
// imports): the layer is read as an import reads it, but an invalid
// feature does not stop the reading — its error is recorded and the
// features after it are read too, so that a planner sees every feature
// to fix at once. What the valid features make can then be built aside
// on a LayerUpdate, measured and thrown away (Statuses, CommuneChanges).

// MaxFeatureErrors is how many feature errors a LayerCheck keeps; it
// counts them all.
const MaxFeatureErrors = 100

// FeatureError is what is wrong with one feature: its position in the
// features array, the field at fault (as the import's error names it)
// and why.
type FeatureError struct {
	Feature int    `json:"feature"`
	Field   string `json:"field"`
	Detail  string `json:"detail"`
}

// LayerCheck is what reading a layer found.
type LayerCheck struct {
	// Source is what the features were: "points" or "roads" for an
	// intersection layer, "communes" for a commune layer.
	Source string `json:"source"`
	// Features were read, Invalid of them with an error; Errors are the
	// first MaxFeatureErrors errors.
	Features int            `json:"features"`
	Invalid  int            `json:"invalid"`
	Errors   []FeatureError `json:"errors"`
	last     int            // the feature of the last error counted
}

// add records err, the error of feature i (one count per feature).
func (c *LayerCheck) add(i int, err error) {
	if c.Invalid == 0 || c.last != i {
		c.Invalid++
	}
	c.last = i
	if len(c.Errors) < MaxFeatureErrors {
		fe := FeatureError{Feature: i, Field: camera.ErrorField(err), Detail: camera.ErrorMessage(err)}
		var e *camera.Error
		if errors.As(err, &e) {
			fe.Detail = e.Message // the field is beside it
		}
		c.Errors = append(c.Errors, fe)
	}
}

// CheckIntersections reads an intersection layer as ReadIntersections
// does, but past invalid features: it returns what was wrong with each,
// and the intersections of the valid ones (the junctions of the valid
// roads). The error is what stops a whole import: input that is not a
// FeatureCollection, a limit passed (ETOOLARGE), ctx done.
func CheckIntersections(ctx context.Context, raw []byte, lim Limits) (LayerCheck, []Intersection, error) {
	check := LayerCheck{Errors: []FeatureError{}}
	l, err := readIntersectionLayer(ctx, raw, lim, &check)
	return check, l.Intersections, err
}

// CheckCommunes reads a commune layer as ParseCommunes does, but past
// invalid features: it returns what was wrong with each, and the layer of
// the valid ones.
func CheckCommunes(ctx context.Context, raw []byte, lim Limits) (LayerCheck, *Communes, error) {
	check := LayerCheck{Source: "communes", Errors: []FeatureError{}}
	cs, err := parseCommunes(ctx, raw, lim, &check)
	return check, cs, err
}

// Statuses returns the intersections of the layer built aside by
// Intersections with their coverage when the build began (the camera
// changes since are replayed only by Commit), in the layer's order; nil
// when no intersection layer was built.
func (u *LayerUpdate) Statuses() []IntersectionStatus {
	if u.cov == nil {
		return nil
	}
	out := make([]IntersectionStatus, len(u.cov.items))
	for i := range out {
		out[i] = u.cov.status(i)
	}
	return out
}

// CommuneChanges returns how many intersections in place would change
// commune with the commune layer built aside by Communes: those whose
// input named none, whose boundary is another commune's, or none's.
func (u *LayerUpdate) CommuneChanges() int {
	if !u.setCommunes || u.base == nil {
		return 0
	}
	var list []Commune
	if u.communes != nil {
		list = u.communes.list
	}
	n := 0
	for i, a := range u.at {
		if u.base.given[i] {
			continue
		}
		name := ""
		if a >= 0 {
			name = list[a].Name
		}
		// The layer in place changes communes only at a Commit, and this
		// update is the only one open: its names are read without the lock.
		if u.base.items[i].Commune != name {
			n++
		}
	}
	return n
}
