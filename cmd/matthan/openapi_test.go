package main

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/matthan/matthan/api/apitest"
)

// Every answer the end-to-end tests get from a daemon through call (and
// so mustCall and the helpers on it), sessionClient or openapiClient is
// checked against the API's OpenAPI description: a status the operation
// does not declare, or a body its schema does not allow, fails the test.
// The validator is loaded once for the test binary.
var openapiChecks = sync.OnceValues(apitest.NewValidator)

// openapiValidator returns the validator, failing t when the description
// does not load.
func openapiValidator(t testing.TB) *apitest.Validator {
	t.Helper()
	v, err := openapiChecks()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkOpenAPI checks one answer, its body read in full.
func checkOpenAPI(t testing.TB, resp *http.Response, body []byte) {
	t.Helper()
	// resp.Request is the request answered: the last of any redirects.
	if err := openapiValidator(t).Check(t.Name(), resp.Request, resp.StatusCode, resp.Header, body); err != nil {
		t.Errorf("OpenAPI: %v", err)
	}
}

// openapiTransport is a RoundTripper that checks every answer for t.
func openapiTransport(t testing.TB) http.RoundTripper {
	t.Helper()
	return openapiValidator(t).Transport(nil, t.Name(), t.Errorf)
}

// openapiClient is an HTTP client whose answers are checked for t.
func openapiClient(t testing.TB) *http.Client {
	t.Helper()
	return &http.Client{Transport: openapiTransport(t)}
}

// writeOpenAPIReport writes which operations the tests saw answered,
// with which statuses and by which tests, to the file named by
// MATTHAN_OPENAPI_REPORT, when it is set (TestMain calls it after the
// tests; nothing happens otherwise, or when no test loaded the
// description).
func writeOpenAPIReport() error {
	name := os.Getenv("MATTHAN_OPENAPI_REPORT")
	if name == "" {
		return nil
	}
	v, err := openapiChecks()
	if err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := v.WriteReport(f); err != nil {
		f.Close()
		return fmt.Errorf("openapi report: %w", err)
	}
	return f.Close()
}
