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
// Texts live in message catalogues (i18n/vi/*.json, i18n/en/*.json, a
// file per area of the console), one key per text, Vietnamese first; the page gets its catalogue inline so
// that its script formats with the same words. Times are shown in the
// daemon's configured zone, money as 1.300.000.000 ₫.
//
// A page is four pieces, each in a file of its own so that pages are added
// side by side: its entry in consolePages (pages.go: path, title, roles,
// whether it is in the navigation), its shell (templates/NAME.html, between
// the layout's "top" and "bottom"), its script (src/pages/NAME.js, which
// imports ../css/app.css and any styles of its own from src/css/) and its
// texts (i18n/vi/AREA.json and i18n/en/AREA.json). A page's script calls
// ready() (lib/shell.js) once its data is shown: the browser tests wait on
// it.
package web
