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

const demoSynopsis = "matthan demo [--listen ADDR] [--data DIR] [--log-level LEVEL]"

// defaultDemoDir is where the demo keeps its database, apart from serve's
// ./data/matthan.db so that trying the demo never touches real data.
const defaultDemoDir = "./data/demo"

// demoMarker marks a directory as the demo's own, and so as safe to wipe.
const demoMarker = ".matthan-demo"

// demoLoad is one sample data set the demo sends through the API, the way
// an operator would. Later parts (intersections, communes, donations,
// simulated cameras) add theirs to demoLoads.
type demoLoad struct {
	what        string
	path        string
	contentType string
	data        func() []byte
}

var demoLoads = []demoLoad{
	{"cameras", "/api/v1/cameras/import", "text/csv; charset=utf-8", sample.Cameras},
}

// demo runs the daemon on a fresh copy of the sample district: wiped at
// every start so that each first look starts from the same state.
func (c *cli) demo(ctx context.Context, args []string) error {
	fs := c.newFlagSet("demo", demoSynopsis)
	fs.String("listen", defaultListen, "`ADDR` to listen on, HOST:PORT; port 0 picks a free one")
	dir := fs.String("data", defaultDemoDir, "`DIR` for the demo's database; wiped at start")
	fs.String("log-level", "info", "log `LEVEL`: debug, info, warn or error")
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
	cfg, err := loadConfig(configSource{Getenv: c.getenv, Flags: flags})
	if err != nil {
		return err
	}
	if err := prepareDemoDir(*dir, db); err != nil {
		return err
	}
	log := newLogger(c.stderr, cfg.LogLevel)
	d, err := openDaemon(cfg, log)
	if err != nil {
		return err
	}
	secret, err := d.store.CreateToken(ctx, "demo-admin", camera.RoleAdmin, camera.SystemActor)
	if err != nil {
		_ = d.close()
		return err
	}
	var loaded []string
	for _, l := range demoLoads {
		n, err := l.load(d.api.Handler(), secret)
		if err != nil {
			_ = d.close()
			return fmt.Errorf("load the sample %s: %w", l.what, err)
		}
		loaded = append(loaded, fmt.Sprintf("%d %s", n, l.what))
		log.Info("sample loaded", slog.String("what", l.what), slog.Int("count", n))
	}
	return d.run(ctx, c.stdout, func(w io.Writer, url string) {
		printDemoBlock(w, url, secret, *dir, loaded)
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
// is never logged.
func printDemoBlock(w io.Writer, url, token, dir string, loaded []string) {
	auth := `-H "Authorization: Bearer $MATTHAN_TOKEN"`
	fmt.Fprintf(w, `
Mắt Thần demo: the sample district of %s (%s)

  URL          %s
  admin token  %s
  data         %s (wiped at every demo start)

Try:
  export MATTHAN_TOKEN=%s
  curl %s '%s/api/v1/cameras?limit=3'
  curl %s '%s/api/v1/cameras?q=cho%%20gao'
  curl %s -o cameras.csv '%s/api/v1/cameras/export?format=csv'
  curl -s '%s/metrics' | grep '^matthan_'

Press Ctrl-C to stop.
`, sample.District, strings.Join(loaded, ", "), url, token, dir, token, auth, url, auth, url, auth, url, url)
}
