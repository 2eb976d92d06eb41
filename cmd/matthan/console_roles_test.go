package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/web"
)

// pageParam is a page's parameter in its route (":id").
var pageParam = regexp.MustCompile(`:[a-z_]+`)

// openStatus navigates to url and answers the HTTP status of the page.
func (b *browser) openStatus(url string) int64 {
	b.t.Helper()
	b.leave()
	ctx, cancel := context.WithTimeout(b.ctx, browserDeadline)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Navigate(url))
	if err != nil {
		b.t.Fatalf("browser: open %s: %v (see %s)", url, err, b.shot("failure"))
	}
	if res == nil { // chromedp saw no response for the document
		b.t.Fatalf("browser: open %s: no response (see %s)", url, b.shot("failure"))
	}
	return res.Status
}

// sessionClient signs in over the API as name and returns a client that
// sends the session's cookie, as the console's scripts do.
func sessionClient(t *testing.T, base, name, password string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Transport: openapiTransport(t)}
	body, _ := json.Marshal(map[string]string{"name": name, "password": password})
	res, err := client.Post(base+"/api/v1/session", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign-in of %s over the API: %d", name, res.StatusCode)
	}
	return client
}

// TestConsoleEveryPageByRole walks every page of the console — the pages
// and their roles come from the console's own table (web.Pages), so a
// page added there is checked here without a line of this test — with
// every role, in a browser: a role that may open the page gets it (200)
// and finds it in its navigation when it is a navigation page; any other
// role gets the 403 page and no link to it. The API route each page
// reads answers the role alike: allowed (200, or 404 for the example
// parameter), or 403.
func TestConsoleEveryPageByRole(t *testing.T) {
	d := startConsoleDemo(t)
	pages := web.Pages()
	if len(pages) < 10 {
		t.Fatalf("the console lists %d pages", len(pages))
	}
	// A page's parameter is filled with a camera of the demo: a page of
	// another kind of thing still answers its shell for any value.
	fill := func(route string) string { return pageParam.ReplaceAllString(route, "CG-0001") }
	for _, role := range camera.Roles {
		t.Run(string(role), func(t *testing.T) {
			acc := d.accounts[role]
			b := newBrowser(t, 1280, 800)
			b.signIn(d.url, acc.Name, acc.Password)
			client := sessionClient(t, d.url, acc.Name, acc.Password)
			for _, p := range pages {
				allowed := slices.Contains(p.Roles, role)
				t.Run(p.Name, func(t *testing.T) {
					b := b.on(t)
					status := b.openStatus(d.url + fill(p.Path))
					b.run(chromedp.WaitReady(chromedp.CSS("body")))
					isError := evalJS[bool](b, `document.body.classList.contains('page-error')`)
					nav := b.links()
					switch {
					case allowed && (status != http.StatusOK || isError):
						t.Errorf("%s may open %s: status %d, error page %v (see %s)", role, p.Path, status, isError, b.shot(p.Name))
					case !allowed && (status != http.StatusForbidden || !isError):
						t.Errorf("%s may not open %s: status %d, error page %v, want the 403 page (see %s)", role, p.Path, status, isError, b.shot(p.Name))
					}
					if !allowed && slices.Contains(nav, p.Path) {
						t.Errorf("%s may not open %s, yet its navigation links it: %v", role, p.Path, nav)
					}
					if allowed && p.Nav && !slices.Contains(nav, p.Path) {
						t.Errorf("%s may open %s, a navigation page, but its navigation is %v", role, p.Path, nav)
					}
					if p.Reads == "" {
						return
					}
					res, err := client.Get(d.url + fill(p.Reads))
					if err != nil {
						t.Fatal(err)
					}
					res.Body.Close()
					apiAllowed := res.StatusCode == http.StatusOK || res.StatusCode == http.StatusNotFound
					if apiAllowed != allowed || (!allowed && res.StatusCode != http.StatusForbidden) {
						t.Errorf("%s GET %s (read by %s) = %d; the page is %s", role, p.Reads, p.Path, res.StatusCode, map[bool]string{true: "allowed", false: "refused"}[allowed])
					}
				})
			}
		})
	}
}
