package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"

	"github.com/matthan/matthan/camera"
)

// CSVEncoder writes cameras as a camera CSV: the header of docs/design.md, then
// one row per camera in the order given. Numbers are written in the
// shortest form that reads back as the same float64, so that export,
// import and export again give the same bytes. Credentials are never
// written; the RTSP URL is written without them.
type CSVEncoder struct {
	// StatusAndNotes adds the status and notes columns after those of
	// docs/design.md, for a copy that keeps retired cameras retired when it is
	// imported again. Set it before the first Encode.
	StatusAndNotes bool

	w       *csv.Writer
	started bool
	rec     []string
}

// NewCSVEncoder returns an encoder writing to w. Call Close at the end.
func NewCSVEncoder(w io.Writer) *CSVEncoder {
	return &CSVEncoder{w: csv.NewWriter(w)}
}

// Encode writes one camera, after the header if it is the first.
func (e *CSVEncoder) Encode(c *camera.Camera) error {
	if err := e.start(); err != nil {
		return err
	}
	if err := finite(c); err != nil {
		return err
	}
	r := e.rec[:0]
	r = append(r,
		c.ID, c.Name,
		formatFloat(c.Lat), formatFloat(c.Lon),
		c.Commune, c.District, c.Province,
		string(c.RoadClass), string(c.Site),
		formatFloat(c.DirectionDeg), formatFloat(c.FOVDeg), formatFloat(c.RangeM),
		exportURL(c.RTSPURL), c.InstalledOn,
		strconv.FormatInt(c.CostVND, 10),
	)
	if e.StatusAndNotes {
		r = append(r, string(c.Status), c.Notes)
	}
	e.rec = r
	return e.w.Write(r)
}

// Close writes the header if no camera was encoded and flushes. It does not
// close the underlying writer.
func (e *CSVEncoder) Close() error {
	if err := e.start(); err != nil {
		return err
	}
	e.w.Flush()
	return e.w.Error()
}

// start writes the header once.
func (e *CSVEncoder) start() error {
	if e.started {
		return nil
	}
	e.started = true
	header := CSVColumns()
	if e.StatusAndNotes {
		header = append(header, colStatus.String(), colNotes.String())
	}
	return e.w.Write(header)
}

// WriteCSV writes the cameras of seq as a camera CSV with the columns of
// docs/design.md (use slices.Values for a slice). The order is seq's: give it a
// stable one, such as the registry's id order, for a deterministic export.
func WriteCSV(w io.Writer, seq iter.Seq[*camera.Camera]) error {
	enc := NewCSVEncoder(w)
	for c := range seq {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return enc.Close()
}

// formatFloat writes v in the shortest decimal form that parses back to v,
// without an exponent, which the CSV decoder (like a spreadsheet user)
// would not accept.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// finite refuses a camera whose numbers cannot be written: NaN and
// infinities have no decimal form. A validated camera never has them.
func finite(c *camera.Camera) error {
	for _, v := range [...]float64{c.Lat, c.Lon, c.DirectionDeg, c.FOVDeg, c.RangeM} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("export camera %q: a number is not finite", c.ID)
		}
	}
	return nil
}

// exportURL returns the RTSP URL to export. A stored URL never carries
// credentials; this strips them anyway (user information and credential
// query parameters) should a camera that was not validated get here, and
// drops a URL that may hold some and cannot be parsed, since a password
// might be hiding in it.
func exportURL(raw string) string {
	if !camera.MayHoldCredentials(raw) {
		return raw
	}
	clean, _, err := camera.SplitRTSPURL(raw)
	if err != nil {
		return ""
	}
	return clean
}
