package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
)

// incidentRejection is one item of an incident import that was not
// stored: its 0-based index in the array, its id as far as it could be
// read, the field at fault and why.
type incidentRejection struct {
	Index  int    `json:"index"`
	ID     string `json:"id,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// incidentImportReport is the answer of POST /incidents/import.
type incidentImportReport struct {
	Created    int                 `json:"created"`
	Rejected   int                 `json:"rejected"`
	Atomic     bool                `json:"atomic"`
	IDs        []string            `json:"ids"`
	Rejections []incidentRejection `json:"rejections"`
}

// incidentImportProblem is the 400 of an atomic import with bad items.
type incidentImportProblem struct {
	Problem
	incidentImportReport
}

// importIncidents stores a JSON array of incidents (old records, another
// system's export) in a few large transactions. Every item is read and
// checked first — fields, registered cameras, ids free and not repeated —
// and a bad item is reported with its index and left out; with
// ?atomic=true nothing is stored if any item is bad. A body that breaks
// off, or is not a JSON array, stores nothing.
func (s *Server) importIncidents(c *gin.Context) {
	_, atomic, err := importQuery(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	body := s.importBody(c)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil {
		s.writeError(c, arrayError(err))
		return
	} else if d, isDelim := tok.(json.Delim); !isDelim || d != '[' {
		s.writeError(c, invalid("body", "must be a JSON array of incidents"))
		return
	}
	rep := incidentImportReport{Atomic: atomic, IDs: []string{}, Rejections: []incidentRejection{}}
	reject := func(i int, id string, err error) {
		rep.Rejections = append(rep.Rejections, incidentRejection{Index: i, ID: id, Field: camera.ErrorField(err), Reason: camera.ErrorMessage(err)})
	}
	var good []*camera.Incident
	var index []int // index[k] is the array index of good[k]
	for i := 0; dec.More(); i++ {
		var in incidentInput
		if err := dec.Decode(&in); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, new(*http.MaxBytesError)) {
				s.writeError(c, arrayError(err))
				return
			}
			// A wrong type or an unknown field: the decoder has read the
			// whole item and goes on with the next.
			reject(i, idOf(in), jsonError(err))
			continue
		}
		inc, err := in.newIncident()
		if err != nil {
			reject(i, idOf(in), err)
			continue
		}
		good, index = append(good, inc), append(index, i)
	}
	if _, err := dec.Token(); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		s.writeError(c, arrayError(err))
		return
	}
	if dec.More() {
		s.writeError(c, invalid("body", "has data after the JSON array"))
		return
	}
	if good, err = s.checkImport(c, good, index, reject); err != nil {
		s.writeError(c, err)
		return
	}
	slices.SortStableFunc(rep.Rejections, func(a, b incidentRejection) int { return a.Index - b.Index })
	rep.Rejected = len(rep.Rejections)
	if atomic && rep.Rejected > 0 {
		p := camera.Errorf(camera.EINVALID, "body", "%d of the incidents are invalid: nothing was stored (atomic)", rep.Rejected)
		c.Abort()
		writeJSON(c, http.StatusBadRequest, ProblemContentType, incidentImportProblem{
			Problem:              Problem{Type: "urn:matthan:problem:invalid", Title: http.StatusText(http.StatusBadRequest), Status: http.StatusBadRequest, Detail: p.Error(), Field: "body", Instance: c.Request.URL.Path},
			incidentImportReport: rep,
		})
		return
	}
	n, err := s.incidents.CreateIncidents(c, good, actor(c))
	s.recordIncidents(good[:n]...)
	if err != nil {
		// Something changed between the checks and the write (a camera
		// deleted, an id taken): the chunks before it are stored.
		s.writeError(c, err)
		return
	}
	for _, in := range good {
		rep.IDs = append(rep.IDs, in.ID)
	}
	rep.Created = n
	ok(c, http.StatusOK, rep)
}

// checkImport rejects the items the store would refuse while writing —
// an unregistered camera, an id already stored or given twice — so that
// the write does not stop at them.
// index[k] is the array index of ins[k], for the rejections.
func (s *Server) checkImport(c *gin.Context, ins []*camera.Incident, index []int, reject func(int, string, error)) ([]*camera.Incident, error) {
	cams := map[string]bool{}
	ids := map[string]bool{}
	var keep []*camera.Incident
	for k, in := range ins {
		bad := error(nil)
		for _, id := range in.CameraIDs {
			known, seen := cams[id]
			if !seen {
				_, err := s.store.GetCamera(c, id)
				switch camera.ErrorCode(err) {
				case "":
					known = true
				case camera.ENOTFOUND:
				default:
					return nil, err
				}
				cams[id] = known
			}
			if !known {
				bad = invalid("camera_ids", "no camera with id %q", id)
				break
			}
		}
		if bad == nil && in.ID != "" {
			if ids[in.ID] {
				bad = camera.Errorf(camera.ECONFLICT, "id", "%q is given twice in the import", in.ID)
			} else if _, err := s.incidents.GetIncident(c, in.ID); err == nil {
				bad = camera.Errorf(camera.ECONFLICT, "id", "an incident with id %q already exists", in.ID)
			} else if camera.ErrorCode(err) != camera.ENOTFOUND {
				return nil, err
			}
			ids[in.ID] = true
		}
		if bad != nil {
			reject(index[k], in.ID, bad)
			continue
		}
		keep = append(keep, in)
	}
	return keep, nil
}

// idOf returns the id an item gave, for its rejection.
func idOf(in incidentInput) string {
	if in.ID == nil {
		return ""
	}
	return *in.ID
}

// arrayError explains a body that is not a readable JSON array.
func arrayError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return invalid("body", "is empty: a JSON array of incidents is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "ends in the middle of the JSON array")
	}
	return jsonError(err)
}
