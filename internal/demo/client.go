package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/matthan/matthan/api"
)

// client sends requests to the daemon's API in-process, as the demo's
// admin: what the demo loads goes through the validation, normalisation,
// recording and custody of an operator's requests.
type client struct {
	h     http.Handler
	token string
}

// call sends a request and returns the body of a 2xx answer; any other
// answer is an error saying what the server said (as the matthan client
// says it).
func (c client) call(ctx context.Context, method, target, contentType string, body []byte) ([]byte, error) {
	req := httptest.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	resp := rec.Result()
	if resp.StatusCode/100 != 2 {
		return nil, readProblem(resp)
	}
	return io.ReadAll(resp.Body)
}

// readProblem reads an error answer: its problem details when it has
// them, else its status.
func readProblem(resp *http.Response) error {
	var p api.Problem
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == api.ProblemContentType || mt == "application/json" {
		_ = json.Unmarshal(body, &p)
	}
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	if p.Field != "" && !strings.HasPrefix(msg, p.Field+":") {
		msg = p.Field + ": " + msg
	}
	return fmt.Errorf("server answered %d %s: %s", resp.StatusCode, http.StatusText(resp.StatusCode), msg)
}

// importResult is the answer of an import of cameras, incidents or
// donations. The sample is valid (its tests say so): a rejection is a bug,
// shown as the API wrote it.
type importResult struct {
	Created    int               `json:"created"`
	Updated    int               `json:"updated"`
	Unchanged  int               `json:"unchanged"`
	Rejected   int               `json:"rejected"`
	Rejections []json.RawMessage `json:"rejections"`
}
