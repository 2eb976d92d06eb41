// Package api is the HTTP face of Mắt Thần: the gin router under /api/v1,
// authentication by bearer token and the role rules of docs/design.md, JSON
// contracts, RFC 9457 problem details, and /metrics, /healthz, /readyz.
//
// One file per resource (cameras, import/export, tokens, backup, audit,
// health, geo and coverage — gaps and their files, the junctions of a
// cell, where to put the next cameras, layer imports and their dry run —
// incidents and their import, evidence clips and their playback grants
// (playback.go), donations with their import, its dry run, duplicates,
// consent and CSV export, the funding views and the series of gifts, the
// public statements, the district summary in reports.go). The public
// statements (statements.go) are the one route under /api/v1 besides
// sign-in that reads no credentials.
// Every error reaches the client through writeError (problem.go), the one
// place that maps domain error codes to HTTP statuses.
//
// The edge: failed authentications are counted per client address by a
// Throttle (throttle.go, reusable for any credential), which answers 429
// past its limit before a token is read (auth.go); request bodies arrive
// under deadlines — whole-body for JSON, a minimum rate for uploads and
// imports (deadline.go); metric labels stay bounded (metrics.go).
package api
