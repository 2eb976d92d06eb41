package exchange

import (
	"fmt"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// cameraSheet is the camera CSV's columns typed: coordinates and angles
// as numbers, installed_on as a date, cost_vnd as đồng.
var cameraSheet = []SheetColumn{
	{Name: "id", Kind: KindText, Width: 14},
	{Name: "name", Kind: KindText, Width: 32},
	{Name: "lat", Kind: KindDecimal},
	{Name: "lon", Kind: KindDecimal},
	{Name: "commune", Kind: KindText, Width: 22},
	{Name: "district", Kind: KindText, Width: 16},
	{Name: "province", Kind: KindText, Width: 16},
	{Name: "road_class", Kind: KindText, Width: 12},
	{Name: "site", Kind: KindText, Width: 12},
	{Name: "direction_deg", Kind: KindDecimal},
	{Name: "fov_deg", Kind: KindDecimal},
	{Name: "range_m", Kind: KindDecimal},
	{Name: "rtsp_url", Kind: KindText, Width: 40},
	{Name: "installed_on", Kind: KindDate},
	{Name: "cost_vnd", Kind: KindVND},
}

// CameraXLSXEncoder writes cameras to a workbook of one sheet, "cameras",
// with the columns of the camera CSV (CSVColumns) in typed cells. Like
// the CSV, it never holds credentials: the RTSP URL is written without
// them.
type CameraXLSXEncoder struct {
	*Workbook
	row []any
}

// NewCameraXLSXEncoder returns an encoder; call WriteTo after the last
// camera, and Close in every case.
func NewCameraXLSXEncoder() (*CameraXLSXEncoder, error) {
	wb, err := NewWorkbook()
	if err != nil {
		return nil, err
	}
	if err := wb.AddSheet("cameras", cameraSheet); err != nil {
		wb.Close()
		return nil, err
	}
	return &CameraXLSXEncoder{Workbook: wb, row: make([]any, len(cameraSheet))}, nil
}

// Encode writes one camera.
func (e *CameraXLSXEncoder) Encode(c *camera.Camera) error {
	if err := finite(c); err != nil {
		return err
	}
	e.row = append(e.row[:0],
		c.ID, c.Name, c.Lat, c.Lon, c.Commune, c.District, c.Province,
		string(c.RoadClass), string(c.Site), c.DirectionDeg, c.FOVDeg, c.RangeM,
		exportURL(c.RTSPURL), c.InstalledOn, c.CostVND)
	return e.WriteRow(e.row...)
}

// donationSheet is the donation CSV's columns typed.
var donationSheet = []SheetColumn{
	{Name: "donor", Kind: KindText, Width: 32},
	{Name: "amount_vnd", Kind: KindVND},
	{Name: "received_on", Kind: KindDate},
	{Name: "camera_id", Kind: KindText, Width: 14},
	{Name: "commune", Kind: KindText, Width: 22},
	{Name: "note", Kind: KindText, Width: 40},
	{Name: DonationRefColumn, Kind: KindText, Width: 18},
	{Name: DonationPublicColumn, Kind: KindText, Width: 8},
}

// DonationXLSXEncoder writes donations to a workbook of one sheet,
// "donations", with the columns of the donation CSV, its ref and public
// in typed cells: the workbook imports back (NewDonationXLSXDecoder) to the same
// gifts, and adds nothing to the ledger it came from.
type DonationXLSXEncoder struct {
	*Workbook
	row []any
}

// NewDonationXLSXEncoder returns an encoder; call WriteTo after the last
// donation, and Close in every case.
func NewDonationXLSXEncoder() (*DonationXLSXEncoder, error) {
	wb, err := NewWorkbook()
	if err != nil {
		return nil, err
	}
	if err := wb.AddSheet("donations", donationSheet); err != nil {
		wb.Close()
		return nil, err
	}
	return &DonationXLSXEncoder{Workbook: wb, row: make([]any, len(donationSheet))}, nil
}

// Encode writes one donation.
func (e *DonationXLSXEncoder) Encode(d *camera.Donation) error {
	e.row = append(e.row[:0], d.Donor, d.AmountVND, d.ReceivedOn, d.CameraID, d.Commune, d.Note, d.Ref, ConsentText(d.Public))
	return e.WriteRow(e.row...)
}

// fieldKinds are the cell kinds of a funding view's fields.
var fieldKinds = map[registry.FieldKind]CellKind{
	registry.FieldText:  KindText,
	registry.FieldCount: KindCount,
	registry.FieldVND:   KindVND,
	registry.FieldHours: KindDecimal,
}

// FundingWorkbook returns a funding view as a workbook: a sheet "funding
// by camera" (commune, donor) with the columns of the view's CSV
// (registry.FundingFields) in typed cells, a row per camera, commune or
// donor and the totals on a last row keyed "total", as the CSV; and a
// sheet "window" with the window of up time. A view with more rows than a
// sheet holds is EINVALID naming format, before anything is written.
// The caller writes it with WriteTo and closes it.
func FundingWorkbook(rep *registry.FundingReport) (*Workbook, error) {
	if n := len(rep.Rows) + 2; n > MaxSheetRows {
		return nil, camera.Errorf(camera.EINVALID, "format", "the view has %d rows, more than a sheet holds (%d): ask for format=csv", len(rep.Rows), MaxSheetRows-2)
	}
	fields := registry.FundingFields(rep.GroupBy)
	cols := make([]SheetColumn, len(fields))
	for i, f := range fields {
		cols[i] = SheetColumn{Name: f.Name, Kind: fieldKinds[f.Kind]}
	}
	cols[0].Width = 24 // key: a camera id, a commune, a donor
	if rep.GroupBy == registry.GroupByDonor {
		cols[0].Width = 32
	}
	wb, err := NewWorkbook()
	if err != nil {
		return nil, err
	}
	if err := fillFunding(wb, rep, cols); err != nil {
		wb.Close()
		return nil, err
	}
	return wb, nil
}

func fillFunding(wb *Workbook, rep *registry.FundingReport, cols []SheetColumn) error {
	if err := wb.AddSheet(fmt.Sprintf("funding by %s", rep.GroupBy), cols); err != nil {
		return err
	}
	// The totals are written in the view's columns, as on the CSV's last
	// line.
	fields := registry.FundingFields(rep.GroupBy)
	cells := make([]any, 0, len(cols))
	for i := range rep.Rows {
		cells = fundingCells(cells[:0], fields, &rep.Rows[i])
		if err := wb.WriteRow(cells...); err != nil {
			return err
		}
	}
	if err := wb.WriteRow(fundingCells(cells[:0], fields, &rep.Totals)...); err != nil {
		return err
	}
	if err := wb.AddSheet("window", []SheetColumn{{Name: "group_by", Kind: KindText}, {Name: "from", Kind: KindDateTime}, {Name: "to", Kind: KindDateTime}}); err != nil {
		return err
	}
	return wb.WriteRow(string(rep.GroupBy), rep.From, rep.To)
}
