// Package apitest holds the API's OpenAPI description to what the daemon
// answers, for tests: a Validator checks an answer (status, headers,
// body) against the response the description gives its route and status,
// with kin-openapi's validator (JSON Schema 2020-12, as OpenAPI 3.1 has
// it), and remembers which operations it has seen answered.
//
// It is separate from api so that the daemon does not carry a schema
// validator it never runs; the api tests and the end-to-end tests of
// cmd/matthan both use it, on every answer they get.
package apitest
