// Package web is the console: the pages a commune police officer, a
// district planner, a fundraiser and an administrator use in a browser
// instead of curl. It serves an HTML shell per page, rendered from
// html/template with the user's language and role, and the page's script
// and styles; the script reads everything it shows from the same
// /api/v1 the command-line tools use, with the session cookie instead of
// a bearer token. The package adds no second way to read the store.
//
// The scripts and styles are built from src/ by esbuild (npm ci, then
// node build.mjs: `make web`) into dist/, which is embedded in the
// binary, so the console works with no internet and loads nothing from a
// CDN. A binary built before the assets were (a plain `go build` on a
// fresh clone) still serves the sign-in-free pages that say how to build
// them.
//
// Texts live in message catalogues (i18n/vi.json, i18n/en.json), one
// key per text, Vietnamese first; the page gets its catalogue inline so
// that its script formats with the same words. Times are shown in the
// daemon's configured zone, money as 1.300.000.000 ₫.
package web
