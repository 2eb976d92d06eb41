package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/sample"
	"github.com/matthan/matthan/registry"
)

// marker marks a directory as the demo's own, and so as safe to wipe.
const marker = ".matthan-demo"

// dataSet is one sample data set the demo sends through the API, the way
// an operator would. The cameras' rtsp_url are rewritten to point at
// their simulated cameras (simulate.go) before they are sent.
type dataSet struct {
	what        string
	path        string
	contentType string
	data        func() []byte
}

// dataSets are loaded in this order. It is never written.
var dataSets = []dataSet{
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

// Store is what the demo writes and reads directly, beside the API: the
// node's registry on a single node, the replicated store in cluster mode.
type Store interface {
	CreateToken(ctx context.Context, spec registry.TokenSpec, actor camera.Actor) (registry.Token, string, error)
	CreateUser(ctx context.Context, u *camera.User, password string, actor camera.Actor) error
	RecordHealth(ctx context.Context, current []camera.Health, transitions []camera.Transition) error
	CurrentHealth(ctx context.Context, id string) (camera.Health, error)
}

var _ Store = (*registry.Store)(nil)

// Demo is the sample district loaded into a daemon, with what the banner
// tells about it.
type Demo struct {
	store Store
	api   client
	plan  Plan

	accounts  []Account
	loaded    []string // "350 cameras", ...
	statement string   // path of the published statement
	named     int      // donors named in it
	captures  []Capture
}

// Seed loads the sample district into a daemon whose database is new: an
// admin token, the console accounts, every data set through the API h
// (the cameras pointing at sim's), one commune's public statement, a
// month of health history; and it chooses the clips CaptureClips will
// record. Call it before the poller starts, so that the poller's first
// findings come after the history.
func Seed(ctx context.Context, store Store, h http.Handler, sim *Simulation, log *slog.Logger) (*Demo, error) {
	_, secret, err := store.CreateToken(ctx, registry.TokenSpec{Name: "demo-admin", Role: camera.RoleAdmin}, camera.SystemActor)
	if err != nil {
		return nil, err
	}
	d := &Demo{store: store, api: client{h, secret}, plan: sim.plan}
	if d.accounts, err = createUsers(ctx, store); err != nil {
		return nil, err
	}
	cameraCSV, err := sim.rewriteCameras(sample.Cameras())
	if err != nil {
		return nil, err
	}
	for _, l := range dataSets {
		if l.what == "cameras" {
			l.data = func() []byte { return cameraCSV }
		}
		n, err := l.load(ctx, d.api)
		if err != nil {
			return nil, fmt.Errorf("load the sample %s: %w", l.what, err)
		}
		d.loaded = append(d.loaded, fmt.Sprintf("%d %s", n, l.what))
		log.Info("sample loaded", slog.String("what", l.what), slog.Int("count", n))
	}
	n, err := loadTips(ctx, d.api)
	if err != nil {
		return nil, fmt.Errorf("load the sample tips: %w", err)
	}
	d.loaded = append(d.loaded, fmt.Sprintf("%d tips", n))
	log.Info("sample loaded", slog.String("what", "tips"), slog.Int("count", n))
	if d.statement, d.named, err = publishStatement(ctx, d.api); err != nil {
		return nil, fmt.Errorf("publish the demo's public statement: %w", err)
	}
	if _, err := seedHistory(ctx, store, d.plan, time.Now()); err != nil {
		return nil, fmt.Errorf("seed the demo's health history: %w", err)
	}
	d.loaded = append(d.loaded, "a month of health history")
	if d.captures, err = PickCaptures(sample.Incidents(), d.plan, ClipCount); err != nil {
		return nil, err
	}
	return d, nil
}

// PrepareDir empties dir for a fresh demo whose database is db. It wipes
// only a directory the demo made (one holding its marker file) or an
// empty one: "--data ~" must not delete a home directory. A demo still
// running on dir is detected by its database lock, before anything is
// removed.
func PrepareDir(dir, db string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
			return fmt.Errorf("refusing to wipe %s: it is not a demo directory (no %s file in it); choose another --data", dir, marker)
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
	return os.WriteFile(filepath.Join(dir, marker), []byte("made by matthan demo: wiped at every demo start\n"), 0o600)
}

// load sends the data set through the API in-process, with the demo's
// admin token: the sample goes through exactly the validation and
// normalisation of a real import. It returns how many records were stored.
func (l dataSet) load(ctx context.Context, api client) (int, error) {
	body, err := api.call(ctx, http.MethodPost, l.path, l.contentType, l.data())
	if err != nil {
		return 0, err
	}
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

// Banner is what the daemon tells the demo's banner.
type Banner struct {
	Dir        string    // the demo's data directory
	TipsKey    string    // the demo chief's age identity file (WriteTipsKey)
	Now        time.Time // the start, in the users' zone (the timezone setting)
	TimeLayout string    // how times are shown to the users
	Poller     PollerSettings
}

// PollerSettings are the poller's settings as configured.
type PollerSettings struct {
	Enabled         bool
	Interval, Retry time.Duration
	Confirm         int
}

// PrintBanner tells a first-time user, on w, where to look and what to
// try with the daemon at url: the console and its accounts, the public
// statement, the API, the incidents and the simulated cameras. The
// admin token is printed here on purpose (it is a throwaway demo token);
// it is never logged.
func (d *Demo) PrintBanner(w io.Writer, url string, b Banner) {
	printConsole(w, url, d.accounts)
	printStatement(w, url, d.statement, d.named)
	printBlock(w, url, d.api.token, b.Dir, d.loaded, b.Now, b.TimeLayout)
	printIncidents(w, url, d.captures, b.Now.Location())
	printTips(w, url, b.TipsKey)
	printSimulation(w, url, b.Poller, d.plan)
}

// printBlock tells where the daemon is and what to try.
func printBlock(w io.Writer, url, token, dir string, loaded []string, started time.Time, layout string) {
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
`, sample.District, strings.Join(loaded, ", "), url, token, dir, started.Location(), started.Format(layout),
		token, auth, url, auth, url, auth, url, url,
		auth, url, auth, url, auth, url, auth, url, auth, url, url,
		auth, url, auth, url, url)
}

// printSimulation tells which simulated cameras play which fault, and how
// to watch the poller find them. It ends the demo's block.
func printSimulation(w io.Writer, url string, poller PollerSettings, plan Plan) {
	auth := `-H "Authorization: Bearer $MATTHAN_TOKEN"`
	fmt.Fprintf(w, "\nSimulated cameras: one fake RTSP camera on 127.0.0.1 per sample camera (%d).\n", len(plan.roles))
	switch {
	case !poller.Enabled:
		fmt.Fprint(w, "The poller is disabled (poller.enabled: false): nothing probes them.\n\n")
	case poller.Interval <= PollInterval:
		fmt.Fprintf(w, "The poller probes each every %v (confirm %d, retry %v): within a minute\nevery state shows.\n\n",
			poller.Interval, poller.Confirm, poller.Retry)
	default:
		fmt.Fprintf(w, "The poller probes each every %v (confirm %d, retry %v).\n\n",
			poller.Interval, poller.Confirm, poller.Retry)
	}
	type row struct{ ids, what string }
	var rows []row
	faulty := 0
	for _, f := range faults {
		ids := plan.IDs(f.Kind)
		if len(ids) == 0 {
			continue
		}
		faulty += len(ids)
		rows = append(rows, row{strings.Join(ids, ", "), f.What})
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
	if ids := plan.IDs(FaultFlaps); len(ids) > 0 {
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
