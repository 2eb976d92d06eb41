package api

import (
	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
)

// Per-camera health — whether this camera is down now — is for the roles
// of the health routes: admin, police and planners. A fundraiser sees the
// cameras on the map and the aggregated health summary, not which camera
// is down (a map of the cameras that are off is a burglar's map), so the
// geo answers a fundraiser gets carry no state, their tiles no state and
// no live coverage, and a state filter is refused.

// seesHealth reports whether the caller's role may see per-camera health.
func seesHealth(c *gin.Context) bool {
	return actor(c).Role != camera.RoleFundraiser
}

// stateFilterAllowed refuses a filter by health state to a role that may
// not see it.
func stateFilterAllowed(c *gin.Context, f geo.Filter) error {
	if len(f.States) > 0 && !seesHealth(c) {
		return camera.Errorf(camera.EFORBIDDEN, "state", "role %s may not filter cameras by their health", actor(c).Role)
	}
	return nil
}

// hideHitStates blanks the state of hits for a role that may not see it.
func hideHitStates(c *gin.Context, hits []geo.Hit) {
	if seesHealth(c) {
		return
	}
	for i := range hits {
		hits[i].State = ""
	}
}

func hideNearStates(c *gin.Context, hits []geo.NearHit) {
	if seesHealth(c) {
		return
	}
	for i := range hits {
		hits[i].State = ""
	}
}
