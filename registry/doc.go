// Package registry is the durable store of Mắt Thần: one bbolt file holding
// the cameras (with their write-only credentials), the API tokens (hashed;
// listed by a public id, revoked, expiring; tokens.go, token_use.go),
// the audit log, and — added by later parts — health history, incidents,
// clips and donations.
//
// Caveats, as bbolt's own: a value returned by bbolt is valid only inside its
// transaction, so every read decodes (copies) the value before the
// transaction ends; and there is one writer at a time, so bulk writes
// (imports) are batched into a few large transactions rather than many small
// ones. Every write that a caller has seen succeed has been fsynced: a
// SIGKILL afterwards loses nothing, and a SIGKILL before it leaves no half
// record, because bbolt commits a transaction atomically.
//
// The file carries a schema version in the meta bucket; Open refuses a file
// written by a newer schema, and migrates older ones (Store.migrate: 2
// the donations' duplicate index, 3 the commune facts, 4 the camera
// facts, 5 the donations' ref index), writing the new version last.
//
// Beside the camera records, every camera write keeps two derived buckets
// in its own transaction: camera_facts, a ~40-byte binary copy of each
// camera's name, commune, status and cost (camera_facts.go), which the
// money side reads instead of the JSON records; and commune_facts, the
// number and cost of the cameras per commune spelling (commune_facts.go),
// which gives the cost metric, the summary's cost column and the
// communes' canonical spellings without reading a camera. Store.Check
// recounts both from the records, and every test store runs it. A write
// that would take a commune's cost past the int64 range is refused, and
// every sum of money the store computes is checked (money.go).
//
// Incidents (incidents*.go) are indexed in the transaction that writes
// them: by camera, time, place cell (0.02°), case reference and category,
// every index key ending in start time and id, so that ListIncidents
// answers any filter from the most selective index in one stable order,
// newest first, with cursors. Clips (clips.go) are keyed by their SHA-256
// and list the incidents that reference them; their custody chains
// (custody.go) are append-only, removed only with the clip when retention
// purges its last incident.
//
// Donations (donations*.go) are keyed by their sequence number, stored in
// a compact binary form (the byte formats of records and index values are
// the sub-package record's; donations_layout.go says which bucket holds
// what), and indexed by received date, camera, folded
// commune and donor; every index ends its keys with the date and the
// sequence number, so each lists its donations in (received_on, id)
// order, and carries in its values what one funding view needs. Running
// totals per commune, written in the same transactions, back the donation
// metric. A fifth index, by gift (date and a hash of donor, amount,
// camera and commune), finds a donation entered twice in one lookup
// (donations_dupes.go). A deletion (a correction) removes a donation from
// every index and from the totals in one transaction, and the audit entry
// keeps the whole record and the reason. The funding views (funding*.go) set the money given against
// what the cameras cost and against the hours they were up in a window,
// in passes over buckets in key order, two at a time — no lookup per
// camera or per donation — which keeps a view of a million cameras and
// five million donations near a second. A view narrowed to a commune
// (funding_scope.go) walks that commune's range of the commune index
// instead, reading a gift's record for its camera.
//
// A donation's record carries the donor's consent to be named on the
// public statement (a flag added in record version 3, written only when
// set, so that a ledger without consent stays readable by older
// programs); it is the one field of a stored gift that changes in place
// (donations_consent.go). An admin publishes a commune's statement
// (public.go: the public_communes bucket); PublicStatement assembles it
// from the narrowed camera view and the commune's gifts, naming a donor
// only with consent (public_statement.go).
//
// The store answers in its own terms and writes no output format: the
// funding views are rows the exchange package writes as CSV, JSON or a
// workbook, and a part of a query it refuses (a cursor it did not hand
// out, a window that ends before it starts, a field it cannot sort by) is
// a *QueryError naming the part (query_errors.go), which the api package
// names by its query parameter. Distances are geo's (geo.Distance).
package registry
