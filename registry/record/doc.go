// Package record holds the byte formats of what the registry stores under
// its keys: the camera record (the JSON encoding/json writes, by fast
// paths held to it), the donation record and the values of the donation
// indexes and running totals (compact binary, versioned by their first
// byte where they can change), and the pieces they are made of.
//
// It is apart from the store, as Prometheus keeps tsdb/record apart from
// tsdb, so that a format sits beside its differential, fuzz and benchmark
// tests and can be read without bbolt: the store decides which bucket
// holds what under which key (registry/donations_layout.go), this package
// only how a value reads and writes. It knows no database, no file and no
// clock; a decoded slice may point into the value it was read from, which
// in the store is valid only inside its transaction.
package record
