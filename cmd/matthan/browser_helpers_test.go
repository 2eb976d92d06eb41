package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The console's tests drive Debian's chromium (make test installs it)
// through chromedp, against the real daemon. A failing test prints where
// its screenshots are; they are kept then, and removed when it passes
// (MATTHAN_KEEP_SCREENSHOTS=1 keeps them anyway, to look at the pages).

// browserDeadline bounds one browser step (a page load, a wait for data):
// long, because the daemon under -race on a loaded CI machine is slow.
const browserDeadline = 90 * time.Second

// chromiumPath finds the browser: $MATTHAN_CHROMIUM, then chromium on
// PATH. make test installs it (make deps); without it the test fails
// under CI and skips elsewhere, saying what to do, as the GDAL test does.
func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("MATTHAN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no chromium on PATH: the console's tests need Debian's chromium (run make deps, which make test does first)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser is one headless Chromium with its own profile. Its methods
// fail t; in a subtest, use b.on(t).
type browser struct {
	t     testing.TB
	ctx   context.Context
	shots string
	state *browserState
}

// browserState is what copies of a browser for subtests share.
type browserState struct {
	mu      sync.Mutex
	started bool
	nshots  int
}

// on returns the browser failing t instead, for a subtest.
func (b *browser) on(t testing.TB) *browser {
	c := *b
	c.t = t
	return &c
}

// newBrowser starts Chromium with a window of width × height CSS pixels
// (mobile emulation for phone widths).
func newBrowser(t testing.TB, width, height int) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	shots, err := os.MkdirTemp("", "matthan-console-"+sanitize(t.Name())+"-")
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, shots: shots, state: &browserState{}}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		if t.Failed() || os.Getenv("MATTHAN_KEEP_SCREENSHOTS") != "" {
			t.Logf("screenshots of %s are in %s", t.Name(), shots)
		} else {
			_ = os.RemoveAll(shots)
		}
	})
	vp := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
	if width < 700 {
		vp = append(vp, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	b.run(chromedp.EmulateViewport(int64(width), int64(height), vp...))
	return b
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitize(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

// run runs actions within browserDeadline, failing the test with a
// screenshot on error. The first call starts the browser, on the
// browser's own context: a deadline there would end the browser with it.
func (b *browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.state.mu.Lock()
	start := !b.state.started
	b.state.started = true
	b.state.mu.Unlock()
	if start {
		if err := chromedp.Do(b.ctx); err != nil {
			b.t.Fatalf("start chromium: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(b.ctx, browserDeadline)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v (see %s)", err, b.shot("failure"))
	}
}

// shot saves a screenshot of the page as it is now and returns its path.
func (b *browser) shot(name string) string {
	b.state.mu.Lock()
	b.state.nshots++
	n := b.state.nshots
	b.state.mu.Unlock()
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", n, sanitize(name)))
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil { // 100: PNG
		_ = os.WriteFile(path, buf, 0o644)
	}
	return path
}

// open loads path of base and waits until the page's script says its
// data is shown (body[data-ready]).
func (b *browser) open(base, path string) {
	b.t.Helper()
	b.goTo(base + path)
	b.run(chromedp.WaitVisible(chromedp.CSS("body[data-ready]")))
}

// goTo leaves the page (see leave), then loads url.
func (b *browser) goTo(url string) {
	b.t.Helper()
	b.leave()
	b.run(chromedp.Navigate(url))
}

// leave replaces the page with a blank one. Leaving first is what makes
// the wait for the next page exact: pages write their filters
// into the address (history.replaceState) when their data arrive, and
// when that lands just as a navigation starts, chromedp takes it for the
// end of the navigation. It then returns before the new page has loaded
// (RunResponse with no response; a wait for body[data-ready] matched by
// the page before). A blank page runs no script that could do that.
func (b *browser) leave() {
	b.t.Helper()
	b.run(chromedp.Navigate("about:blank"))
	b.waitJS(`location.href === 'about:blank' && document.readyState === 'complete'`)
}

// location returns the page's path and query.
func (b *browser) location() string {
	b.t.Helper()
	return evalJS[string](b, `location.pathname + location.search`)
}

// signIn signs in on the sign-in page with name and password and waits
// for the overview.
func (b *browser) signIn(base, name, password string) {
	b.t.Helper()
	b.goTo(base + "/login")
	b.run(
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("body.page-overview[data-ready]")),
	)
}

// text returns the text of the first element matching the CSS selector
// sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(do(b, chromedp.Text(chromedp.CSS(sel))))
}

// do runs one action that returns a value, as run does. The action
// reads the page, so it is run again when the page's JavaScript context
// it was sent to is gone (see staleContext).
func do[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserDeadline)
	defer cancel()
	for {
		v, err := chromedp.Run(ctx, a)
		if err == nil {
			return v
		}
		if !staleContext(err) || ctx.Err() != nil {
			b.t.Fatalf("browser: %v (see %s)", err, b.shot("failure"))
		}
	}
}

// staleContext reports whether err says the page's JavaScript context a
// command was sent to is gone. Right after a navigation chromedp can
// still hold the context of the page before: it learns of the new one
// from an event that may come after the load it waited for. Sending the
// command again reaches the new context.
func staleContext(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") || strings.Contains(msg, "Execution context was destroyed")
}

// evalJS evaluates js in the page (awaiting a promise) and decodes its
// result.
func evalJS[T any](b *browser, js string) T {
	b.t.Helper()
	return do(b, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// noHorizontalScroll fails when the page is wider than the window: on a
// phone that means sideways scrolling.
func (b *browser) noHorizontalScroll(page string) {
	b.t.Helper()
	widths := evalJS[[]int](b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
	if len(widths) == 2 && widths[0] > widths[1] {
		b.t.Errorf("%s scrolls sideways: content %d px wide in a %d px window (see %s)", page, widths[0], widths[1], b.shot("scroll-"+page))
	}
}

// waitJS waits until a JavaScript expression is true in the page.
func (b *browser) waitJS(expr string) {
	b.t.Helper()
	do(b, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(browserDeadline), chromedp.WithPollingInterval(50*time.Millisecond)))
}

// links returns where a person can go from the page as it is: the
// navigation bar's entries and the tabs of the page's section.
func (b *browser) links() []string {
	b.t.Helper()
	return evalJS[[]string](b, `[...document.querySelectorAll('#nav li a, .section-tabs a')].map(a => a.getAttribute('href'))`)
}
