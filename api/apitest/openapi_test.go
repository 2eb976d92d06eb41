package apitest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/matthan/matthan/api/apitest"
)

// TestCheck: the validator passes answers the description allows and
// names what is wrong with the others.
func TestCheck(t *testing.T) {
	v, err := apitest.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	const problem = `{"type":"urn:matthan:problem:not_found","title":"Not Found","status":404,"detail":"no camera","instance":"/x"}`
	jsonType := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	problemType := http.Header{"Content-Type": {"application/problem+json"}}
	for _, tt := range []struct {
		name, method, path string
		status             int
		header             http.Header
		body, wantErr      string
	}{
		{"a page of no cameras", "GET", "/api/v1/cameras", 200, jsonType, `{"items":[]}`, ""},
		{"a member the schema does not have", "GET", "/api/v1/cameras", 200, jsonType, `{"items":[],"total":0}`, "total"},
		{"a camera without its fields", "GET", "/api/v1/cameras/CG-1", 200, jsonType, `{"id":"CG-1"}`, "missing"},
		{"a status the operation does not declare", "GET", "/api/v1/cameras/CG-1", 418, problemType, problem, "status is not supported"},
		{"an error that is not a problem", "GET", "/api/v1/cameras/CG-1", 404, jsonType, `{"error":"no"}`, "Content-Type"},
		{"the router's 404 of a path no one describes", "GET", "/api/v1/nowhere", 404, problemType, problem, ""},
		{"a success on a path no one describes", "GET", "/api/v1/nowhere", 200, jsonType, `{}`, "no operation"},
		{"the router's 405 without a problem", "DELETE", "/api/v1/map", 405, jsonType, `{}`, "want application/problem+json"},
		{"outside the API", "GET", "/healthz", 200, jsonType, `{"status":"ok"}`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, "http://127.0.0.1:8080"+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = v.Check(t.Name(), req, tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check: %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Check: %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
	if seen := v.Seen()["GET /api/v1/cameras"][200]; len(seen) != 1 || seen[0] != "TestCheck/a_page_of_no_cameras" {
		t.Errorf("Seen: GET /api/v1/cameras 200 by %v", seen)
	}
}
