package api

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/exchange"
	"github.com/matthan/matthan/registry"
)

// importReport is the answer to an import: what was stored and every row
// that was not, with its line (CSV) or feature index (GeoJSON) and why.
type importReport struct {
	registry.ImportResult
	Rejected   int                  `json:"rejected"`
	Atomic     bool                 `json:"atomic"`
	Rejections []exchange.Rejection `json:"rejections"`
}

// importProblem is the 400 of an atomic import with bad rows: a problem
// that carries the report, so the client sees every bad row at once.
type importProblem struct {
	Problem
	importReport
}

// importQuery checks the query of an import — atomic and the names in
// extra — and parses atomic.
func importQuery(c *gin.Context, extra ...string) (q url.Values, atomic bool, err error) {
	if q, err = checkQuery(c, append([]string{"atomic"}, extra...)...); err != nil {
		return nil, false, err
	}
	atomic, err = boolParam(q, "atomic")
	return q, atomic, err
}

// importBody reads an import's body, at most importLimit bytes (413
// beyond), buffered for decoders that peek, held to the minimum upload
// rate (deadline.go).
func (s *Server) importBody(c *gin.Context) *bufio.Reader {
	s.upload(c)
	return bufio.NewReaderSize(http.MaxBytesReader(c.Writer, c.Request.Body, s.importLimit), 64<<10)
}

// importCameras upserts cameras from a CSV or GeoJSON body. The whole body
// is decoded and checked before anything is written, so a body that breaks
// off (or is over the limit) writes nothing; then the valid rows are stored
// in a few large transactions, or — with ?atomic=true — all in one, and
// only if no row was rejected.
func (s *Server) importCameras(c *gin.Context) {
	q, atomic, err := importQuery(c, "format")
	if err != nil {
		s.writeError(c, err)
		return
	}
	body := s.importBody(c)
	var format exchange.Format
	if v := q.Get("format"); v != "" {
		format, err = exchange.ParseFormat(v)
	} else {
		first, perr := body.Peek(512)
		if perr != nil && !errors.Is(perr, io.EOF) && !errors.Is(perr, bufio.ErrBufferFull) {
			s.writeError(c, readError(perr))
			return
		}
		format, err = exchange.DetectFormat(c.ContentType(), first)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	dec, err := exchange.NewDecoder(format, body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	cams, rejects, err := readImport(dec, s.checkNetworks)
	if err != nil {
		s.writeError(c, readError(err))
		return
	}
	for _, cam := range cams {
		s.fillCommune(cam)
	}
	opts := registry.ImportOptions{Atomic: atomic}
	if csv, isCSV := dec.(*exchange.CSVDecoder); isCSV {
		cols, _ := csv.Columns()
		opts.KeepStatus = !slices.Contains(cols, "status")
		opts.KeepNotes = !slices.Contains(cols, "notes")
	}
	rep := importReport{Atomic: atomic, Rejected: len(rejects), Rejections: rejects}
	if rep.Rejections == nil {
		rep.Rejections = []exchange.Rejection{}
	}
	if atomic && len(rejects) > 0 {
		c.Abort()
		writeJSON(c, http.StatusBadRequest, ProblemContentType, importProblem{
			Problem: Problem{
				Type: "urn:matthan:problem:" + camera.EINVALID, Title: http.StatusText(http.StatusBadRequest), Status: http.StatusBadRequest,
				Detail: fmt.Sprintf("%d rows were rejected, the first: %s; nothing was stored (atomic import)", len(rejects), rejects[0].Error()),
				Field:  "body", Instance: c.Request.URL.Path,
			},
			importReport: rep,
		})
		return
	}
	res, err := s.store.Import(c, cams, opts, actor(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.notifyCameras(cams...)
	rep.ImportResult = res
	ok(c, http.StatusOK, rep)
}

// readImport decodes every row and rejects a second row with an id that an
// earlier row of the same file already used: an upsert would silently keep
// only the last, which is never what the author of the file meant. A row
// that check refuses (a camera outside the network policy) is rejected
// with check's field and message.
func readImport(dec exchange.Decoder, check func(*camera.Camera) error) ([]*camera.Camera, []exchange.Rejection, error) {
	var cams []*camera.Camera
	var rejects []exchange.Rejection
	firstSeen := map[string]exchange.Row{}
	for {
		row, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return cams, rejects, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if row.Reject != nil {
			rejects = append(rejects, *row.Reject)
			continue
		}
		if err := check(row.Camera); err != nil {
			var e *camera.Error
			if !errors.As(err, &e) {
				return nil, nil, err
			}
			rejects = append(rejects, exchange.Rejection{Line: row.Line, Feature: row.Feature, ID: row.Camera.ID, Field: e.Field, Reason: e.Message})
			continue
		}
		if prev, dup := firstSeen[row.Camera.ID]; dup {
			where := fmt.Sprintf("line %d", prev.Line)
			if row.Line == 0 {
				where = fmt.Sprintf("feature %d", prev.Feature)
			}
			rejects = append(rejects, exchange.Rejection{Line: row.Line, Feature: row.Feature, ID: row.Camera.ID, Field: "id",
				Reason: "repeats the id of " + where})
			continue
		}
		firstSeen[row.Camera.ID] = exchange.Row{Line: row.Line, Feature: row.Feature}
		cams = append(cams, row.Camera)
	}
}

// readError keeps a body-size error recognisable and names the body in
// any other read failure.
func readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || camera.ErrorCode(err) != camera.EINTERNAL {
		return err
	}
	return invalid("body", "could not be read: %v", err)
}

// exportCameras streams every camera in id order as CSV (with ?bom=true
// after a byte order mark) or GeoJSON, or sends them as an XLSX
// workbook, from one consistent snapshot of the store.
func (s *Server) exportCameras(c *gin.Context) {
	q, err := checkQuery(c, "format", "bom")
	if err != nil {
		s.writeError(c, err)
		return
	}
	v := q.Get("format")
	if v == "" {
		v = "csv"
	}
	format, err := exchange.ParseFormat(v)
	if err != nil {
		s.writeError(c, err)
		return
	}
	bom, err := bomParam(q, format == exchange.FormatCSV)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var enc interface {
		Encode(*camera.Camera) error
		Close() error
	}
	switch format {
	case exchange.FormatXLSX:
		s.exportCamerasXLSX(c)
		return
	case exchange.FormatGeoJSON:
		c.Header("Content-Type", format.ContentType())
		c.Header("Content-Disposition", `attachment; filename="cameras.geojson"`)
		c.Status(http.StatusOK)
		enc = exchange.NewGeoJSONEncoder(c.Writer)
	default:
		startCSV(c, "cameras", bom)
		enc = exchange.NewCSVEncoder(c.Writer)
	}
	err = s.store.ForEachCamera(c, enc.Encode)
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		// The status is sent; a cut-off body is what the client sees.
		s.log.Error("export failed", "err", err)
	}
}

// exportCamerasXLSX sends every camera in id order as an XLSX workbook,
// with the columns of the CSV export (never credentials). The workbook is
// built in full before anything is sent, so a failure is a clean error.
func (s *Server) exportCamerasXLSX(c *gin.Context) {
	enc, err := exchange.NewCameraXLSXEncoder()
	if err != nil {
		s.writeError(c, err)
		return
	}
	defer enc.Close()
	if err := s.store.ForEachCamera(c, enc.Encode); err != nil {
		s.writeError(c, err)
		return
	}
	s.sendWorkbook(c, "cameras", enc)
}
