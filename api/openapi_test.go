package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"

	"github.com/matthan/matthan/api"
	"github.com/matthan/matthan/api/apitest"
)

// openapiChecks is the validator that every answer of these tests goes
// through (env.do, the browser client of the session tests): loaded
// once, as the tests run in one process.
var openapiChecks = sync.OnceValues(apitest.NewValidator)

// checkOpenAPI checks one answer (its body read in full) against the
// OpenAPI description and fails t on a mismatch.
func checkOpenAPI(t testing.TB, resp *http.Response, body []byte) {
	t.Helper()
	v, err := openapiChecks()
	if err != nil {
		t.Fatal(err)
	}
	// resp.Request is the request answered: the last of any redirects.
	if err := v.Check(t.Name(), resp.Request, resp.StatusCode, resp.Header, body); err != nil {
		t.Errorf("OpenAPI: %v", err)
	}
}

// TestOpenAPIServed: the description is served as JSON, to anyone, and
// it is the embedded file.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	want, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	status, got, h := e.do("", "GET", "/api/v1/openapi.json", "", nil)
	if status != http.StatusOK || !bytes.Equal(got, want) {
		t.Fatalf("GET /api/v1/openapi.json without credentials: %d, %d bytes; want 200 and the %d bytes of api.OpenAPI", status, len(got), len(want))
	}
	if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Paths) < 50 {
		t.Errorf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	if p := e.problem("", "GET", "/api/v1/openapi.json?format=yaml", nil, http.StatusBadRequest); p.Field != "format" {
		t.Errorf("unknown parameter: %+v", p)
	}
}

// TestOpenAPIJSONIsTheYAML: the JSON the daemon serves says what
// openapi.yaml says, read by a YAML decoder of its own.
func TestOpenAPIJSONIsTheYAML(t *testing.T) {
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var fromYAML any
	if err := yaml.Unmarshal(raw, &fromYAML); err != nil {
		t.Fatal(err)
	}
	// Through encoding/json, so that both sides hold the same Go types.
	b, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	served, err := api.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(served, &got); err != nil {
		t.Fatalf("api.OpenAPI is not JSON: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("api.OpenAPI differs from openapi.yaml read as YAML")
	}
}

// TestOpenAPIRoutes: the router's routes under /api/v1 (and the tiles)
// and the description's operations are the same set, both ways. The
// server is built with every capability, as the daemon runs.
func TestOpenAPIRoutes(t *testing.T) {
	e := newFullEnv(t, nil)
	engine, isGin := e.api.Handler().(*gin.Engine)
	if !isGin {
		t.Fatalf("Handler is a %T, not the gin engine", e.api.Handler())
	}
	routes := map[string]bool{}
	for _, r := range engine.Routes() {
		if !apitest.Covers(r.Path) {
			continue
		}
		routes[r.Method+" "+openAPIPath(r.Path)] = true
	}
	v, err := openapiChecks()
	if err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	for _, op := range v.Operations() {
		described[op] = true
		if !routes[op] {
			t.Errorf("the description has %s, which the router does not", op)
		}
	}
	var missing []string
	for r := range routes {
		if !described[r] {
			missing = append(missing, r)
		}
	}
	slices.Sort(missing)
	for _, r := range missing {
		t.Errorf("the router has %s, which the description does not", r)
	}
	if len(routes) < 60 {
		t.Errorf("only %d routes: is the server built with every capability?", len(routes))
	}
}

// openAPIPath writes a gin path the OpenAPI way: /cameras/:id is
// /cameras/{id}.
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			parts[i] = "{" + name + "}"
		} else if name, ok := strings.CutPrefix(s, "*"); ok {
			parts[i] = "{" + name + "}"
		}
	}
	return strings.Join(parts, "/")
}
