package main

import (
	"path/filepath"
	"strings"
	"time"
)

// clipsConfig is the clips: section: where evidence clips are kept and
// how large an upload may be.
type clipsConfig struct {
	Dir      string   `yaml:"dir"`
	MaxBytes byteSize `yaml:"max_bytes"`
}

// incidentsConfig is the incidents: section: how long incidents and their
// clips are kept.
type incidentsConfig struct {
	// Retention is how long an incident is kept after its end; 0 keeps
	// everything forever. Incidents on legal hold are never purged.
	Retention         duration `yaml:"retention"`
	RetentionInterval duration `yaml:"retention_interval"`
}

// Defaults of the sections.
const (
	defaultClipsDir          = "./data/clips"
	defaultClipMaxBytes      = 2 << 30              // 2 GiB: a 300 s clip at 8 Mb/s is 300 MB
	defaultRetention         = 730 * 24 * time.Hour // two years
	defaultRetentionInterval = time.Hour
	// minRetention is the shortest retention accepted: less than a day is
	// a typo ("730m") that would destroy evidence, not a policy.
	minRetention = 24 * time.Hour
)

func defaultClipsConfig() clipsConfig {
	return clipsConfig{Dir: defaultClipsDir, MaxBytes: defaultClipMaxBytes}
}

func defaultIncidentsConfig() incidentsConfig {
	return incidentsConfig{Retention: duration(defaultRetention), RetentionInterval: duration(defaultRetentionInterval)}
}

// placeClipsDir keeps the clips next to the database: when db was set and
// clips.dir was not, the clips live in the directory "clips" beside the
// database file (a demo's, a test's, /var/lib/matthan's), not in ./data.
func (c *config) placeClipsDir() {
	_, dbSet := c.origins["db"]
	_, dirSet := c.origins["clips.dir"]
	if dbSet && !dirSet {
		c.Clips.Dir = filepath.Join(filepath.Dir(c.DB), "clips")
	}
}

// validateIncidents checks the clips: and incidents: sections.
func (c *config) validateIncidents(bad func(key, format string, args ...any) error) error {
	if strings.TrimSpace(c.Clips.Dir) == "" {
		return bad("clips.dir", "must be the path of the directory for evidence clips")
	}
	if c.Clips.MaxBytes <= 0 {
		return bad("clips.max_bytes", "must be more than 0, got %d", c.Clips.MaxBytes)
	}
	if r := time.Duration(c.Incidents.Retention); r < 0 || r > 0 && r < minRetention {
		return bad("incidents.retention", "must be 0s (keep forever) or at least %v, got %v", minRetention, c.Incidents.Retention)
	}
	if c.Incidents.RetentionInterval <= 0 {
		return bad("incidents.retention_interval", "must be more than 0, got %v", c.Incidents.RetentionInterval)
	}
	return nil
}
