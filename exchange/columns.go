package exchange

// column identifies one camera field of the exchange formats. The CSV
// header and the GeoJSON properties use the same names, so one table serves
// both.
type column int

// The columns of docs/design.md in their contract order, then the two optional
// ones. The order is also the order in which a row's fields are checked, so
// that the field named by a rejection does not depend on the file's column
// order.
const (
	colID column = iota
	colName
	colLat
	colLon
	colCommune
	colDistrict
	colProvince
	colRoadClass
	colSite
	colDirection
	colFOV
	colRange
	colRTSPURL
	colInstalledOn
	colCostVND
	colStatus
	colNotes

	numColumns
	// numRequired is how many of the columns above a CSV header must name.
	numRequired = colStatus
)

// String returns the public name of the column (docs/design.md, snake_case).
func (c column) String() string {
	switch c {
	case colID:
		return "id"
	case colName:
		return "name"
	case colLat:
		return "lat"
	case colLon:
		return "lon"
	case colCommune:
		return "commune"
	case colDistrict:
		return "district"
	case colProvince:
		return "province"
	case colRoadClass:
		return "road_class"
	case colSite:
		return "site"
	case colDirection:
		return "direction_deg"
	case colFOV:
		return "fov_deg"
	case colRange:
		return "range_m"
	case colRTSPURL:
		return "rtsp_url"
	case colInstalledOn:
		return "installed_on"
	case colCostVND:
		return "cost_vnd"
	case colStatus:
		return "status"
	case colNotes:
		return "notes"
	}
	return "column?"
}

// columnByName returns the column with the given public name.
func columnByName(name string) (column, bool) {
	for c := range numColumns {
		if c.String() == name {
			return c, true
		}
	}
	return 0, false
}

// CSVColumns returns the camera CSV header of docs/design.md, in order:
// id,name,lat,lon,commune,district,province,road_class,site,direction_deg,
// fov_deg,range_m,rtsp_url,installed_on,cost_vnd. It is a new slice on every
// call: the contract cannot be changed by a caller by accident.
func CSVColumns() []string {
	cols := make([]string, 0, numRequired)
	for c := range numRequired {
		cols = append(cols, c.String())
	}
	return cols
}

// CSVHeader is the header line of a camera CSV as NewCSVEncoder writes it,
// without the line ending. A test keeps it equal to CSVColumns joined by
// commas.
const CSVHeader = "id,name,lat,lon,commune,district,province,road_class,site,direction_deg,fov_deg,range_m,rtsp_url,installed_on,cost_vnd"
