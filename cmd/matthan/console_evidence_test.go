package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/camera/rtsp/rtsptest"
	"github.com/matthan/matthan/evidence"
	"github.com/matthan/matthan/registry/registrytest"
)

// pictureSource is a camera stream for evidence's recorder: the frames of
// a fake camera's picture (rtsptest.Picture), which browsers decode, as
// fast as the recorder takes them.
type pictureSource struct {
	pic      *rtsptest.Picture
	w, h     int
	interval time.Duration
}

func (s pictureSource) Capture(ctx context.Context, _ string, fn func(camera.VideoTrack, camera.AccessUnit) (bool, error)) error {
	track := camera.VideoTrack{Codec: "h264", SPS: s.pic.SPS, PPS: s.pic.PPS, Width: s.w, Height: s.h}
	for n := 0; ctx.Err() == nil; n++ {
		t := time.Duration(n) * s.interval
		more, err := fn(track, camera.AccessUnit{PTS: t, DTS: t, KeyFrame: s.pic.KeyFrame(n), NALUs: [][]byte{s.pic.SPS, s.pic.PPS, s.pic.Frame(n)}})
		if err != nil || !more {
			return err
		}
	}
	return ctx.Err()
}

// playableMP4 returns an MP4 of seconds of a fake camera's picture, made
// by the daemon's own recorder (evidence) in a store of its own: a clip a
// browser plays, written without ffmpeg.
func playableMP4(t *testing.T, width, height int, seconds time.Duration) []byte {
	t.Helper()
	ctx := context.Background()
	pic, err := rtsptest.NewPicture(width, height)
	if err != nil {
		t.Fatal(err)
	}
	store := registrytest.Open(t)
	files, err := evidence.NewClipStore(filepath.Join(t.TempDir(), "clips"))
	if err != nil {
		t.Fatal(err)
	}
	cam := &camera.Camera{ID: "CAM-1", Name: "Camera", Lat: 10.35, Lon: 106.46, RTSPURL: "rtsp://127.0.0.1:1/live"}
	cam.ApplyDefaults()
	if err := store.CreateCamera(ctx, cam, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC()
	in := &camera.Incident{CameraIDs: []string{cam.ID}, Start: start, End: start.Add(time.Minute), Category: camera.CategoryOther}
	in.ApplyDefaults()
	if err := store.CreateIncident(ctx, in, camera.SystemActor); err != nil {
		t.Fatal(err)
	}
	clips := &evidence.Clips{Store: store, Files: files, Source: pictureSource{pic, width, height, 40 * time.Millisecond}}
	clip, err := clips.Capture(ctx, in.ID, cam, seconds, camera.SystemActor)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(files.Path(clip.ID))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mapPoint returns where a place on the page's map (window.matthanMap)
// is on the screen, after bringing the map into view and centring it on
// the place at zoom.
func (b *browser) mapPoint(lat, lon float64, zoom int) []float64 {
	b.t.Helper()
	return evalJS[[]float64](b, fmt.Sprintf(`(() => {
		const {map, layer} = window.matthanMap;
		map.getContainer().scrollIntoView({block: 'center'});
		map.setView([%f, %f], %d, {animate: false});
		return new Promise((res) => {
			const done = () => {
				const p = map.latLngToContainerPoint([%f, %f]);
				const r = map.getContainer().getBoundingClientRect();
				res([p.x + r.left, p.y + r.top]);
			};
			if (layer.isLoading()) layer.once('load', done); else done();
		});
	})()`, lat, lon, zoom, lat, lon))
}

// TestConsoleEvidence: on a phone, in Vietnamese, police list the
// incidents, mark a new one by tapping cameras on the map and picking a
// time window, upload a clip and see its progress reach 100 %, play it
// only after typing a reason — the video decodes — and find the reason
// in its chain of custody, on the page and in the API; they check the
// clip, put the incident on legal hold and record from a camera that is
// up. Planners and fundraisers are refused every incident page, which
// their navigation does not offer, and read the counts.
func TestConsoleEvidence(t *testing.T) {
	d := startConsoleDemo(t)
	faults := d.waitForFaults(t)
	police := d.accounts[camera.RolePolice]
	// The camera down is one the demo keeps down (a camera up may miss a
	// probe on a loaded machine and be down for a while).
	up, down := firstWithState(d.healthNow(t), "up"), firstWithState(faults, "down")
	b := newBrowser(t, 390, 844)
	b.signIn(d.url, police.Name, police.Password)

	t.Run("the list, newest first, a page at a time, filtered", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/incidents")
		b.shot("incidents")
		b.noHorizontalScroll("incidents")
		if got := b.text("h1"); got != "Vụ việc" {
			t.Errorf("heading %q", got)
		}
		nav := b.links()
		if !slices.Contains(nav, "/incidents") || !slices.Contains(nav, "/incidents/counts") {
			t.Errorf("police navigation %v lacks the incidents or the counts", nav)
		}
		var api struct {
			Items []camera.Incident `json:"items"`
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/incidents?limit=20", d.token, "", nil), &api)
		var want []string
		for _, in := range api.Items {
			want = append(want, in.ID)
		}
		got := evalJS[[]string](b, `[...document.querySelectorAll('#list .inc-card')].map(li => li.dataset.id)`)
		if !slices.Equal(got, want) {
			t.Errorf("first page %v, API %v", got, want)
		}
		b.run(chromedp.Click(chromedp.CSS("#more")))
		b.waitJS(`document.querySelectorAll('#list .inc-card').length > 20`)
		// A filter lives in the address; a commune is matched as the
		// API matches it.
		b.open(d.url, "/incidents?category=theft&commune="+url.QueryEscape("Chợ Gạo"))
		got = evalJS[[]string](b, `[...document.querySelectorAll('#list .inc-card')].map(li => li.dataset.id + ' ' + li.dataset.category)`)
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/incidents?category=theft&limit=20&commune="+url.QueryEscape("Chợ Gạo"), d.token, "", nil), &api)
		want = nil
		for _, in := range api.Items {
			want = append(want, in.ID+" theft")
		}
		if !slices.Equal(got, want) {
			t.Errorf("filtered list %v, API %v", got, want)
		}
	})

	var incidentID string
	zone, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().In(zone).Add(-2 * time.Hour).Truncate(time.Minute)
	t.Run("a new incident: cameras tapped on the map, a time window", func(t *testing.T) {
		b := b.on(t)
		b.open(d.url, "/incidents/new")
		b.noHorizontalScroll("new incident")
		var cam struct{ Lat, Lon float64 }
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/cameras/"+up, d.token, "", nil), &cam)
		pt := b.mapPoint(cam.Lat, cam.Lon, 18)
		b.run(chromedp.MouseClickXY(pt[0], pt[1]))
		b.waitJS(fmt.Sprintf(`!!document.querySelector('#picked li[data-id=%q]')`, up))
		// The second camera by its id, in the search box.
		b.run(chromedp.SendKeys(chromedp.CSS("#search"), down))
		b.waitJS(`!!document.querySelector('#search-results:not([hidden]) button:not([disabled])')`)
		b.run(chromedp.Click(chromedp.CSS("#search-results button:not([disabled])")))
		b.waitJS(fmt.Sprintf(`!!document.querySelector('#picked li[data-id=%q]')`, down))
		// An end before the start: the API's refusal shows beside the end.
		b.run(
			chromedp.SetValue(chromedp.CSS("#start"), start.Format("2006-01-02T15:04")),
			chromedp.SetValue(chromedp.CSS("#end"), start.Add(-time.Minute).Format("2006-01-02T15:04")),
			chromedp.Click(chromedp.CSS("#incident-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#end-error")),
		)
		b.shot("new-incident-error")
		if got := b.text("#end-error"); !strings.Contains(got, "Chưa hợp lệ") || !strings.Contains(got, "after start") {
			t.Errorf("error beside the end: %q", got)
		}
		b.run(
			chromedp.SetValue(chromedp.CSS("#end"), start.Add(25*time.Minute).Format("2006-01-02T15:04")),
			chromedp.SetValue(chromedp.CSS("#d-category"), "robbery"),
			chromedp.SetValue(chromedp.CSS("#d-handling"), "criminal"),
			chromedp.SendKeys(chromedp.CSS("#d-case_ref"), "CA-CG/2026/777"),
			chromedp.SetValue(chromedp.CSS("#d-subjects"), "2"),
			chromedp.SetValue(chromedp.CSS("#d-note"), "Cướp giật túi xách tại ngã tư, hai đối tượng đi xe máy."),
		)
		b.shot("new-incident")
		b.run(chromedp.Click(chromedp.CSS("#incident-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("body.page-incident[data-ready]")))
		loc := b.location()
		incidentID = strings.TrimPrefix(loc, "/incidents/")
		if !strings.HasPrefix(incidentID, "INC-") {
			t.Fatalf("after saving, the page is %s", loc)
		}
		var in camera.Incident
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/incidents/"+incidentID, d.token, "", nil), &in)
		if !slices.Equal(in.CameraIDs, []string{up, down}) || !in.Start.Equal(start) || !in.End.Equal(start.Add(25*time.Minute)) ||
			in.Category != camera.CategoryRobbery || in.Handling != camera.HandlingCriminal || in.CaseRef != "CA-CG/2026/777" ||
			in.Subjects != 2 || in.CreatedBy.Name != police.Name {
			t.Errorf("stored incident %+v", in)
		}
		b.shot("incident")
		b.noHorizontalScroll("incident")
	})
	if incidentID == "" {
		t.FailNow()
	}

	mp4 := playableMP4(t, 640, 360, 3*time.Second)
	sum := sha256.Sum256(mp4)
	clipID := hex.EncodeToString(sum[:])
	t.Run("upload a clip: the progress reaches 100 % and the clip is listed", func(t *testing.T) {
		b := b.on(t)
		file := filepath.Join(t.TempDir(), "nga-tu-cho-gao.mp4")
		if err := os.WriteFile(file, mp4, 0o600); err != nil {
			t.Fatal(err)
		}
		// Every value the bar takes, in order.
		evalJS[bool](b, `(() => { window.progressSeen = []; new MutationObserver(() => window.progressSeen.push(document.querySelector('#upload-bar').value)).observe(document.querySelector('#upload-bar'), {attributes: true}); return true; })()`)
		b.run(
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
			chromedp.Click(chromedp.CSS("#upload-submit")),
			chromedp.WaitVisible(chromedp.CSS("#upload-done")),
		)
		b.waitJS(fmt.Sprintf(`!!document.querySelector('.clip-card[data-id=%q]')`, clipID))
		b.shot("uploaded")
		seen := evalJS[[]int](b, `window.progressSeen`)
		if len(seen) == 0 || seen[len(seen)-1] != 100 || !slices.IsSorted(seen) {
			t.Errorf("progress bar values %v, want rising to 100", seen)
		}
		if got := b.text("#upload-pct"); got != "100%" {
			t.Errorf("progress text %q", got)
		}
		if got := b.text("#upload-sha"); got != clipID {
			t.Errorf("the page shows sha256 %s, the file's is %s", got, clipID)
		}
		card := fmt.Sprintf(".clip-card[data-id=%q] ", clipID)
		for sel, want := range map[string]string{"h3": "nga-tu-cho-gao.mp4", ".format": "H.264 · 640×360", ".length": "0:03", ".sha": clipID} {
			if got := b.text(card + sel); got != want {
				t.Errorf("clip %s: %q, want %q", sel, got, want)
			}
		}
		b.noHorizontalScroll("incident with a clip")
	})

	const reason = "Đối chiếu biển số xe máy, hồ sơ CA-CG/2026/777"
	t.Run("play it only after a reason, and find the reason in its custody", func(t *testing.T) {
		b := b.on(t)
		card := fmt.Sprintf(".clip-card[data-id=%q] ", clipID)
		custody := func() []camera.CustodyEntry {
			var pg struct{ Items []camera.CustodyEntry }
			unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/clips/"+clipID+"/custody", d.token, "", nil), &pg)
			return pg.Items
		}
		before := len(custody())
		b.run(chromedp.Click(chromedp.CSS(card+"[data-action=open]")), chromedp.WaitVisible(chromedp.CSS(card+".reason-form")))
		// No reason, nothing plays and nothing is logged.
		b.run(chromedp.Click(chromedp.CSS(card+"[data-action=play]")), chromedp.WaitVisible(chromedp.CSS(card+".reason-form .field-error")))
		if got := b.text(card + ".reason-form .field-error"); got != "Hãy nhập lý do xem." {
			t.Errorf("error without a reason: %q", got)
		}
		if n := evalJS[int](b, `document.querySelectorAll('video').length`); n != 0 || len(custody()) != before {
			t.Errorf("without a reason: %d video elements, %d new custody entries", n, len(custody())-before)
		}
		b.run(
			chromedp.SendKeys(chromedp.CSS(card+".reason-form input[name=reason]"), reason),
			chromedp.Click(chromedp.CSS(card+"[data-action=play]")),
			chromedp.WaitVisible(chromedp.CSS(card+"video")),
		)
		// It plays: the browser has the picture and moves through it.
		b.waitJS(card2js(card) + `.readyState >= 2 && ` + card2js(card) + `.duration > 2.5 && ` + card2js(card) + `.currentTime > 0.3`)
		b.shot("playing")
		v := evalJS[map[string]float64](b, `(() => { const v = `+card2js(card)+`; const c = document.createElement('canvas'); c.width = v.videoWidth; c.height = v.videoHeight;
			const g = c.getContext('2d'); g.drawImage(v, 0, 0); const px = []; for (let x = 8; x < c.width; x += 16) px.push(g.getImageData(x, 100, 1, 1).data[0]);
			return {w: v.videoWidth, h: v.videoHeight, duration: v.duration, bright: px.filter(p => p > 170 && p < 220).length, dark: px.filter(p => p > 45 && p < 85).length, all: px.length}; })()`)
		if v["w"] != 640 || v["h"] != 360 || v["bright"] == 0 || v["dark"] == 0 || v["bright"]+v["dark"] != v["all"] {
			t.Errorf("the video element shows %v: want 640×360, bright bars on a dark ground", v)
		}
		// One view, logged with the reason before any byte; the page
		// shows it in the chain.
		chain := custody()
		views := 0
		for _, e := range chain[before:] {
			if e.Action == camera.CustodyView {
				views++
				if e.Reason != reason || e.Actor.Name != police.Name || e.Actor.Role != camera.RolePolice {
					t.Errorf("view entry %+v", e)
				}
			}
		}
		if views != 1 {
			t.Errorf("%d view entries for one viewing: %+v", views, chain[before:])
		}
		b.waitJS(fmt.Sprintf(`[...document.querySelectorAll(%q)].some(li => li.querySelector('.why').textContent === %q)`, card+"li[data-action=view]", reason))
		if got := b.text(card + "li[data-action=view] .what"); got != "Xem trên trình duyệt" {
			t.Errorf("the view is named %q", got)
		}
		b.noHorizontalScroll("playing")
	})

	t.Run("a download from the page logs its reason too", func(t *testing.T) {
		b := b.on(t)
		card := fmt.Sprintf(".clip-card[data-id=%q] ", clipID)
		const why = "Gửi Viện kiểm sát huyện kèm hồ sơ"
		b.run(
			chromedp.Click(chromedp.CSS(card+"[data-action=open]")),
			chromedp.WaitVisible(chromedp.CSS(card+".reason-form")),
			chromedp.SetValue(chromedp.CSS(card+".reason-form input[name=reason]"), why),
			chromedp.Click(chromedp.CSS(card+"[data-action=download]")),
		)
		deadline := time.Now().Add(browserDeadline)
		for {
			var pg struct{ Items []camera.CustodyEntry }
			unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/clips/"+clipID+"/custody", d.token, "", nil), &pg)
			last := pg.Items[len(pg.Items)-1]
			if last.Action == camera.CustodyDownload && last.Reason == why && last.Actor.Name == police.Name {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no download with the reason in the chain: last %+v (see %s)", last, b.shot("download"))
			}
			pause(t, 100*time.Millisecond)
		}
		if loc := b.location(); loc != "/incidents/"+incidentID {
			t.Errorf("after a download the page is %s", loc)
		}
		// The page again: chromedp takes the download's start for a
		// navigation and waits for a page that never comes.
		b.open(d.url, "/incidents/"+incidentID)
	})

	t.Run("verify the clip and put the incident on legal hold", func(t *testing.T) {
		b := b.on(t)
		card := fmt.Sprintf(".clip-card[data-id=%q] ", clipID)
		var pg struct{ Items []camera.CustodyEntry }
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/clips/"+clipID+"/custody", d.token, "", nil), &pg)
		checks := 0
		for _, e := range pg.Items {
			if e.Action == camera.CustodyVerify {
				checks++
			}
		}
		b.run(chromedp.Click(chromedp.CSS(card+"[data-action=verify]")), chromedp.WaitVisible(chromedp.CSS(card+".verify-line.verify-match")))
		// The chain on the page has the checks before the viewing and the
		// download, and this one.
		b.waitJS(fmt.Sprintf(`document.querySelectorAll(%q).length === %d`, card+"li[data-action=verify]", checks+1))
		evalJS[bool](b, `(() => { window.confirm = () => true; return true; })()`)
		b.run(chromedp.Click(chromedp.CSS("#hold-toggle")), chromedp.WaitVisible(chromedp.CSS("#inc-sub .badge-hold")))
		var in camera.Incident
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/incidents/"+incidentID, d.token, "", nil), &in)
		if !in.Hold {
			t.Errorf("the incident is not on hold after the page put it there")
		}
		b.shot("held")
	})

	t.Run("record from the camera that is up; the one that is down says why not", func(t *testing.T) {
		b := b.on(t)
		upRow := fmt.Sprintf("#capture-list li[data-id=%q] ", up)
		downRow := fmt.Sprintf("#capture-list li[data-id=%q]", down)
		if n := evalJS[int](b, fmt.Sprintf(`document.querySelectorAll('%s [data-action=capture]').length`, downRow)); n != 0 {
			t.Errorf("camera %s, down, offers a recording", down)
		}
		if got := b.text(downRow); !strings.Contains(got, "Không ghi được") {
			t.Errorf("the down camera's row says %q", got)
		}
		clips := evalJS[int](b, `document.querySelectorAll('.clip-card').length`)
		b.run(chromedp.SetValue(chromedp.CSS(upRow+"select"), "5"), chromedp.Click(chromedp.CSS(upRow+"[data-action=capture]")))
		b.waitJS(fmt.Sprintf(`document.querySelectorAll('.clip-card').length > %d || !!document.querySelector('%s .capture-out.form-error')`, clips, upRow))
		if msg := evalJS[string](b, fmt.Sprintf(`(document.querySelector('%s .capture-out.form-error') || {}).textContent || ''`, upRow)); msg != "" {
			t.Fatalf("recording from %s: %s (see %s)", up, msg, b.shot("capture-failed"))
		}
		b.shot("captured")
		format := evalJS[string](b, `[...document.querySelectorAll('.clip-card')].pop().querySelector('.format').textContent`)
		if !strings.HasPrefix(format, "H.264 · ") {
			t.Errorf("the recorded clip's format: %q", format)
		}
	})

	t.Run("planners and fundraisers see the counts, never an incident", func(t *testing.T) {
		var counts struct {
			Incidents int `json:"incidents"`
		}
		unmarshal(t, mustCall(t, http.StatusOK, "GET", d.url+"/api/v1/incidents/counts", d.token, "", nil), &counts)
		// At a desk, this time.
		desk := newBrowser(t, 1280, 900)
		for _, role := range []camera.Role{camera.RolePlanner, camera.RoleFundraiser, camera.RolePolice} {
			b := desk.on(t)
			b.run(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
				return err
			}))
			acc := d.accounts[role]
			b.signIn(d.url, acc.Name, acc.Password)
			b.open(d.url, "/incidents/counts") // every role's page of the section
			nav := b.links()
			mayPolice := role == camera.RolePolice
			if slices.Contains(nav, "/incidents") != mayPolice || !slices.Contains(nav, "/incidents/counts") {
				t.Errorf("%s: navigation %v", role, nav)
			}
			for _, p := range []string{"/incidents", "/incidents/new", "/incidents/" + incidentID, "/incidents?category=theft"} {
				if mayPolice {
					b.open(d.url, p)
					b.noHorizontalScroll("desk " + p)
					b.shot("desk-" + p)
				} else {
					b.goTo(d.url + p)
				}
				refused := evalJS[bool](b, `document.body.classList.contains('page-error')`)
				if refused == mayPolice {
					t.Errorf("%s opening %s: refused %v", role, p, refused)
				}
			}
			b.open(d.url, "/incidents/counts")
			b.noHorizontalScroll("counts " + string(role))
			b.shot("counts-" + string(role))
			got := evalJS[string](b, `document.querySelector('#cards .stat .value').textContent`)
			if got != fmt.Sprint(counts.Incidents) {
				t.Errorf("%s: the counts page says %s incidents, the API %d", role, got, counts.Incidents)
			}
			months := evalJS[int](b, `[...document.querySelectorAll('#months .col')].reduce((a, c) => a + Number(c.dataset.n), 0)`)
			if months != counts.Incidents {
				t.Errorf("%s: the months add up to %d, want %d", role, months, counts.Incidents)
			}
			if html := evalJS[string](b, `document.querySelector('main').innerHTML`); strings.Contains(html, "INC-") || strings.Contains(html, "CA-CG/") {
				t.Errorf("%s: the counts page names an incident or a case", role)
			}
			// The API behind the pages agrees: a session of a planner or
			// a fundraiser reads no incident and plays no clip.
			client := sessionClient(t, d.url, acc.Name, acc.Password)
			for _, p := range []string{"/api/v1/incidents", "/api/v1/incidents/" + incidentID, "/api/v1/clips/" + clipID + "/custody"} {
				res, err := client.Get(d.url + p)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if want := map[bool]int{true: 200, false: 403}[mayPolice]; res.StatusCode != want {
					t.Errorf("%s GET %s: %d, want %d", role, p, res.StatusCode, want)
				}
			}
		}
	})
}

// card2js is the video element of a clip card, in JavaScript.
func card2js(card string) string {
	return fmt.Sprintf(`document.querySelector(%q)`, card+"video")
}
