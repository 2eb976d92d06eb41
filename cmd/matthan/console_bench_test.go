package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/matthan/matthan/camera"
)

// BenchmarkConsoleMapFirstLoad: the map page with the demo's 350
// cameras, from the navigation to the tiles drawn (body[data-ready],
// which the page sets when the tiles of its framed view are drawn), in a
// fresh headless Chromium each time (nothing cached), over loopback.
// Target: 1.5 s. It reports the median and the slowest load.
//
//	go test ./cmd/matthan -run '^$' -bench ConsoleMapFirstLoad -benchtime 5x
func BenchmarkConsoleMapFirstLoad(b *testing.B) {
	d := startConsoleDemo(b)
	acc := d.accounts[camera.RolePolice]
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Post(d.url+"/api/v1/session", "application/json", strings.NewReader(fmt.Sprintf(`{"name":%q,"password":%q}`, acc.Name, acc.Password)))
	if err != nil {
		b.Fatal(err)
	}
	var sess map[string]any
	_ = json.NewDecoder(res.Body).Decode(&sess)
	res.Body.Close()
	u, _ := url.Parse(d.url)
	var cookie *http.Cookie
	for _, c := range jar.Cookies(u) {
		if c.Name == "matthan_session" {
			cookie = c
		}
	}
	if cookie == nil {
		b.Fatalf("sign-in set no session cookie (%d)", res.StatusCode)
	}
	var ms []float64
	b.ResetTimer()
	for range b.N {
		br := newBrowser(b, 1280, 800)
		br.run(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: cookie.Name, Value: cookie.Value, URL: d.url})
			return err
		}))
		br.open(d.url, "/map")
		v, err := strconv.ParseFloat(evalJS[string](br, `document.body.dataset.readyMs`), 64)
		if err != nil {
			b.Fatal(err)
		}
		if n := evalJS[int](br, `(() => { let n = 0; for (const f of window.matthanMap.layer._feats.values()) n += f.cameras.length; return n; })()`); n < 300 {
			b.Fatalf("the map drew %d cameras, want the demo's 350", n)
		}
		ms = append(ms, v)
		if testing.Verbose() {
			b.Logf("load %d: %s", len(ms), evalJS[string](br, `JSON.stringify(performance.getEntries().map(e => [e.name.replace(location.origin, ''), Math.round(e.startTime), Math.round(e.duration)]))`))
		}
	}
	b.StopTimer()
	slices.Sort(ms)
	b.ReportMetric(ms[len(ms)/2], "ms_median")
	b.ReportMetric(ms[len(ms)-1], "ms_max")
	b.ReportMetric(0, "ns/op")
}
