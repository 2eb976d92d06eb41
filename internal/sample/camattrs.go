package sample

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cameraHeader is the camera CSV header of docs/design.md.
var cameraHeader = []string{"id", "name", "lat", "lon", "commune", "district", "province",
	"road_class", "site", "direction_deg", "fov_deg", "range_m", "rtsp_url", "installed_on", "cost_vnd"}

// Dates of the programme.
var (
	programmeStart = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	programmeEnd   = time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)
)

// randomDate returns a date of year 2019+i with probability weights[i].
func randomDate(r *rng, weights []float64) time.Time {
	y := 2019 + r.weighted(weights)
	start := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
	return start.AddDate(0, 0, r.intn(days))
}

// fitTotal nudges values one step at a time, each within [lo, hi], until
// they add up to total.
func fitTotal(r *rng, vals []*int, total, lo, hi int) error {
	if len(vals)*lo > total || len(vals)*hi < total {
		return fmt.Errorf("cannot make %d values in [%d, %d] add up to %d", len(vals), lo, hi, total)
	}
	sum := 0
	for _, v := range vals {
		*v = min(hi, max(lo, *v))
		sum += *v
	}
	for sum != total {
		v := vals[r.intn(len(vals))]
		switch {
		case sum < total && *v < hi:
			*v++
			sum++
		case sum > total && *v > lo:
			*v--
			sum--
		}
	}
	return nil
}

// finishCams gives every camera its mount, installation date and price,
// numbers them in order of installation (CG-0001 is the first camera
// installed) and makes their names unique.
func (pl *placer) finishCams() error {
	r := pl.r
	lenses := []int{90, 95, 100, 100, 105, 110}
	groups := map[int][]*int{}
	for _, c := range pl.cams {
		dome := 0.0
		switch {
		case c.group == groupMajor:
			dome = 0.15
		case c.group == groupRoad:
			dome = 0.03
		case c.kind == "market" || c.kind == "bus" || c.kind == "park":
			dome = 0.35
		case c.site == siteOther:
			dome = 0.08
		default:
			dome = 0.05
		}
		years := []float64{0.12, 0.2, 0.26, 0.24, 0.18}
		if c.group != groupRest {
			years = []float64{0.3, 0.28, 0.2, 0.12, 0.1}
		}
		c.installed = randomDate(r, years).Format("2006-01-02")
		if r.chance(dome) {
			c.fov = 360
			c.rangeM = 5 * r.intBetween(6, 10)
		} else {
			c.fov = pick(r, lenses)
			c.rangeM = 5 * r.intBetween(8, 16)
			if c.group == groupRest {
				c.rangeM = 5 * r.intBetween(6, 14)
			}
		}
		switch c.group {
		case groupMajor:
			c.costUnits = r.intBetween(62, 80)
			if c.fov == 360 {
				c.costUnits = r.intBetween(80, 90)
			}
		case groupRoad:
			c.costUnits = r.intBetween(36, 52)
			if c.fov == 360 {
				c.costUnits = r.intBetween(50, 60)
			}
		default:
			c.costUnits = r.intBetween(25, 30)
			if c.fov == 360 {
				c.costUnits = r.intBetween(30, 35)
			}
		}
		groups[c.group] = append(groups[c.group], &c.costUnits)
	}
	rest := TotalCostVND - RoadCostVND - JunctionCostVND
	for _, g := range []struct {
		group  int
		total  int64
		lo, hi int
	}{
		{groupRoad, RoadCostVND, 30, 60},
		{groupMajor, JunctionCostVND, 60, 90},
		{groupRest, rest, 25, 35},
	} {
		if err := fitTotal(r, groups[g.group], int(g.total/costUnit), g.lo, g.hi); err != nil {
			return err
		}
	}

	sort.SliceStable(pl.cams, func(a, b int) bool {
		if pl.cams[a].installed != pl.cams[b].installed {
			return pl.cams[a].installed < pl.cams[b].installed
		}
		return pl.cams[a].Name < pl.cams[b].Name
	})
	seen := map[string]int{}
	for i, c := range pl.cams {
		c.ID = fmt.Sprintf("CG-%04d", i+1)
		seen[c.Name]++
	}
	used := map[string]bool{}
	for _, c := range pl.cams {
		if seen[c.Name] > 1 {
			base := c.Name + " (" + compass(c.dir) + ")"
			name := base
			for k := 2; used[name]; k++ {
				name = fmt.Sprintf("%s %d", base, k)
			}
			c.Name = name
		}
		used[c.Name] = true
	}
	return nil
}

// rtspURL is the stream address of a camera. The demo replaces host and
// port with its simulated cameras; the file carries no credentials.
func rtspURL(id string) string {
	return "rtsp://cam." + strings.ToLower(id) + ".local:554/Streaming/Channels/101"
}

// camerasCSV writes cameras.csv.
func camerasCSV(cs []*commune, cams []*cam) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(cameraHeader); err != nil {
		return nil, err
	}
	for _, c := range cams {
		rec := []string{
			c.ID, c.Name,
			strconv.FormatFloat(c.at.Lat, 'f', 6, 64), strconv.FormatFloat(c.at.Lon, 'f', 6, 64),
			cs[c.commune].Name, District, Province, c.class, c.site,
			strconv.Itoa(c.dir), strconv.Itoa(c.fov), strconv.Itoa(c.rangeM),
			rtspURL(c.ID), c.installed, strconv.FormatInt(int64(c.costUnits)*costUnit, 10),
		}
		if err := cw.Write(rec); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}
