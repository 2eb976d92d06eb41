package exchange

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
)

// The coverage gaps as a planner takes them away (GET /coverage/gaps with
// format=csv, xlsx or geojson): every gap, worst first, one row or
// feature each. The columns are the properties of the gaps' GeoJSON.

// gapSheet is the columns of a gap export, typed.
var gapSheet = []SheetColumn{
	{Name: "rank", Kind: KindCount},
	{Name: "id", Kind: KindText, Width: 16},
	{Name: "name", Kind: KindText, Width: 40},
	{Name: "lat", Kind: KindDecimal},
	{Name: "lon", Kind: KindDecimal},
	{Name: "road_class", Kind: KindText, Width: 12},
	{Name: "commune", Kind: KindText, Width: 22},
	{Name: "legs", Kind: KindCount},
	{Name: "roads", Kind: KindText, Width: 40},
	{Name: "incidents", Kind: KindCount},
	{Name: "cameras", Kind: KindCount},
	{Name: "cameras_live", Kind: KindCount},
	{Name: "nearest_camera_id", Kind: KindText, Width: 16},
	{Name: "nearest_camera_m", Kind: KindDecimal},
	{Name: "nearest_camera_state", Kind: KindText, Width: 12},
}

// GapColumns returns the header of the gap CSV.
func GapColumns() []string {
	out := make([]string, len(gapSheet))
	for i, c := range gapSheet {
		out[i] = c.Name
	}
	return out
}

// gapCells appends the values of g in the order of gapSheet: legs and
// the nearest camera are empty when unknown.
func gapCells(cells []any, g *geo.Gap) []any {
	var legs any
	if g.Legs > 0 {
		legs = g.Legs
	}
	var nearID, nearState any
	var nearM *float64
	if c := g.NearestCamera; c != nil {
		nearID, nearState, nearM = c.ID, string(c.State), &c.DistanceM
	}
	return append(cells, g.Rank, g.ID, g.Name, g.Lat, g.Lon, string(g.RoadClass), g.Commune, legs,
		strings.Join(g.Roads, "; "), g.Incidents, g.Cameras, g.CamerasLive, nearID, nearM, nearState)
}

// WriteGapsCSV writes gaps as CSV: the header of GapColumns, then a row
// per gap, numbers in their shortest exact form.
func WriteGapsCSV(w io.Writer, gaps []geo.Gap) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(GapColumns()); err != nil {
		return err
	}
	rec := make([]string, len(gapSheet))
	cells := make([]any, 0, len(gapSheet))
	for i := range gaps {
		cells = gapCells(cells[:0], &gaps[i])
		for k, v := range cells {
			rec[k] = csvText(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText writes one value of gapCells.
func csvText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		return formatFloat(x)
	case *float64:
		if x == nil {
			return ""
		}
		return formatFloat(*x)
	}
	return ""
}

// GapsWorkbook returns gaps as a workbook of one sheet, "gaps", in typed
// cells. More gaps than a sheet holds is EINVALID naming format, before
// anything is written. The caller writes it with WriteTo and closes it.
func GapsWorkbook(gaps []geo.Gap) (*Workbook, error) {
	if n := len(gaps) + 1; n > MaxSheetRows {
		return nil, camera.Errorf(camera.EINVALID, "format", "there are %d gaps, more than a sheet holds (%d): ask for format=csv", len(gaps), MaxSheetRows-1)
	}
	wb, err := NewWorkbook()
	if err != nil {
		return nil, err
	}
	if err := wb.AddSheet("gaps", gapSheet); err != nil {
		wb.Close()
		return nil, err
	}
	cells := make([]any, 0, len(gapSheet))
	for i := range gaps {
		if err := wb.WriteRow(gapCells(cells[:0], &gaps[i])...); err != nil {
			wb.Close()
			return nil, err
		}
	}
	return wb, nil
}

// WriteGapsGeoJSON writes gaps as one FeatureCollection, a feature at a
// time (the features of geo.GapsGeoJSON), so that a country's gaps are
// never held twice in memory.
func WriteGapsGeoJSON(w io.Writer, gaps []geo.Gap) error {
	if _, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	for i := range gaps {
		f := geo.GapsGeoJSON(gaps[i : i+1]).Features[0]
		raw, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if i > 0 {
			raw = append([]byte{','}, raw...)
		}
		if _, err := w.Write(append(raw, '\n')); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]}\n")
	return err
}
