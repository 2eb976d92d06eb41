package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/matthan/matthan/camera"
)

// The planners' pages on the demo, in a real browser: five suggestions
// drawn on the map with what each adds; the coverage table opening a
// cell on the map; the gaps ranked as the API ranks them; every role
// refused the pages of the others; a roads file uploaded, checked,
// confirmed, and its junctions found among the gaps.
func TestConsolePlanner(t *testing.T) {
	d := startConsoleDemo(t)
	planner := d.accounts[camera.RolePlanner]
	b := newBrowser(t, 1280, 800)
	b.signIn(d.url, planner.Name, planner.Password)

	t.Run("asks for 5 suggestions and sees them drawn", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/suggest")
		b.run(
			chromedp.SetValue(chromedp.CSS("#n"), "5"),
			chromedp.Click(chromedp.CSS(`#classes input[value="provincial"]`)),
			chromedp.Click(chromedp.CSS("#go")),
			chromedp.WaitVisible(chromedp.CSS(`#proposals[data-loaded]`)),
		)
		b.shot("suggest")
		b.noHorizontalScroll("suggest")
		var want struct {
			Suggestions []struct {
				JunctionID     string `json:"junction_id"`
				JunctionsAdded int    `json:"junctions_added"`
			} `json:"suggestions"`
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/coverage/suggest?n=5&mode=installed&road_class=provincial", d.token, "", nil), &want)
		if len(want.Suggestions) != 5 {
			t.Fatalf("the API proposes %d cameras on the demo, want 5", len(want.Suggestions))
		}
		got := evalJS[[]string](b, `[...document.querySelectorAll('#proposals li')].map(li => li.dataset.junction + ' ' + li.querySelector('.gain').textContent)`)
		var wantRows []string
		for _, s := range want.Suggestions {
			wantRows = append(wantRows, fmt.Sprintf("%s +%d nút giao", s.JunctionID, s.JunctionsAdded))
		}
		if !slices.Equal(got, wantRows) {
			t.Errorf("the list shows %v, the API proposes %v", got, wantRows)
		}
		// A field of view and a numbered marker for each proposal.
		drawn := evalJS[map[string]int](b, `(() => {
			const ls = window.matthanSuggest.drawn.getLayers();
			return {sectors: ls.filter(l => typeof l.getLatLngs === 'function').length, markers: ls.filter(l => typeof l.getIcon === 'function').length,
				numbers: document.querySelectorAll('.proposal-icon').length};
		})()`)
		if drawn["sectors"] != 5 || drawn["markers"] != 5 || drawn["numbers"] != 5 {
			t.Errorf("drawn on the map: %v, want 5 sectors, 5 markers, 5 numbers (see %s)", drawn, b.shot("suggest-drawn"))
		}
		if loc := b.location(); !strings.Contains(loc, "n=5") || !strings.Contains(loc, "road_class=provincial") {
			t.Errorf("the address does not keep the question: %s", loc)
		}
		if cost := b.text("#totals .stat:nth-child(4) .value"); !strings.HasSuffix(cost, " ₫") {
			t.Errorf("estimated cost %q, want đồng", cost)
		}
	})

	t.Run("a cell of the coverage table shows its junctions on the map", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/coverage")
		b.run(chromedp.WaitVisible(chromedp.CSS("#covtable[data-loaded]")))
		b.shot("coverage")
		var rep struct {
			Groups []struct {
				Commune       string `json:"commune"`
				RoadClass     string `json:"road_class"`
				Intersections int    `json:"intersections"`
				Covered       int    `json:"covered"`
			} `json:"groups"`
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/coverage", d.token, "", nil), &rep)
		cell := rep.Groups[0]
		for _, g := range rep.Groups {
			if g.Intersections > cell.Intersections {
				cell = g
			}
		}
		sel := fmt.Sprintf(`button.covcell[data-commune=%q][data-road=%q]`, cell.Commune, cell.RoadClass)
		b.run(chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS("#map[data-drawn]")))
		b.shot("coverage-cell")
		got := evalJS[[]int](b, `[Number(document.querySelector('#map').dataset.drawn), window.matthanCoverage.junctions.getLayers().length]`)
		if got[0] != cell.Intersections || got[1] != cell.Intersections {
			t.Errorf("cell %s × %s: %v junctions drawn, want %d", cell.Commune, cell.RoadClass, got, cell.Intersections)
		}
		if sub := b.text("#cell-sub"); !strings.Contains(sub, fmt.Sprintf("%d có camera nhìn thấy", cell.Covered)) {
			t.Errorf("the cell says %q, want %d covered", sub, cell.Covered)
		}
	})

	t.Run("the gaps are listed as the API ranks them, filtered, exported", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/gaps")
		b.run(chromedp.WaitVisible(chromedp.CSS("#gaps[data-loaded]")))
		b.shot("gaps")
		b.noHorizontalScroll("gaps")
		if got, want := d.gapIDs(t, ""), evalJS[[]string](b, `[...document.querySelectorAll('#gaps li')].map(li => li.dataset.id)`); !slices.Equal(got[:min(50, len(got))], want) {
			t.Errorf("the page lists %v, the API ranks %v", want, got[:min(50, len(got))])
		}
		b.run(chromedp.Click(chromedp.CSS(`#classes input[value="district"]`)), chromedp.WaitVisible(chromedp.CSS("#gaps[data-loaded]")))
		page := evalJS[[]string](b, `[...document.querySelectorAll('#gaps li')].map(li => li.dataset.id)`)
		if want := d.gapIDs(t, "road_class=district"); !slices.Equal(page, want[:min(50, len(want))]) || len(page) == 0 {
			t.Errorf("district roads: the page lists %v, the API %v", page, want)
		}
		// Every gap of the filter as a workbook and as CSV, with the session.
		for _, sel := range []string{"#export-xlsx", "#export-csv", "#export-geojson"} {
			status := evalJS[int](b, fmt.Sprintf(`fetch(document.querySelector(%q).href).then(r => r.status)`, sel))
			href := evalJS[string](b, fmt.Sprintf(`document.querySelector(%q).getAttribute('href')`, sel))
			if status != 200 || !strings.Contains(href, "road_class=district") {
				t.Errorf("%s: %s answers %d", sel, href, status)
			}
		}
		// A tap on a gap flies the map there.
		first := page[0]
		b.run(chromedp.Click(chromedp.CSS(`#gaps li:first-child button`)))
		flew := pauseUntil(t, func() bool {
			return evalJS[bool](b, fmt.Sprintf(`(() => { const {map} = window.matthanGaps; const m = window.matthanGaps.marks.getLayers().find(l => l.options.gapID === %q); return map.getZoom() >= 17 && map.getCenter().distanceTo(m.getLatLng()) < 5; })()`, first))
		})
		if !flew {
			t.Errorf("the map did not fly to gap %s (see %s)", first, b.shot("gaps-fly"))
		}
	})

	t.Run("every role is refused the pages of the others", func(t *testing.T) {
		for _, role := range camera.Roles {
			acc := d.accounts[role]
			rb := newBrowser(t, 1280, 800)
			rb.signIn(d.url, acc.Name, acc.Password)
			rb.open(d.url, "/gaps") // the section's entry; its tabs lead to the others
			nav := rb.links()
			may := role != camera.RoleFundraiser
			for _, p := range []string{"/gaps", "/coverage", "/suggest", "/layers"} {
				if slices.Contains(nav, p) != may {
					t.Errorf("%s: navigation %v lists %s: %v", role, nav, p, !may)
				}
				rb.goTo(d.url + p)
				forbidden := evalJS[bool](rb, `document.body.classList.contains('page-error')`)
				if forbidden == may {
					t.Errorf("%s opening %s: refused %v", role, p, forbidden)
				}
			}
			// The routes behind them, with the session of the page.
			for _, r := range []string{"coverage/gaps?limit=1", "coverage/suggest?n=1", "intersections?limit=1"} {
				status := evalJS[int](rb, fmt.Sprintf(`fetch('/api/v1/%s').then(r => r.status)`, r))
				if want := map[bool]int{true: 200, false: 403}[may]; status != want {
					t.Errorf("%s GET /api/v1/%s: %d, want %d", role, r, status, want)
				}
			}
			// And the planner the pages of the police.
			if role == camera.RolePlanner {
				for _, p := range []string{"/health", "/seeing"} {
					rb.goTo(d.url + p)
					if !evalJS[bool](rb, `document.body.classList.contains('page-error')`) {
						t.Errorf("a planner opens %s", p)
					}
				}
			}
			status := evalJS[int](rb, `fetch('/api/v1/intersections/import?dry_run=true', {method: 'POST', headers: {'X-CSRF-Token': JSON.parse(document.getElementById('boot').textContent).csrf}, body: '{"type":"FeatureCollection","features":[]}'}).then(r => r.status)`)
			if want := map[bool]int{true: 400, false: 403}[may]; status != want {
				t.Errorf("%s checking a layer: %d, want %d", role, status, want)
			}
		}
	})

	t.Run("on a phone", func(t *testing.T) {
		pb := newBrowser(t, 390, 844)
		pb.signIn(d.url, planner.Name, planner.Password)
		for _, p := range []string{"/gaps", "/coverage", "/suggest?n=3", "/layers"} {
			pb.open(d.url, p)
			pb.shot("phone-" + p)
			pb.noHorizontalScroll(p)
		}
	})

	t.Run("a planner uploads a roads file and sees the new gaps", func(t *testing.T) {
		b := b.on(t)
		dir := t.TempDir()
		bad, good := filepath.Join(dir, "duong-loi.geojson"), filepath.Join(dir, "duong-moi.geojson")
		writeRoads(t, bad, true)
		writeRoads(t, good, false)
		b.open(d.url, "/layers")
		// A file with a bad feature: named, and the import held back.
		b.run(
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{bad}),
			chromedp.Click(chromedp.CSS("#check")),
			chromedp.WaitVisible(chromedp.CSS("#preview[data-checked]")),
		)
		b.shot("layers-bad")
		rows := evalJS[[]string](b, `[...document.querySelectorAll('#errors tbody tr')].map(r => r.dataset.feature + ' ' + r.querySelector('code').textContent)`)
		if !slices.Equal(rows, []string{"2 features[2].properties.road_class"}) || !evalJS[bool](b, `document.querySelector('#confirm').disabled`) {
			t.Errorf("errors %v; confirm must be disabled (see %s)", rows, b.shot("layers-bad-rows"))
		}
		// The good file: two junctions, none covered, replacing the 296.
		b.run(
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#preview').removeAttribute('data-checked')`),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{good}),
			chromedp.Click(chromedp.CSS("#check")),
			chromedp.WaitVisible(chromedp.CSS("#preview[data-checked]")),
		)
		b.shot("layers-good")
		summary := b.text("#summary")
		for _, want := range []string{"Lớp mới: 2 nút giao", "2 còn trống", "bỏ 296", "sẵn sàng để nhập"} {
			if !strings.Contains(summary, want) {
				t.Errorf("the preview says %q, want %q in it", summary, want)
			}
		}
		if n := evalJS[int](b, `window.matthanLayers.drawn.getLayers().length`); n != 3+2 {
			t.Errorf("the preview draws %d layers, want the 3 roads and 2 junctions", n)
		}
		b.run(chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#done[data-done]")))
		b.shot("layers-done")
		b.open(d.url, "/gaps")
		b.run(chromedp.WaitVisible(chromedp.CSS("#gaps[data-loaded]")))
		b.shot("gaps-new")
		names := evalJS[[]string](b, `[...document.querySelectorAll('#gaps li .title')].map(e => e.textContent)`)
		want := []string{"Ngã tư Đường tỉnh mới – Đường xã 1", "Ngã tư Đường tỉnh mới – Đường xã 2"}
		slices.Sort(names)
		if !slices.Equal(names, want) {
			t.Errorf("the gaps after the upload: %v, want %v", names, want)
		}
	})
}

// gapIDs returns the ids of the first page of gaps (50) of the demo, with
// query.
func (d *consoleDemo) gapIDs(t *testing.T, query string) []string {
	t.Helper()
	var fc struct {
		Features []struct {
			Properties struct {
				ID string `json:"id"`
			} `json:"properties"`
		} `json:"features"`
	}
	q, _ := url.ParseQuery(query)
	q.Set("limit", "50")
	q.Set("mode", "installed")
	unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/coverage/gaps?"+q.Encode(), d.token, "", nil), &fc)
	var ids []string
	for _, f := range fc.Features {
		ids = append(ids, f.Properties.ID)
	}
	return ids
}

// writeRoads writes a road layer to path: three roads crossing in the
// rice fields of Song Bình, 400 m and more from any camera of the demo,
// and with bad, a fourth of a road class that does not exist.
func writeRoads(t *testing.T, path string, bad bool) {
	t.Helper()
	line := func(name, class string, a, b [2]float64) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{"name":%q,"road_class":%q},"geometry":{"type":"LineString","coordinates":[[%v,%v],[%v,%v]]}}`, name, class, a[0], a[1], b[0], b[1])
	}
	fs := []string{
		line("Đường tỉnh mới", "provincial", [2]float64{106.405, 10.31}, [2]float64{106.435, 10.31}),
		line("Đường xã 1", "commune", [2]float64{106.41, 10.305}, [2]float64{106.41, 10.315}),
	}
	if bad {
		fs = append(fs, line("Đường lỗi", "cao tốc", [2]float64{106.42, 10.305}, [2]float64{106.42, 10.315}))
	}
	fs = append(fs, line("Đường xã 2", "commune", [2]float64{106.43, 10.305}, [2]float64{106.43, 10.315}))
	if err := os.WriteFile(path, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
}

// pauseUntil polls ok until it holds or browserDeadline passes, and
// reports whether it held.
func pauseUntil(t *testing.T, ok func() bool) bool {
	t.Helper()
	const pollStep = 100 * time.Millisecond
	for range int(browserDeadline / pollStep) {
		if ok() {
			return true
		}
		pause(t, pollStep)
	}
	return ok()
}
