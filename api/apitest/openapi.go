package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/matthan/matthan/api"
)

// Validator checks answers against the API's OpenAPI description. It is
// safe for concurrent use.
type Validator struct {
	doc     *openapi3.T
	router  routers.Router
	problem *openapi3.Schema

	mu   sync.Mutex
	seen map[string]map[int]map[string]bool // operation → status → names of the checks
}

// NewValidator loads and validates the description the daemon serves
// (api.OpenAPI).
func NewValidator() (*Validator, error) {
	raw, err := api.OpenAPI()
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI description: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the OpenAPI description is not valid: %w", err)
	}
	// The paths are matched wherever the daemon listens (a test's
	// 127.0.0.1:port), not at the description's server.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route the OpenAPI description: %w", err)
	}
	problem := doc.Components.Schemas["Problem"]
	if problem == nil || problem.Value == nil {
		return nil, errors.New("the OpenAPI description has no Problem schema")
	}
	return &Validator{doc: doc, router: router, problem: problem.Value, seen: map[string]map[int]map[string]bool{}}, nil
}

// Doc returns the description as kin-openapi loaded it.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Covers reports whether the path is one the description speaks for:
// the API under /api/ and the map tiles under /tiles/. Answers elsewhere
// (the console's pages, /healthz, /metrics) are not checked.
func Covers(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/tiles/")
}

// Check checks one answer to req: an operation of the description must
// declare its status, and its headers and body must match that
// response (a body of a media type without a schema, such as a
// workbook or a tile, is not read; the caller may pass nil for it). A
// request the description has no operation for must have been answered
// 404 or 405 with a problem. Redirects and 304 are not checked. name
// says who checked (a test's name), for Seen.
func (v *Validator) Check(name string, req *http.Request, status int, header http.Header, body []byte) error {
	if !Covers(req.URL.Path) || status == http.StatusNotModified || (status >= 300 && status < 400) {
		return nil
	}
	route, params, err := v.router.FindRoute(req)
	if errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed) {
		return v.checkNoRoute(req, status, header, body)
	}
	if err != nil {
		return fmt.Errorf("%s %s: no operation: %w", req.Method, req.URL.Path, err)
	}
	if status == http.StatusNotFound && routerNotFound(body) {
		// A server built without a part (no settings, no clips) lacks
		// its routes: the router's 404, as for a path no one describes.
		return v.checkNoRoute(req, status, header, body)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	op := req.Method + " " + route.Path
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s (%s) answered %d, which the description does not allow: %w", req.Method, req.URL.Path, op, status, err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen[op] == nil {
		v.seen[op] = map[int]map[string]bool{}
	}
	if v.seen[op][status] == nil {
		v.seen[op][status] = map[string]bool{}
	}
	v.seen[op][status][name] = true
	return nil
}

// checkNoRoute checks the answer to a request no operation describes:
// the router's own 404 or 405, as a problem.
func (v *Validator) checkNoRoute(req *http.Request, status int, header http.Header, body []byte) error {
	if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
		return fmt.Errorf("%s %s is no operation of the description, yet it was answered %d", req.Method, req.URL.Path, status)
	}
	if req.Method == http.MethodHead {
		return nil // no body to check
	}
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != api.ProblemContentType {
		return fmt.Errorf("%s %s: %d with Content-Type %q, want %s", req.Method, req.URL.Path, status, header.Get("Content-Type"), api.ProblemContentType)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("%s %s: %d: the problem is not JSON: %w", req.Method, req.URL.Path, status, err)
	}
	if err := v.problem.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%s %s: %d: not a Problem: %w", req.Method, req.URL.Path, status, err)
	}
	return nil
}

// routerNotFound reports whether body is the router's answer to a route
// it does not have ("no route GET /api/v1/settings"), rather than a
// handler's 404.
func routerNotFound(body []byte) bool {
	var p struct {
		Detail string `json:"detail"`
	}
	return json.Unmarshal(body, &p) == nil && strings.HasPrefix(p.Detail, "no route ")
}

// readsBody reports whether Check reads a body of this Content-Type: the
// JSON, GeoJSON, problems and CSV the description gives schemas to.
// Files of other types (workbooks, clips, tiles, backups) are left
// unread.
func readsBody(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/csv"
}

// Transport returns a RoundTripper that sends requests through next
// (http.DefaultTransport when nil) and checks every answer, calling
// report with what is wrong (a test's Errorf; never Fatalf, which must
// not be called from the goroutines a client may use). A body Check
// reads is read in full and handed on unchanged.
func (v *Validator) Transport(next http.RoundTripper, name string, report func(format string, args ...any)) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &checkingTransport{v: v, next: next, name: name, report: report}
}

type checkingTransport struct {
	v      *Validator
	next   http.RoundTripper
	name   string
	report func(format string, args ...any)
}

func (t *checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || !Covers(req.URL.Path) {
		return resp, err
	}
	var body []byte
	if readsBody(resp.Header.Get("Content-Type")) && req.Method != http.MethodHead {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return resp, nil // the caller meets the failed read as its own
		}
	}
	if err := t.v.Check(t.name, req, resp.StatusCode, resp.Header, body); err != nil {
		t.report("OpenAPI: %v", err)
	}
	return resp, nil
}

// Operations returns every operation of the description, as "METHOD
// /path", sorted.
func (v *Validator) Operations() []string {
	var ops []string
	for path, item := range v.doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

// Seen returns, for each operation Check has passed, the statuses it was
// answered with and the names of the checks that saw each.
func (v *Validator) Seen() map[string]map[int][]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]map[int][]string, len(v.seen))
	for op, byStatus := range v.seen {
		out[op] = map[int][]string{}
		for status, names := range byStatus {
			for n := range names {
				out[op][status] = append(out[op][status], n)
			}
			slices.Sort(out[op][status])
		}
	}
	return out
}

// WriteReport writes, for every operation of the description, the
// statuses it was seen answered with and by which checks; "-" for an
// operation never seen.
func (v *Validator) WriteReport(w io.Writer) error {
	seen := v.Seen()
	for _, op := range v.Operations() {
		line := op
		if len(seen[op]) == 0 {
			line += "\t-"
		}
		statuses := make([]int, 0, len(seen[op]))
		for s := range seen[op] {
			statuses = append(statuses, s)
		}
		slices.Sort(statuses)
		for _, s := range statuses {
			line += fmt.Sprintf("\t%d: %s", s, strings.Join(seen[op][s], ", "))
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}
