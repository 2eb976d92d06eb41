package geo

import (
	"slices"
	"strings"

	"github.com/matthan/matthan/camera"
)

// CameraCount is how many active cameras a commune has, by health state.
type CameraCount struct {
	Commune string                     `json:"commune"`
	Cameras int                        `json:"cameras"`
	States  map[camera.HealthState]int `json:"states"`
}

// CameraCounts returns the active cameras per commune and state, in
// commune order, from memory: the district report and dashboards read it
// without scanning the store.
func (x *Index) CameraCounts() []CameraCount {
	x.mu.RLock()
	defer x.mu.RUnlock()
	byCommune := map[uint32]*CameraCount{}
	for slot := range x.ents {
		if x.ids[slot] == "" {
			continue
		}
		e := &x.ents[slot]
		cc := byCommune[e.commune]
		if cc == nil {
			cc = &CameraCount{Commune: x.names.name(e.commune), States: map[camera.HealthState]int{}}
			for _, st := range camera.HealthStates {
				cc.States[st] = 0
			}
			byCommune[e.commune] = cc
		}
		cc.Cameras++
		cc.States[camera.HealthStates[e.state]]++
	}
	out := make([]CameraCount, 0, len(byCommune))
	for _, cc := range byCommune {
		out = append(out, *cc)
	}
	slices.SortFunc(out, func(a, b CameraCount) int { return strings.Compare(a.Commune, b.Commune) })
	return out
}
