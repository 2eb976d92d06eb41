package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// cameraView is a camera as the API shows it: every public field, and
// whether credentials are stored — never the credentials themselves
// (camera.Camera keeps them out of JSON).
type cameraView struct {
	*camera.Camera
	HasCredentials bool `json:"has_credentials"`
}

func viewOf(c *camera.Camera) cameraView {
	return cameraView{Camera: c, HasCredentials: c.HasCredentials()}
}

func (s *Server) getCamera(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	cam, err := s.store.GetCamera(c, id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ok(c, http.StatusOK, viewOf(cam))
}

func (s *Server) createCamera(c *gin.Context) {
	var in cameraInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if in.ID == nil {
		s.writeError(c, invalid("id", "is required"))
		return
	}
	if err := in.requireFields(); err != nil {
		s.writeError(c, err)
		return
	}
	// The fields the body leaves out keep New's defaults; the ones it
	// gives are validated as given (a 0 field of view is refused).
	cam := camera.New()
	if _, err := in.apply(cam); err != nil {
		s.writeError(c, err)
		return
	}
	s.fillCommune(cam)
	if err := cam.Validate(); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.checkNetworks(cam); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.store.CreateCamera(c, cam, actor(c)); err != nil {
		s.writeError(c, err)
		return
	}
	s.notifyCameras(cam)
	c.Header("Location", "/api/v1/cameras/"+cam.ID)
	ok(c, http.StatusCreated, viewOf(cam))
}

// replaceCamera is PUT: the body is the whole camera, and a field it leaves
// out takes its default (camera.New), not the stored value. Credentials
// are kept when the body gives none, because no client can read them back
// to send.
func (s *Server) replaceCamera(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var in cameraInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if in.ID != nil && *in.ID != id {
		s.writeError(c, invalid("id", "%q does not match the id %q in the path", *in.ID, id))
		return
	}
	if err := in.requireFields(); err != nil {
		s.writeError(c, err)
		return
	}
	cam := camera.New()
	cam.ID = id
	credsGiven, err := in.apply(cam)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.fillCommune(cam)
	if err := cam.Validate(); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.checkNetworks(cam); err != nil {
		s.writeError(c, err)
		return
	}
	created, err := s.store.ReplaceCamera(c, cam, !credsGiven, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.notifyCameras(cam)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	ok(c, status, viewOf(cam))
}

// patchCamera applies the fields present in the body (a JSON merge patch
// of the camera's fields) and validates the result. No default is applied:
// a field left out keeps its stored value, and one given is validated as
// given.
func (s *Server) patchCamera(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var in cameraInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if in.ID != nil && *in.ID != id {
		s.writeError(c, invalid("id", "cannot be changed (is %q)", id))
		return
	}
	s.updateCamera(c, id, "camera.patch", func(cam *camera.Camera) error {
		if _, err := in.apply(cam); err != nil {
			return err
		}
		s.fillCommune(cam)
		if err := cam.Validate(); err != nil {
			return err
		}
		if in.RTSPURL == nil {
			// A camera registered before the policy changed keeps
			// its other fields editable; the poller reports it.
			return nil
		}
		return s.checkNetworks(cam)
	})
}

// retireCamera marks a camera retired: it stays in the registry with its
// history and funding, and is no longer probed or counted for coverage.
// Unlike PATCH it changes the status alone and validates nothing else.
func (s *Server) retireCamera(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.updateCamera(c, id, "camera.retire", func(cam *camera.Camera) error {
		cam.Status = camera.StatusRetired
		return nil
	})
}

// updateCamera is what PATCH and retire share: the camera id changed by
// change inside the store's transaction and audited as action, then
// given to the observers (the poller, the spatial index) and answered.
func (s *Server) updateCamera(c *gin.Context, id, action string, change func(*camera.Camera) error) {
	cam, err := s.store.UpdateCamera(c, id, action, actor(c), change)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.notifyCameras(cam)
	ok(c, http.StatusOK, viewOf(cam))
}

func (s *Server) deleteCamera(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.store.DeleteCamera(c, id, actor(c)); err != nil {
		s.writeError(c, err)
		return
	}
	s.notifyRemoved(id)
	c.Status(http.StatusNoContent)
}

// cameraFilter is the parsed filter of GET /cameras.
type cameraFilter struct {
	q, district, province string                 // folded
	commune               func(name string) bool // communeMatcher; nil = any
	status                camera.Status
	roadClass             camera.RoadClass
	site                  camera.Site
}

func parseCameraFilter(q map[string][]string) (cameraFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := cameraFilter{
		q:        vntext.Fold(get("q")),
		commune:  communeMatcher(get("commune")),
		district: vntext.Fold(get("district")),
		province: vntext.Fold(get("province")),
	}
	if v := get("status"); v != "" {
		if f.status = camera.Status(v); !f.status.Valid() {
			return f, invalid("status", "must be active or retired, got %q", v)
		}
	}
	if v := get("road_class"); v != "" {
		if f.roadClass = camera.RoadClass(v); !f.roadClass.Valid() {
			return f, invalid("road_class", "must be one of national, provincial, district, commune, urban, other, got %q", v)
		}
	}
	if v := get("site"); v != "" {
		if f.site = camera.Site(v); !f.site.Valid() {
			return f, invalid("site", "must be one of intersection, road, other, got %q", v)
		}
	}
	return f, nil
}

// match reports whether cam passes the filter. Commune, district and
// province compare folded, so "cho gao" selects "Chợ Gạo", and the
// commune with or without its prefix ("Thị trấn Chợ Gạo"); q matches a
// folded substring of the id, name or commune.
func (f cameraFilter) match(cam *camera.Camera) bool {
	if f.status != "" && cam.Status != f.status {
		return false
	}
	if f.roadClass != "" && cam.RoadClass != f.roadClass {
		return false
	}
	if f.site != "" && cam.Site != f.site {
		return false
	}
	if f.commune != nil && !f.commune(cam.Commune) {
		return false
	}
	if f.district != "" && vntext.Fold(cam.District) != f.district {
		return false
	}
	if f.province != "" && vntext.Fold(cam.Province) != f.province {
		return false
	}
	if f.q != "" {
		return strings.Contains(vntext.Fold(cam.ID), f.q) ||
			strings.Contains(vntext.Fold(cam.Name), f.q) ||
			strings.Contains(vntext.Fold(cam.Commune), f.q)
	}
	return true
}

func (f cameraFilter) empty() bool {
	return f.q == "" && f.commune == nil && f.district == "" && f.province == "" && f.status == "" && f.roadClass == "" && f.site == ""
}

func (s *Server) listCameras(c *gin.Context) {
	q, err := checkQuery(c, "q", "commune", "district", "province", "status", "road_class", "site", "limit", "cursor")
	if err != nil {
		s.writeError(c, err)
		return
	}
	limit, after, err := pageParams(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f, err := parseCameraFilter(q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var keep func(*camera.Camera) bool
	if !f.empty() {
		keep = f.match
	}
	cams, next, err := s.store.ListCameras(c, after, limit, keep)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := page[cameraView]{Items: make([]cameraView, 0, len(cams)), NextCursor: encodeCursor(next)}
	for _, cam := range cams {
		out.Items = append(out.Items, viewOf(cam))
	}
	ok(c, http.StatusOK, out)
}
