// Package report assembles the district summary: per commune and in
// total, the active cameras and those up now, their uptime over a window,
// the coverage of intersections by road class (installed and live), the
// money given and what the cameras cost, and incidents and suspects by
// handling.
//
// It is the one place the summary is put together. The api package
// answers it (JSON, a workbook) at GET /api/v1/reports/summary, and
// `matthan report` reads that answer into the same types to print it, so
// that the figures and their JSON cannot differ between the two. It reads
// its figures through the small interfaces it declares (Sources), which
// the registry store and the geo index satisfy; it knows no HTTP, no
// file and no clock (the caller gives the window and the time).
package report
