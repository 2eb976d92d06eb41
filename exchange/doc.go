// Package exchange reads and writes the camera registry's exchange formats:
// the camera CSV and the camera GeoJSON of docs/design.md, the donation CSV,
// and spreadsheets (.xlsx, with excelize, which stays in this package).
// The HTTP import and export endpoints and the import / export
// subcommands use it; it knows nothing of HTTP, and of the store only the
// funding view it is handed (registry.FundingReport), which it writes as
// CSV (WriteFundingCSV), JSON (WriteFundingJSON) and a workbook
// (FundingWorkbook), each with the fields registry.FundingFields names.
//
// # Decoding
//
// NewCSVDecoder and NewGeoJSONDecoder (or NewDecoder, with DetectFormat to
// choose) return a Decoder that yields one Row at a time, so that a
// 100,000-row upload is never held twice in memory. A row is either a valid
// *camera.Camera or a Rejection that names the row, the field at fault and
// why; a bad row never stops the import. Errors that make the rest of the
// file meaningless — a broken CSV header, a body that is not a
// FeatureCollection, a record over its size limit — are returned by Next as
// fatal errors (*camera.Error, code camera.EINVALID).
//
// Both formats go through the same field rules, so that a camera reads the
// same from either:
//
//   - text is trimmed and normalised to NFC (a name typed with combining
//     marks equals the precomposed one); road_class, site and status are
//     also lower-cased;
//   - decimals use '.', without exponent or thousands separators (a JSON
//     number may have an exponent); cost_vnd is a whole number of đồng,
//     empty meaning 0, at most camera.MaxVND, as text written like a
//     donation's amount (4.500.000 ₫, below) and as a JSON number a plain
//     integer;
//   - an empty field (a CSV cell, a GeoJSON property that is "", or null)
//     means "not given": every camera starts from camera.New, so a field
//     not given keeps its default (fov_deg 360, range_m 50, road_class and
//     site other, status active); a value given is validated as given, so
//     an explicit 0 field of view or range is refused; lat and lon are
//     required;
//   - credentials in rtsp_url (rtsp://user:pass@host/..., and query
//     parameters such as password=, see camera.IsCredentialParam) are split
//     off into Camera.Credentials, and are never in an export nor in a
//     rejection;
//   - a field that is not valid UTF-8 rejects its row with that reason
//     (save the file as UTF-8), rather than being stored garbled;
//   - an id that repeats an earlier valid row's is rejected;
//   - every camera passes camera.Validate.
//
// CSV rows are numbered by the physical line on which they start (the
// header is line 1), so quoted fields with line breaks do not shift the
// numbers. GeoJSON features are numbered by their 0-based index in the
// "features" array.
//
// # OpenStreetMap features
//
// A GeoJSON feature tagged the OpenStreetMap way (as exported by
// overpass-turbo) imports too:
//
//   - the OSM reference from "@id" or the feature "id" (node/123, way/…,
//     relation/…) becomes the camera id "osm-node-123": ids may not contain
//     '/', and the prefix keeps them apart from a commune's own ids while
//     staying stable, so that a newer extract updates the same cameras. A
//     non-empty "id" property wins;
//   - man_made must be surveillance and surveillance:type camera (or ALPR)
//     when given;
//   - camera:direction, else direction, gives direction_deg when
//     direction_deg is absent: degrees (wrapped into 0–360) or a 16-point
//     compass direction (N, NNE, NE, ENE, ...);
//   - camera:type=dome or panning means fov_deg 360; fixed with a direction
//     means 90° (OSM has no tag for the angle of view; a typical fixed
//     camera sees 80–100°);
//   - operator and height are kept in notes ("operator: ...; height: ...");
//   - a camera without a name is named after its OSM reference
//     ("OSM camera node/123"); missing commune, district and province stay
//     empty.
//
// # Encoding
//
// NewCSVEncoder and NewGeoJSONEncoder (or WriteCSV and WriteGeoJSON) write
// cameras in the order given, with numbers in their shortest exact decimal
// form: export, import and export again give the same bytes. The CSV has
// exactly the columns of docs/design.md unless CSVEncoder.StatusAndNotes is set;
// the GeoJSON properties always include status, notes and a
// has_credentials flag.
//
// # Spreadsheets
//
// Workbook writes an .xlsx a row at a time with excelize's StreamWriter, in
// bounded memory whatever the number of rows (temporary files, a zip
// streamed to its writer): a bold, frozen header row, typed cells —
// numbers as numbers, đồng formatted VNDFormat (#,##0 ₫, shown
// 1.300.000.000 ₫ in a Vietnamese locale), dates as dates (DD/MM/YYYY),
// instants in Asia/Ho_Chi_Minh — and widths by column. A sheet holds
// MaxSheetRows rows; more is EINVALID naming format, before anything is
// written. NewCameraXLSXEncoder and NewDonationXLSXEncoder write the
// columns of the camera and donation CSVs (never credentials);
// FundingWorkbook a funding view with the columns of its CSV.
//
// # Donations
//
// NewDonationCSVDecoder reads the donation CSV of docs/design.md
// (donor,amount_vnd,received_on,camera_id,commune,note, and an optional
// ref: the bank's transaction reference) with the same habits — any column order, byte order mark, CRLF, quoted fields, rows
// numbered by line, a rejection per bad row naming its line, field and
// reason. Amounts are whole đồng, more than 0 and at most
// camera.MaxVND, written as people write them: 4500000,
// 4.500.000, 4 500 000 (no-break spaces too), 4,500,000, with or without a
// currency mark (₫, đ, đồng, VND, VNĐ); anything that could hold decimals
// (4.5, 4,50, 4.500,50) or has groups not of three digits is refused.
// received_on is YYYY-MM-DD or the day-first DD/MM/YYYY banks print (a
// time after it is dropped; month-first dates are refused, never
// swapped), and may not be in the future; given a
// camera.Places (registry.Places), each row's camera or commune must
// exist, and the commune comes out in its canonical spelling.
// WriteDonationsCSV writes the same format back (a DonationCSVEncoder
// with Ref adds the ref column): export, import and export again give
// the same bytes.
//
// NewDonationXLSXDecoder reads the same columns from the first sheet of a
// workbook (.xlsx, with excelize), through the same row path: title rows
// above the header are skipped, rows are numbered as the spreadsheet shows
// them, number cells are numbers (an amount with decimals is refused) and
// date cells dates. The workbook is bounded as sent, unpacked and in rows
// (MaxXLSXBytes, MaxXLSXUnzipped, MaxXLSXRows). DetectDonationFormat tells
// a workbook from a CSV.
package exchange
