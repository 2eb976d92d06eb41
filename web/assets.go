package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// dist holds what build.mjs wrote: hashed scripts, styles and images,
// and manifest.json. On a fresh clone it holds only .gitkeep.
//
//go:embed all:dist
var dist embed.FS

//go:embed templates/*.html
var templateFS embed.FS

//go:embed i18n/*/*.json
var catalogueFS embed.FS

// manifest is dist/manifest.json: for each page, its script and the
// stylesheets it pulls in.
type manifest struct {
	Pages map[string]pageAssets `json:"pages"`
}

// pageAssets are the files a page loads, relative to dist: its script,
// the chunks the script imports (preloaded) and its stylesheets.
type pageAssets struct {
	JS      string   `json:"js"`
	Preload []string `json:"preload"`
	CSS     []string `json:"css"`
}

// loadManifest reads the manifest of the built assets; ok is false when
// they have not been built.
func loadManifest(fsys fs.FS) (m manifest, ok bool, err error) {
	raw, err := fs.ReadFile(fsys, "manifest.json")
	if err != nil {
		return manifest{}, false, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return manifest{}, false, fmt.Errorf("dist/manifest.json: %w", err)
	}
	for name, p := range m.Pages {
		for _, f := range append(append([]string{p.JS}, p.Preload...), p.CSS...) {
			if _, err := fs.Stat(fsys, path.Clean(f)); err != nil {
				return manifest{}, false, fmt.Errorf("dist/manifest.json: page %s names %s, which is not built: %w", name, f, err)
			}
		}
	}
	return m, true, nil
}

// asset is one built file, ready to serve: its bytes, and gzipped when
// that makes it smaller (scripts and styles: 300 KB become 90 KB).
type asset struct {
	raw, gz []byte
}

// loadAssets reads every built file once, gzipping scripts, styles and
// SVG at the best compression: they are compressed once per start of the
// daemon, not per request.
func loadAssets(fsys fs.FS) (map[string]asset, error) {
	out := map[string]asset{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || name == "manifest.json" || strings.HasPrefix(path.Base(name), ".") {
			return err
		}
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		a := asset{raw: raw}
		if ext := path.Ext(name); ext == ".js" || ext == ".css" || ext == ".svg" {
			var buf bytes.Buffer
			zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			if err != nil {
				return err
			}
			if _, err := zw.Write(raw); err != nil {
				return err
			}
			if err := zw.Close(); err != nil {
				return err
			}
			if buf.Len() < len(raw) {
				a.gz = buf.Bytes()
			}
		}
		out[name] = a
		return nil
	})
	return out, err
}
