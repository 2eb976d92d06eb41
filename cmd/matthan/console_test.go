package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/geo"
	"github.com/matthan/matthan/internal/demo"
)

// consoleDemo is a demo daemon and its console accounts, parsed from
// what it printed.
type consoleDemo struct {
	*demoRun
	accounts map[camera.Role]demo.Account
}

func startConsoleDemo(t testing.TB) *consoleDemo {
	t.Helper()
	d := startDemo(t, t.TempDir())
	cd := &consoleDemo{demoRun: d, accounts: map[camera.Role]demo.Account{}}
	// The table after "Web console:", from its header to a blank line.
	inTable := false
	for _, l := range strings.Split(d.block, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && f[0] == "role" && f[1] == "user":
			inTable = true
		case len(f) == 0:
			inTable = false
		case inTable && camera.Role(f[0]).Valid():
			cd.accounts[camera.Role(f[0])] = demo.Account{Role: camera.Role(f[0]), Name: f[1], Password: f[2]}
		}
	}
	if len(cd.accounts) != len(camera.Roles) {
		t.Fatalf("the demo printed %d console accounts, want one per role:\n%s", len(cd.accounts), d.block)
	}
	if !strings.Contains(d.block, "Web console: "+d.url+"/") {
		t.Errorf("the demo does not print where the console is:\n%s", d.block)
	}
	return cd
}

// healthNow returns the state of every active camera, from the API.
func (d *consoleDemo) healthNow(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	cursor := ""
	for {
		body := mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/health?status=active&limit=1000&cursor="+cursor, d.token, "", nil)
		var page struct {
			Items []struct {
				CameraID string `json:"camera_id"`
				State    string `json:"state"`
			} `json:"items"`
			Next string `json:"next_cursor"`
		}
		unmarshal(t, body, &page)
		for _, it := range page.Items {
			out[it.CameraID] = it.State
		}
		if page.Next == "" {
			return out
		}
		cursor = page.Next
	}
}

// waitForFaults waits until the poller has confirmed the demo's steady
// faults (a refused camera down, the changed password, the frozen
// encoder), so that the pages have something to show, and returns them:
// camera id → state.
func (d *consoleDemo) waitForFaults(t *testing.T) map[string]string {
	t.Helper()
	want := map[string]string{}
	plan, err := demo.SamplePlan()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range demo.Faults() {
		if f.State == "" {
			continue
		}
		for _, id := range plan.IDs(f.Kind) {
			want[id] = string(f.State)
		}
	}
	deadline := time.Now().Add(browserDeadline)
	for {
		got := d.healthNow(t)
		missing := []string{}
		for id, st := range want {
			if got[id] != st {
				missing = append(missing, fmt.Sprintf("%s %s (is %s)", id, st, got[id]))
			}
		}
		if len(missing) == 0 {
			return want
		}
		if time.Now().After(deadline) {
			t.Fatalf("the poller did not find the demo's faults in %s: %v", browserDeadline, missing)
		}
		pause(t, 200*time.Millisecond)
	}
}

func TestConsolePolice(t *testing.T) {
	d := startConsoleDemo(t)
	d.waitForFaults(t)
	police := d.accounts[camera.RolePolice]
	b := newBrowser(t, 390, 844)

	t.Run("a page without a session goes to sign-in", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/health")
		if loc := b.location(); !strings.HasPrefix(loc, "/login?next=%2Fhealth") {
			t.Errorf("location = %s, want the sign-in page with next=/health", loc)
		}
		b.noHorizontalScroll("login")
	})
	t.Run("a wrong password is refused beside the field", func(t *testing.T) {
		b := b.on(t)
		b.run(
			chromedp.SendKeys(chromedp.CSS("#name"), police.Name),
			chromedp.SendKeys(chromedp.CSS("#password"), "not the password"),
			chromedp.Click(chromedp.CSS("#login-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#password-error")),
		)
		if got := b.text("#password-error"); got != "Sai tên đăng nhập hoặc mật khẩu" {
			t.Errorf("error beside the password = %q", got)
		}
		if loc := b.location(); !strings.HasPrefix(loc, "/login") {
			t.Errorf("after a wrong password the page is %s", loc)
		}
	})
	t.Run("sign in and see the overview in Vietnamese", func(t *testing.T) {
		b := b.on(t)
		b.signIn(d.url, police.Name, police.Password)
		b.shot("overview")
		if got := b.text("#cards .stat:nth-child(2) .value"); got != "350" {
			t.Errorf("cameras in service = %q, want 350", got)
		}
		if got := b.text("h1"); got != "Tổng quan" {
			t.Errorf("heading = %q", got)
		}
		if got := b.text("#cards .stat:nth-child(5) .value"); got != "1.300.000.000 ₫" {
			t.Errorf("money received = %q, want 1.300.000.000 ₫", got)
		}
		b.noHorizontalScroll("overview")
	})
	t.Run("the overview prints on A4", func(t *testing.T) {
		b := newBrowser(t, 703, 1077) // A4 within 12 mm margins, at 96 dpi
		b.signIn(d.url, police.Name, police.Password)
		b.run(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}))
		b.shot("overview-print")
		got := evalJS[map[string]any](b, `({
			topbar: getComputedStyle(document.querySelector('.topbar')).display,
			print: getComputedStyle(document.querySelector('[data-action=print]')).display,
			wide: [...document.querySelectorAll('table')].filter(t => t.scrollWidth > document.documentElement.clientWidth).length,
		})`)
		if got["topbar"] != "none" || got["print"] != "none" || got["wide"] != float64(0) {
			t.Errorf("printed overview: %v; want no navigation, no buttons and every table within the page", got)
		}
	})
	t.Run("the health page lists exactly the cameras not up", func(t *testing.T) {
		b := b.on(t)
		// The demo's flapping camera can change between two reads: the
		// page must agree with the API read just before and just after it.
		deadline := time.Now().Add(browserDeadline)
		for {
			before := notUp(d.healthNow(t))
			b.open(d.url, "/health")
			rows := evalJS[[]string](b, `[...document.querySelectorAll('#notup li')].map(r => r.dataset.id + ' ' + r.dataset.state)`)
			after := notUp(d.healthNow(t))
			sort.Strings(rows)
			if slices.Equal(before, after) && slices.Equal(rows, before) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("health page rows %v, API before %v, after %v (see %s)", rows, before, after, b.shot("health"))
			}
			pause(t, 200*time.Millisecond)
		}
		b.shot("health")
		b.noHorizontalScroll("health")
	})
	t.Run("the map draws the cameras in their states and a tap shows the reason", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/map")
		b.shot("map")
		b.noHorizontalScroll("map")
		states := d.healthNow(t)
		// Every camera drawn carries its state, as the API says.
		drawn := evalJS[map[string]string](b, `(() => { const out = {}; for (const f of window.matthanMap.layer._feats.values()) for (const c of f.cameras) out[c.props.id] = c.props.state; return out; })()`)
		if len(drawn) < 300 {
			t.Fatalf("the map drew %d cameras, want the demo's 350 (see %s)", len(drawn), b.shot("map-few"))
		}
		for id, st := range drawn {
			if states[id] != st && id != "CG-0231" { // the flapper may have moved on
				t.Errorf("camera %s drawn as %s, the API says %s", id, st, states[id])
			}
		}
		// The colour on screen at a down camera is the down colour.
		down := firstWithState(states, "down")
		rgb := evalJS[[]int](b, fmt.Sprintf(`(() => {
			const {map, layer} = window.matthanMap;
			return fetch('/api/v1/cameras/%s').then(r => r.json()).then(c => {
				map.setView([c.lat, c.lon], 17, {animate: false});
				return new Promise(res => layer.once('load', () => res(c)));
			}).then(c => {
				// The pixel of the tile canvas under the camera.
				const z = map.getZoom();
				const p = map.project([c.lat, c.lon], z);
				const tx = Math.floor(p.x / 256), ty = Math.floor(p.y / 256);
				const canvas = layer._tiles[tx + ':' + ty + ':' + z].el;
				const k = canvas.width / 256;
				const x = Math.round((p.x - tx * 256) * k), y = Math.round((p.y - ty * 256) * k);
				return Array.from(canvas.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3));
			});
		})()`, down))
		if want := []int{0xd7, 0x30, 0x27}; !slices.Equal(rgb, want) {
			t.Errorf("colour at down camera %s = %v, want the down colour %v (see %s)", down, rgb, want, b.shot("down-colour"))
		}
		// A tap on it opens its panel with the reason in plain words.
		pt := evalJS[[]float64](b, `(() => { const {map} = window.matthanMap; const r = map.getContainer().getBoundingClientRect(); const p = map.latLngToContainerPoint(map.getCenter()); return [p.x + r.left, p.y + r.top]; })()`)
		b.run(chromedp.MouseClickXY(pt[0], pt[1]), chromedp.WaitVisible(chromedp.CSS("#panel .reason")))
		b.shot("panel")
		if got := b.text("#panel .reason"); !strings.Contains(got, "từ chối kết nối") && !strings.Contains(got, "404") {
			t.Errorf("panel of down camera %s says %q, want the reason in plain Vietnamese", down, got)
		}
	})
	t.Run("who could have seen a spot last Tuesday at 21:40", func(t *testing.T) {
		b := b.on(t)
		zone, err := time.LoadLocation("Asia/Ho_Chi_Minh")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().In(zone)
		back := (int(now.Weekday()) - int(time.Tuesday) + 7) % 7
		if back == 0 {
			back = 7
		}
		y, m, dd := now.AddDate(0, 0, -back).Date()
		at := time.Date(y, m, dd, 21, 40, 0, 0, zone)
		// A spot a camera that is up now looks at: half its range ahead.
		var cam struct {
			Lat          float64 `json:"lat"`
			Lon          float64 `json:"lon"`
			DirectionDeg float64 `json:"direction_deg"`
			RangeM       float64 `json:"range_m"`
		}
		up := firstWithState(d.healthNow(t), "up")
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/cameras/"+up, d.token, "", nil), &cam)
		lat, lon := geo.Destination(cam.Lat, cam.Lon, cam.DirectionDeg, cam.RangeM/2)
		b.open(d.url, "/seeing")
		b.run(chromedp.SetValue(chromedp.CSS("#when"), at.Format("2006-01-02T15:04")))
		pt := evalJS[[]float64](b, fmt.Sprintf(`(() => {
			const {map} = window.matthanMap;
			map.setView([%f, %f], 19, {animate: false});
			const p = map.latLngToContainerPoint([%f, %f]);
			const r = map.getContainer().getBoundingClientRect();
			return [p.x + r.left, p.y + r.top];
		})()`, lat, lon, lat, lon))
		b.run(chromedp.MouseClickXY(pt[0], pt[1]), chromedp.WaitVisible(chromedp.CSS("#panel .panel-head")))
		b.shot("seeing")
		b.noHorizontalScroll("seeing")
		rows := evalJS[[]string](b, `[...document.querySelectorAll('#seeing-results tbody tr')].map(r => r.dataset.id + ' ' + r.querySelector('.state').className.replace('state state-', ''))`)
		// The page keeps the point and the time in its address, to share.
		loc := evalJS[map[string]string](b, `Object.fromEntries(new URLSearchParams(location.search))`)
		if loc["at"] != at.Format(time.RFC3339) {
			t.Errorf("the address says at=%q, want %s", loc["at"], at.Format(time.RFC3339))
		}
		var api struct {
			Items []struct {
				ID    string `json:"id"`
				State string `json:"state"`
			} `json:"items"`
		}
		q := fmt.Sprintf("lat=%s&lon=%s&at=%s", loc["lat"], loc["lon"], strings.ReplaceAll(at.Format(time.RFC3339), "+", "%2B"))
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/cameras/seeing?"+q, d.token, "", nil), &api)
		var want []string
		for _, it := range api.Items {
			want = append(want, it.ID+" "+it.State)
		}
		sort.Strings(rows)
		sort.Strings(want)
		if !slices.Equal(rows, want) || !slices.ContainsFunc(want, func(r string) bool { return strings.HasPrefix(r, up+" ") }) {
			t.Errorf("seeing half-way along camera %s's view at %s: page %v, API %v (see %s)", up, at, rows, want, b.shot("seeing-mismatch"))
		}
	})
	t.Run("sign-out ends the session", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/")
		cookie := evalJS[string](b, `document.cookie`)
		if strings.Contains(cookie, "matthan_session") {
			t.Errorf("the session cookie is readable by scripts: %q", cookie)
		}
		b.run(chromedp.Click(chromedp.CSS("[data-action=menu]")), chromedp.Click(chromedp.CSS("[data-action=signout]")), chromedp.WaitVisible(chromedp.CSS("#login-form")))
		b.open(d.url, "/")
		if loc := b.location(); !strings.HasPrefix(loc, "/login") {
			t.Errorf("after sign-out / shows %s", loc)
		}
	})
}

func TestConsoleRoles(t *testing.T) {
	d := startConsoleDemo(t)
	for _, role := range camera.Roles {
		t.Run(string(role), func(t *testing.T) {
			acc := d.accounts[role]
			b := newBrowser(t, 1280, 800)
			b.signIn(d.url, acc.Name, acc.Password)
			nav := b.links()
			mayPolice := role == camera.RoleAdmin || role == camera.RolePolice
			for _, p := range []string{"/health", "/seeing"} {
				if slices.Contains(nav, p) != mayPolice {
					t.Errorf("%s: navigation %v, %s listed: %v", role, nav, p, !mayPolice)
				}
				b.goTo(d.url + p)
				status := evalJS[int](b, `document.body.classList.contains('page-error') ? 403 : 200`)
				if (status == 200) != mayPolice {
					t.Errorf("%s opening %s: page %d", role, p, status)
				}
			}
			// The API behind the pages answers the same: a session of a
			// role that may not is 403.
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar, Transport: openapiTransport(t)}
			res, err := client.Post(d.url+"/api/v1/session", "application/json", strings.NewReader(fmt.Sprintf(`{"name":%q,"password":%q}`, acc.Name, acc.Password)))
			if err != nil {
				t.Fatal(err)
			}
			var sess struct {
				CSRF string `json:"csrf_token"`
			}
			_ = json.NewDecoder(res.Body).Decode(&sess)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("sign-in over the API: %d", res.StatusCode)
			}
			res, err = client.Get(d.url + "/api/v1/incidents")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if want := map[bool]int{true: 200, false: 403}[mayPolice]; res.StatusCode != want {
				t.Errorf("%s GET /api/v1/incidents with a session: %d, want %d", role, res.StatusCode, want)
			}
		})
	}
}

// notUp lists "id state" of the cameras not up, sorted.
func notUp(states map[string]string) []string {
	var out []string
	for id, st := range states {
		if st != "up" {
			out = append(out, id+" "+st)
		}
	}
	sort.Strings(out)
	return out
}

func firstWithState(states map[string]string, want string) string {
	var ids []string
	for id, st := range states {
		if st == want && id != "CG-0231" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}
