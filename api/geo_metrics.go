package api

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
)

// coverageCollector publishes the coverage of intersections at scrape
// time from the spatial index, which keeps the counts current: nothing is
// computed between scrapes. Labels are commune and road class — bounded by
// the reference layers, not by the number of cameras. Rows with
// road_class="all" and commune="all" carry the sums, so alerts need not
// aggregate ratios.
type coverageCollector struct {
	index         *geo.Index
	intersections *prometheus.Desc
	ratio         *prometheus.Desc
}

func newCoverageCollector(index *geo.Index) *coverageCollector {
	return &coverageCollector{
		index: index,
		intersections: prometheus.NewDesc("matthan_intersections",
			"Intersections of the reference layer, by commune, road class and whether an active camera covers them (installed coverage).",
			[]string{"commune", "road_class", "covered"}, nil),
		ratio: prometheus.NewDesc("matthan_coverage_ratio",
			"Share of intersections covered, by commune and road class (\"all\" for the sums), in installed mode (any active camera) or live mode (a camera that is up).",
			[]string{"commune", "road_class", "mode"}, nil),
	}
}

func (cc *coverageCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cc.intersections
	ch <- cc.ratio
}

func (cc *coverageCollector) Collect(ch chan<- prometheus.Metric) {
	type sums struct{ n, inst, live int }
	communes := map[string]*sums{}
	var total sums
	add := func(m map[string]*sums, k string, c geo.CoverageCount) {
		s := m[k]
		if s == nil {
			s = &sums{}
			m[k] = s
		}
		s.n += c.Intersections
		s.inst += c.CoveredInstalled
		s.live += c.CoveredLive
	}
	ratio := func(commune, class string, s sums) {
		if s.n == 0 {
			return
		}
		ch <- prometheus.MustNewConstMetric(cc.ratio, prometheus.GaugeValue, float64(s.inst)/float64(s.n), commune, class, string(geo.Installed))
		ch <- prometheus.MustNewConstMetric(cc.ratio, prometheus.GaugeValue, float64(s.live)/float64(s.n), commune, class, string(geo.Live))
	}
	classes := map[string]*sums{}
	for _, c := range cc.index.CoverageCounts() {
		commune := c.Commune
		if commune == "" {
			commune = "unknown"
		}
		ch <- prometheus.MustNewConstMetric(cc.intersections, prometheus.GaugeValue, float64(c.CoveredInstalled), commune, string(c.RoadClass), "true")
		ch <- prometheus.MustNewConstMetric(cc.intersections, prometheus.GaugeValue, float64(c.Intersections-c.CoveredInstalled), commune, string(c.RoadClass), "false")
		ratio(commune, string(c.RoadClass), sums{c.Intersections, c.CoveredInstalled, c.CoveredLive})
		add(communes, commune, c)
		add(classes, string(c.RoadClass), c)
		total.n += c.Intersections
		total.inst += c.CoveredInstalled
		total.live += c.CoveredLive
	}
	for name, s := range communes {
		ratio(name, "all", *s)
	}
	for _, rc := range camera.RoadClasses {
		if s := classes[string(rc)]; s != nil {
			ratio("all", string(rc), *s)
		}
	}
	ratio("all", "all", total)
}
