package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
)

const demoSynopsis = "matthan demo [--listen ADDR] [--data DIR] [--log-level LEVEL] [--poll-interval D] [--timezone ZONE]"

// defaultDemoDir is where the demo keeps its database, apart from serve's
// ./data/matthan.db so that trying the demo never touches real data.
const defaultDemoDir = "./data/demo"

// demoMarker marks a directory as the demo's own, and so as safe to wipe.
const demoMarker = ".matthan-demo"

// demoLoad is one sample data set the demo sends through the API, the way
// an operator would. Later parts (intersections, communes, donations) add
// theirs to demoLoads. The cameras' rtsp_url are rewritten to point at
// their simulated cameras (simulate.go) before they are sent.
type demoLoad struct {
	what        string
	path        string
	contentType string
	data        func() []byte
}

var demoLoads = []demoLoad{
	{"commune boundaries", "/api/v1/communes/import", "application/geo+json", sample.Communes},
	{"cameras", "/api/v1/cameras/import", "text/csv; charset=utf-8", sample.Cameras},
	// The roads, for the map (its base map with no internet); then the
	// surveyed junctions replace the ones found on them, and the roads
	// stay.
	{"roads", "/api/v1/intersections/import", "application/geo+json", sample.Roads},
	{"intersections", "/api/v1/intersections/import", "application/geo+json", sample.Intersections},
	{"incidents", "/api/v1/incidents/import", "application/json", sample.Incidents},
	{"donations", "/api/v1/donations/import", "text/csv; charset=utf-8", sample.Donations},
}

// demo runs the daemon on a fresh copy of the sample district, wiped at
// every start so that each first look starts from the same state, with a
// simulated RTSP camera for every sample camera, some of them faulty, and
// a poll interval short enough that every health state shows within a
// minute.
func (c *cli) demo(ctx context.Context, args []string) error {
	fs := c.newFlagSet("demo", demoSynopsis)
	fs.String("listen", defaultListen, "`ADDR` to listen on, HOST:PORT; port 0 picks a free one")
	dir := fs.String("data", defaultDemoDir, "`DIR` for the demo's database; wiped at start")
	// The poller logs every camera's first state at info: 350 lines that
	// would bury the demo's instructions.
	fs.String("log-level", "warn", "log `LEVEL`: debug, info, warn or error")
	fs.String("poll-interval", demoPollInterval.String(), "probe each simulated camera every `D`")
	fs.String("timezone", defaultTimezone, "time `ZONE` of the users, an IANA name")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	// The demo takes the environment like serve (MATTHAN_LISTEN, ...), but
	// its database is always the one in its own directory.
	db := filepath.Join(*dir, "matthan.db")
	flags := setFlags(fs)
	delete(flags, "data")
	flags["db"] = db
	ids, err := sampleIDs(sample.Cameras())
	if err != nil {
		return err
	}
	plan := planSimulation(ids)
	base := func(c *config) {
		c.LogLevel = "warn"
		plan.pollerDefaults(c)
		// The sample's incidents are years old: a retention would purge
		// them at once.
		c.Incidents.Retention = 0
	}
	cfg, err := loadConfig(configSource{Base: base, Getenv: c.getenv, Flags: flags})
	if err != nil {
		return err
	}
	if err := prepareDemoDir(*dir, db); err != nil {
		return err
	}
	log := newLogger(c.stderr, cfg.LogLevel, cfg.location())
	started := time.Now()
	sim, err := startSimulation(plan, log)
	if err != nil {
		return err
	}
	defer sim.Close()
	log.Info("simulated cameras started", slog.Int("count", len(plan.roles)), slog.Duration("took", time.Since(started)))
	d, err := openDaemon(cfg, log)
	if err != nil {
		return err
	}
	_, secret, err := d.store.CreateToken(ctx, registry.TokenSpec{Name: "demo-admin", Role: camera.RoleAdmin}, camera.SystemActor)
	if err != nil {
		_ = d.close()
		return err
	}
	accounts, err := createDemoUsers(ctx, d.store)
	if err != nil {
		_ = d.close()
		return err
	}
	cameraCSV, err := sim.rewriteCameras(sample.Cameras())
	if err != nil {
		_ = d.close()
		return err
	}
	var loaded []string
	for _, l := range demoLoads {
		if l.what == "cameras" {
			l.data = func() []byte { return cameraCSV }
		}
		n, err := l.load(d.api.Handler(), secret)
		if err != nil {
			_ = d.close()
			return fmt.Errorf("load the sample %s: %w", l.what, err)
		}
		loaded = append(loaded, fmt.Sprintf("%d %s", n, l.what))
		log.Info("sample loaded", slog.String("what", l.what), slog.Int("count", n))
	}
	statement, named, err := publishDemoStatement(d.api.Handler(), secret)
	if err != nil {
		_ = d.close()
		return fmt.Errorf("publish the demo's public statement: %w", err)
	}
	// Before the poller starts (d.run), so that its first findings come
	// after the history.
	if _, err := seedDemoHistory(ctx, d.store, ids, plan, time.Now()); err != nil {
		_ = d.close()
		return fmt.Errorf("seed the demo's health history: %w", err)
	}
	loaded = append(loaded, "a month of health history")
	caps, err := pickDemoCaptures(sample.Incidents(), plan, demoCaptures)
	if err != nil {
		_ = d.close()
		return err
	}
	d.goBackground(func(ctx context.Context) { captureDemoClips(ctx, d.store, d.api.Handler(), secret, caps, log) })
	// The simulation stops (deferred) after the daemon, whose poller
	// would otherwise record the whole fleet going down.
	return d.run(ctx, c.stdout, func(w io.Writer, url string) {
		printDemoConsole(w, url, accounts)
		printDemoStatement(w, url, statement, named)
		loc := cfg.location()
		printDemoBlock(w, url, secret, *dir, loaded, time.Now().In(loc))
		printDemoIncidents(w, url, caps, loc)
		printSimulation(w, url, cfg, plan)
	})
}

// prepareDemoDir empties dir for a fresh demo. It wipes only a directory
// the demo made (one holding demoMarker) or an empty one: "--data ~" must
// not delete a home directory. A demo still running on dir is detected by
// its database lock, before anything is removed.
func prepareDemoDir(dir, db string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("refusing to wipe %s: it is not a demo directory (no %s file in it); choose another --data", dir, demoMarker)
		}
		if _, err := os.Stat(db); err == nil {
			s, err := registry.Open(db, registry.Options{Timeout: 200 * time.Millisecond})
			if err != nil {
				return fmt.Errorf("%s: %w", dir, err)
			}
			_ = s.Close()
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by matthan demo: wiped at every demo start\n"), 0o600)
}

// load sends the data set through the API in-process, with the demo's
// admin token: the sample goes through exactly the validation and
// normalisation of a real import. It returns how many records were stored.
func (l demoLoad) load(h http.Handler, token string) (int, error) {
	req := httptest.NewRequest(http.MethodPost, l.path, bytes.NewReader(l.data()))
	req.Header.Set("Content-Type", l.contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	if resp.StatusCode/100 != 2 {
		return 0, readProblem(resp)
	}
	body, _ := io.ReadAll(resp.Body)
	// Layer imports answer their count under their own name; an import
	// of roads answers its junctions and its roads, the count here.
	var layer struct{ Communes, Intersections, Roads *int }
	if err := json.Unmarshal(body, &layer); err == nil {
		if l.what == "roads" && layer.Roads != nil {
			return *layer.Roads, nil
		}
		if layer.Communes != nil {
			return *layer.Communes, nil
		}
		if layer.Intersections != nil {
			return *layer.Intersections, nil
		}
	}
	var res importResult
	if err := json.Unmarshal(body, &res); err != nil {
		return 0, fmt.Errorf("read the answer: %w", err)
	}
	if res.Rejected > 0 || len(res.Rejections) > 0 {
		var b strings.Builder
		for i, r := range res.Rejections {
			if i == 3 {
				break
			}
			fmt.Fprintf(&b, "; %s", r)
		}
		return 0, fmt.Errorf("%d rejected%s", max(res.Rejected, len(res.Rejections)), b.String())
	}
	return res.Created + res.Updated + res.Unchanged, nil
}

// printDemoBlock tells a first-time user where to look and what to try.
// The token is printed here on purpose (it is a throwaway demo token); it
// is never logged. started is the start in the users' zone (the timezone
// setting), which the report and the logs use too.
func printDemoBlock(w io.Writer, url, token, dir string, loaded []string, started time.Time) {
	auth := `-H "Authorization: Bearer $MATTHAN_TOKEN"`
	fmt.Fprintf(w, `
Mắt Thần demo: the sample district of %s (%s)

  URL          %s
  admin token  %s
  data         %s (wiped at every demo start)
  time zone    %s, now %s (setting timezone)

Try:
  export MATTHAN_TOKEN=%s
  curl %s '%s/api/v1/cameras?limit=3'
  curl %s '%s/api/v1/cameras?q=cho%%20gao'
  curl %s -o cameras.csv '%s/api/v1/cameras/export?format=csv'
  curl -s '%s/metrics' | grep '^matthan_'

Map questions:
  curl %s '%s/api/v1/cameras/near?lat=10.3541&lon=106.4612&radius_m=500'
  curl %s '%s/api/v1/cameras/seeing?lat=10.3541&lon=106.4612'
  curl %s '%s/api/v1/coverage?mode=live'
  curl %s '%s/api/v1/coverage/gaps?road_class=national&limit=5'
  curl %s -o fov.geojson '%s/api/v1/fov.geojson'   # fields of view for QGIS; cameras.geojson: the points
  vector tiles for MapLibre or QGIS: %s/tiles/{z}/{x}/{y}.mvt (same bearer token)

Money and the district report:
  curl %s '%s/api/v1/funding?group_by=commune'
  curl %s -o funding.csv '%s/api/v1/funding?group_by=donor&format=csv'
  bin/matthan report --server %s --token $MATTHAN_TOKEN
`, sample.District, strings.Join(loaded, ", "), url, token, dir, started.Location(), started.Format(localTimeLayout),
		token, auth, url, auth, url, auth, url, url,
		auth, url, auth, url, auth, url, auth, url, auth, url, url,
		auth, url, auth, url, url)
}

// printSimulation tells which simulated cameras play which fault, and how
// to watch the poller find them. It ends the demo's block.
func printSimulation(w io.Writer, url string, cfg *config, plan simPlan) {
	auth := `-H "Authorization: Bearer $MATTHAN_TOKEN"`
	fmt.Fprintf(w, "\nSimulated cameras: one fake RTSP camera on 127.0.0.1 per sample camera (%d).\n", len(plan.roles))
	switch {
	case !cfg.Poller.Enabled:
		fmt.Fprint(w, "The poller is disabled (poller.enabled: false): nothing probes them.\n\n")
	case time.Duration(cfg.Poller.Interval) <= demoPollInterval:
		fmt.Fprintf(w, "The poller probes each every %v (confirm %d, retry %v): within a minute\nevery state shows.\n\n",
			cfg.Poller.Interval, cfg.Poller.Confirm, cfg.Poller.Retry)
	default:
		fmt.Fprintf(w, "The poller probes each every %v (confirm %d, retry %v).\n\n",
			cfg.Poller.Interval, cfg.Poller.Confirm, cfg.Poller.Retry)
	}
	type row struct{ ids, what string }
	var rows []row
	faulty := 0
	for _, f := range demoFaults {
		ids := plan.ids(f.kind)
		if len(ids) == 0 {
			continue
		}
		faulty += len(ids)
		rows = append(rows, row{strings.Join(ids, ", "), f.what})
	}
	rows = append(rows, row{fmt.Sprintf("the other %d", len(plan.roles)-faulty), "up"})
	width := 0
	for _, r := range rows {
		width = max(width, len(r.ids))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s  %s\n", width, r.ids, r.what)
	}
	example := "CG-0001"
	if ids := plan.ids(faultFlaps); len(ids) > 0 {
		example = ids[0]
	}
	fmt.Fprintf(w, `
Watch:
  curl %s '%s/api/v1/health/summary'
  curl %s '%s/api/v1/health?state=down'
  curl %s '%s/api/v1/cameras/%s/health'
  curl -s '%s/metrics' | grep -E '^matthan_(cameras|probes_total)'
  (--log-level info logs every change of state)

Press Ctrl-C to stop.
`, auth, url, auth, url, auth, url, example, url)
}
