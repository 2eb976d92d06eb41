package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/matthan/matthan/geo"
)

// layersConfig is the layers: section: how much one import of a reference
// layer (POST /api/v1/intersections/import, /communes/import) may hold.
// Past a limit the import is refused with 413, naming the limit, as soon
// as the reading reaches it; nothing is stored.
type layersConfig struct {
	MaxFeatures         int `yaml:"max_features"`
	MaxPositions        int `yaml:"max_positions"`
	MaxPolygonPositions int `yaml:"max_polygon_positions"`
	MaxJunctions        int `yaml:"max_junctions"`
}

func defaultLayersConfig() layersConfig {
	return layersConfig{
		MaxFeatures:         geo.DefaultMaxFeatures,
		MaxPositions:        geo.DefaultMaxPositions,
		MaxPolygonPositions: geo.DefaultMaxPolygonPositions,
		MaxJunctions:        geo.DefaultMaxJunctions,
	}
}

// limits translates the section for the API.
func (l layersConfig) limits() geo.Limits {
	return geo.Limits{
		Features:         l.MaxFeatures,
		Positions:        l.MaxPositions,
		PolygonPositions: l.MaxPolygonPositions,
		Junctions:        l.MaxJunctions,
	}
}

// parseCount reads a whole number for an environment variable; the range
// is validate's business.
func parseCount(v string, dst *int) error {
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(v), "_", ""))
	if err != nil {
		return fmt.Errorf("must be a whole number, got %q", v)
	}
	*dst = n
	return nil
}

// validateLayers checks the layers: section: every limit at least 1 (a
// limit of 0 would refuse every import; there is no "unlimited").
func (c *config) validateLayers(bad func(key, format string, args ...any) error) error {
	l := c.Layers
	for _, v := range []struct {
		key string
		n   int
	}{
		{"max_features", l.MaxFeatures}, {"max_positions", l.MaxPositions},
		{"max_polygon_positions", l.MaxPolygonPositions}, {"max_junctions", l.MaxJunctions},
	} {
		if v.n < 1 {
			return bad("layers."+v.key, "must be at least 1, got %d", v.n)
		}
	}
	if l.MaxPolygonPositions > l.MaxPositions {
		return bad("layers.max_polygon_positions", "must be at most layers.max_positions (%d), got %d", l.MaxPositions, l.MaxPolygonPositions)
	}
	return nil
}
