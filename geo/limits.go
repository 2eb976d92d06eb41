package geo

import (
	"context"
	"fmt"

	"github.com/matthan/matthan/camera"
)

// Limits bound what one layer import may hold, so that a small body cannot
// become gigabytes of memory or minutes of work: a 294 KB road grid of
// 1,000 × 1,000 lines crosses itself in a million places. A limit is
// checked as the input is read — features and positions before they are
// decoded, junctions as they are found — and a layer past one is refused
// with an ETOOLARGE *camera.Error naming the field at fault and the limit.
//
// A zero field takes its default (DefaultLimits); a negative one means no
// limit (NoLimits, for layers read back from the store, which passed the
// limits of their day).
type Limits struct {
	// Features is the most features one layer may hold.
	Features int
	// Positions is the most positions (coordinate pairs) of one layer,
	// all features together.
	Positions int
	// PolygonPositions is the most positions of one commune boundary (a
	// Polygon or MultiPolygon, all rings together).
	PolygonPositions int
	// Junctions is the most intersections of one intersection layer: Point
	// features given, or junctions found where roads meet.
	Junctions int
}

// Default limits. They are sized on what real data needs and what the
// memory of a small server affords:
const (
	// DefaultMaxFeatures: a province's roads from OpenStreetMap are some
	// tens of thousands of ways; Vietnam's communes about ten thousand.
	DefaultMaxFeatures = 250_000
	// DefaultMaxPositions: a province's roads, or the country's communes
	// simplified to a few hundred positions each. Reading costs about 100
	// bytes a position while the layer is built (JSON, segments, the
	// junction search), so 200 MB at most.
	DefaultMaxPositions = 2_000_000
	// DefaultMaxPolygonPositions: a detailed commune boundary has a few
	// thousand positions; the most detailed seen, 240,000. The point-in-
	// polygon index makes such a boundary cheap to query; validating it
	// costs a sort of its segments.
	DefaultMaxPolygonPositions = 250_000
	// DefaultMaxJunctions: a province has some tens of thousands of road
	// junctions. Each costs about 400 bytes while found, named and counted.
	DefaultMaxJunctions = 200_000
)

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{
		Features:         DefaultMaxFeatures,
		Positions:        DefaultMaxPositions,
		PolygonPositions: DefaultMaxPolygonPositions,
		Junctions:        DefaultMaxJunctions,
	}
}

// NoLimits returns limits that let anything through.
func NoLimits() Limits {
	return Limits{Features: -1, Positions: -1, PolygonPositions: -1, Junctions: -1}
}

// resolve fills zero fields with their defaults and turns "no limit" into
// the largest int, so that checks are plain comparisons.
func (l Limits) resolve() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		switch {
		case v == 0:
			return def
		case v < 0:
			return int(^uint(0) >> 1)
		}
		return v
	}
	return Limits{
		Features:         pick(l.Features, d.Features),
		Positions:        pick(l.Positions, d.Positions),
		PolygonPositions: pick(l.PolygonPositions, d.PolygonPositions),
		Junctions:        pick(l.Junctions, d.Junctions),
	}
}

// tooLarge is the error of a limit passed: the field at fault, what went
// over, and the limit with its setting's name (the key under layers: in
// the daemon's configuration).
func tooLarge(field string, limit int, setting, format string, args ...any) error {
	return camera.Errorf(camera.ETOOLARGE, field, "%s: the limit is %d (%s)", fmt.Sprintf(format, args...), limit, setting)
}

// checkEvery is how many items a long loop handles between two looks at
// its context: often enough to stop within milliseconds, seldom enough to
// cost nothing.
const checkEvery = 4096

// canceled returns ctx's error, wrapped so that callers can tell a
// cancelled build from bad input (errors.Is context.Canceled still holds).
func canceled(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("layer build stopped: %w", err)
	}
	return nil
}
