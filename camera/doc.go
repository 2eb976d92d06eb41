// Package camera is the domain of Mắt Thần: the donated cameras of a commune
// network, their mounts (where they look and how far), their health, the
// incidents police mark on them, their clips and the donations that paid for
// them.
//
// It imports the standard library only. Everything else — storage, HTTP,
// RTSP, geometry — depends on it, never the other way round. Errors returned
// by every layer are *Error values with a Code (see errors.go) so that the
// HTTP layer can map them to statuses in one place and name the field at
// fault.
//
// A Donation is checked in two steps: Validate checks its own fields (the
// amount, the date against a clock, the text), and Resolve what it refers
// to — a camera, or for a gift to a commune's pool a commune that has
// cameras — through the small Places interface, which the registry
// implements with accent-insensitive commune names.
package camera
