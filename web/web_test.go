package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
)

// fakeAssets is a built console of empty files, for the handler tests:
// what matters here is which files a page names, not their content.
func fakeAssets() fs.FS {
	m := fstest.MapFS{}
	manifest := `{"pages":{`
	names := []string{"login", "error", publicPage.name}
	for _, p := range consolePages {
		names = append(names, p.name)
	}
	for i, n := range names {
		if i > 0 {
			manifest += ","
		}
		manifest += `"` + n + `":{"js":"` + n + `-AAAA.js","css":["` + n + `-AAAA.css"]}`
		m[n+"-AAAA.js"] = &fstest.MapFile{Data: []byte("//")}
		m[n+"-AAAA.css"] = &fstest.MapFile{Data: []byte("/**/")}
	}
	m["manifest.json"] = &fstest.MapFile{Data: []byte(manifest + "}}")}
	return m
}

// serve mounts a console on a gin engine with viewer deciding who is
// signed in.
func serve(t *testing.T, assets fs.FS, user *camera.User) *httptest.Server {
	t.Helper()
	zone, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return serveWith(t, Options{Location: zone, Assets: assets, Tips: true}, user)
}

// serveWith is serve with the console's options.
func serveWith(t *testing.T, o Options, user *camera.User) *httptest.Server {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	c.Mount(e, func(r *http.Request) (camera.User, string, bool) {
		if user == nil {
			return camera.User{}, "", false
		}
		return *user, "csrf-token-of-the-test", true
	})
	e.NoRoute(c.NotFound)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res, b.String()
}

func TestPagesNeedASession(t *testing.T) {
	srv := serve(t, fakeAssets(), nil)
	for _, p := range []string{"/", "/map", "/health", "/seeing", "/cameras/CG-0001"} {
		res, _ := get(t, srv.URL+p)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s without a session: %d %s, want a redirect to sign-in", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	res, body := get(t, srv.URL+"/login")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Đăng nhập") || !strings.Contains(body, "login-AAAA.js") {
		t.Errorf("GET /login: %d\n%s", res.StatusCode, body)
	}
}

func TestPagesByRole(t *testing.T) {
	for _, tc := range []struct {
		role    camera.Role
		allowed []string
		denied  []string
	}{
		{camera.RolePolice, []string{"/", "/map", "/health", "/seeing", "/cameras/CG-0001"}, nil},
		{camera.RolePlanner, []string{"/", "/map", "/cameras/CG-0001"}, []string{"/health", "/seeing"}},
		{camera.RoleFundraiser, []string{"/", "/map"}, []string{"/health", "/seeing", "/cameras/CG-0001"}},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			srv := serve(t, fakeAssets(), &camera.User{Name: "u", FullName: "Nguyễn Văn An", Role: tc.role})
			for _, p := range tc.allowed {
				if res, body := get(t, srv.URL+p); res.StatusCode != http.StatusOK || !strings.Contains(body, "Nguyễn Văn An") {
					t.Errorf("GET %s: %d", p, res.StatusCode)
				}
			}
			for _, p := range tc.denied {
				res, body := get(t, srv.URL+p)
				if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Không có quyền truy cập") {
					t.Errorf("GET %s: %d, want 403 in Vietnamese", p, res.StatusCode)
				}
				// A page the role may not open is not in its navigation.
				if _, home := get(t, srv.URL+"/"); strings.Contains(home, `href="`+p+`"`) {
					t.Errorf("the navigation of %s links %s", tc.role, p)
				}
			}
		})
	}
}

func TestPageHeaders(t *testing.T) {
	srv := serve(t, fakeAssets(), &camera.User{Name: "u", Role: camera.RoleAdmin})
	res, body := get(t, srv.URL+"/map")
	for h, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-store",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'self'; script-src 'self'",
	} {
		if got := res.Header.Get(h); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	// The page's starting state is JSON in a data block that cannot end
	// the script element early, whatever a text holds.
	if !strings.Contains(body, `<script id="boot" type="application/json">{"lang":"vi","zone":"Asia/Ho_Chi_Minh"`) {
		t.Errorf("boot block missing:\n%s", body)
	}
	if !strings.Contains(body, `"csrf":"csrf-token-of-the-test"`) {
		t.Errorf("the page lacks the session's CSRF token")
	}
	res, _ = get(t, srv.URL+"/assets/map-AAAA.js")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("asset: %d %s", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	for _, p := range []string{"/assets/manifest.json", "/assets/../handler.go", "/assets/nope.js"} {
		if res, _ := get(t, srv.URL+p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	srv := serve(t, fakeAssets(), &camera.User{Name: "u", Role: camera.RolePolice})
	res, _ := get(t, srv.URL+"/lang/en?next=/health")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/health" {
		t.Fatalf("switch: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var lang *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == langCookie {
			lang = c
		}
	}
	if lang == nil || lang.Value != "en" {
		t.Fatalf("no language cookie: %v", res.Cookies())
	}
	if _, body := get(t, srv.URL+"/health", lang); !strings.Contains(body, "Camera health") || !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("the health page after switching to English:\n%s", body)
	}
	// The switch goes back only within the site.
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
		res, _ := get(t, srv.URL+"/lang/vi?next="+next)
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%s goes to %s, want /", next, loc)
		}
	}
}

func TestUnbuiltConsoleSaysHowToBuild(t *testing.T) {
	srv := serve(t, fstest.MapFS{".gitkeep": &fstest.MapFile{}}, &camera.User{Name: "u", Role: camera.RoleAdmin})
	res, body := get(t, srv.URL+"/")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "make web") {
		t.Errorf("unbuilt console: %d\n%s", res.StatusCode, body)
	}
}

// TestEveryTextIsInTheCatalogues: each key the templates and scripts use
// has a text in every language, and no text is left unused.
func TestEveryTextIsInTheCatalogues(t *testing.T) {
	cs, err := loadCatalogues(catalogueFS)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	// Keys built at run time from a prefix and a value.
	dynamic := []string{"role.", "state.", "reason.", "road.", "handling.", "lang.", "map.panel.uptime", "duration."}
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\{\{t \.Lang "([a-z0-9_.]+)"`),
		regexp.MustCompile(`\bt\('([a-z0-9_.]+)'`),
		regexp.MustCompile(`"(?:Heading|title)": "([a-z0-9_.]+)"`),
		regexp.MustCompile(`title: "([a-z0-9_.]+)"`),
		regexp.MustCompile(`group: "([a-z0-9_.]+)"`),
		regexp.MustCompile(`text\([a-zA-Z.()]+, "([a-z0-9_.]+)"`),
	}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "dist") {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".html") || strings.HasSuffix(path, ".js") || strings.HasSuffix(path, ".go")) || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
				if strings.HasSuffix(m[1], ".") {
					continue // a prefix, completed at run time (dynamic)
				}
				if _, ok := cs[defaultLang][m[1]]; !ok {
					t.Errorf("%s uses %q, which no catalogue has", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range cs[defaultLang] {
		isDynamic := false
		for _, p := range dynamic {
			isDynamic = isDynamic || strings.HasPrefix(k, p)
		}
		if !used[k] && !isDynamic {
			t.Errorf("catalogue key %q is used nowhere", k)
		}
	}
}

// TestAssetsGzipped: scripts go out gzipped to a browser that takes it,
// as they are to anyone else.
func TestAssetsGzipped(t *testing.T) {
	assets := fakeAssets().(fstest.MapFS)
	script := strings.Repeat("console.log('Mắt Thần');\n", 400)
	assets["map-AAAA.js"] = &fstest.MapFile{Data: []byte(script)}
	srv := serve(t, assets, &camera.User{Name: "u", Role: camera.RoleAdmin})
	for _, tc := range []struct {
		accept, encoding string
	}{{"gzip, deflate, br", "gzip"}, {"identity", ""}} {
		req, _ := http.NewRequest("GET", srv.URL+"/assets/map-AAAA.js", nil)
		req.Header.Set("Accept-Encoding", tc.accept)
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if got := res.Header.Get("Content-Encoding"); got != tc.encoding {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.encoding)
		}
		if tc.encoding == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		}
		if string(body) != script || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
			t.Errorf("Accept-Encoding %q: %d bytes of %s", tc.accept, len(body), res.Header.Get("Content-Type"))
		}
	}
}

// TestCataloguesChecked: a key in two files of a language, or a key one
// language lacks, stops the console from starting rather than showing a
// key to a user.
func TestCataloguesChecked(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"a key in two files", map[string]string{
			"i18n/vi/a.json": `{"x.y":"một"}`, "i18n/vi/b.json": `{"x.y":"hai"}`, "i18n/en/a.json": `{"x.y":"one"}`,
		}, `"x.y" is in`},
		{"a key English lacks", map[string]string{
			"i18n/vi/a.json": `{"x.y":"một","x.z":"hai"}`, "i18n/en/a.json": `{"x.y":"one"}`,
		}, `i18n/en: no text for "x.z"`},
		{"a key Vietnamese lacks", map[string]string{
			"i18n/vi/a.json": `{"x.y":"một"}`, "i18n/en/a.json": `{"x.y":"one","x.z":"two"}`,
		}, `"x.z" is not in i18n/vi`},
		{"broken JSON", map[string]string{
			"i18n/vi/a.json": `{"x.y":`, "i18n/en/a.json": `{"x.y":"one"}`,
		}, "i18n/vi/a.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, body := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			_, err := loadCatalogues(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}
