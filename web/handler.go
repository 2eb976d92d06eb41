package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
)

// Viewer is the signed-in person a page is rendered for.
type Viewer struct {
	User camera.User
	// CSRF is the session's token, which the page's script sends back in
	// X-CSRF-Token with every request that changes something.
	CSRF string
}

// Options configure the console.
type Options struct {
	// Location is the zone times are shown in (Asia/Ho_Chi_Minh).
	Location *time.Location
	// TileURL, when set, adds a raster street map under the daemon's own
	// layers, for sites that are online: a URL template with {z}, {x}
	// and {y}, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png.
	TileURL string
	// TileAttribution is shown in the map's corner with TileURL.
	TileAttribution string
	Logger          *slog.Logger
	// Tips is true when the daemon keeps hotline tips (tips.enabled):
	// the Tin báo page is served and in the navigation only then.
	Tips bool
	// Assets replaces the embedded dist/ (tests).
	Assets fs.FS
}

// Console serves the pages. Create it with New and mount it on the API's
// engine (api.Options.Console).
type Console struct {
	o        Options
	texts    catalogues
	tmpl     *template.Template
	assets   map[string]asset
	manifest manifest
	built    bool
	viewer   func(r *http.Request) (Viewer, bool)
}

// New loads the catalogues, the templates and the manifest of the built
// assets. Unbuilt assets are not an error: the console then answers
// every page with how to build them.
func New(o Options) (*Console, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Assets == nil {
		sub, err := fs.Sub(dist, "dist")
		if err != nil {
			return nil, err
		}
		o.Assets = sub
	}
	if o.TileURL != "" {
		if err := CheckTileURL(o.TileURL); err != nil {
			return nil, err
		}
	}
	texts, err := loadCatalogues(catalogueFS)
	if err != nil {
		return nil, err
	}
	m, built, err := loadManifest(o.Assets)
	if err != nil {
		return nil, err
	}
	files, err := loadAssets(o.Assets)
	if err != nil {
		return nil, err
	}
	c := &Console{o: o, texts: texts, assets: files, manifest: m, built: built}
	c.tmpl, err = template.New("").Funcs(template.FuncMap{
		"t": func(lang, key string, args ...any) string { return texts.text(lang, key, args...) },
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	if built {
		for _, p := range append(consolePages, page{name: "login"}, publicPage) {
			if _, ok := m.Pages[p.name]; !ok {
				return nil, fmt.Errorf("the built console has no page %s: run make web", p.name)
			}
		}
	}
	return c, nil
}

// Built reports whether the console's assets were built into the binary.
func (c *Console) Built() bool { return c.built }

// CheckTileURL checks a raster tile URL template: http(s), with {z},
// {x} and {y} (and optionally {s}, the subdomain).
func CheckTileURL(s string) error {
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a").Replace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("must be an http(s) URL template with {z}, {x} and {y}, got %q", s)
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(s, p) {
			return fmt.Errorf("must contain %s, got %q", p, s)
		}
	}
	return nil
}

// Mount adds the console's routes to e. viewer resolves the session
// cookie of a request to its user and CSRF token; ok is false when the
// request has none, or its session has ended (api.Server.Viewer).
func (c *Console) Mount(e *gin.Engine, viewer func(r *http.Request) (user camera.User, csrf string, ok bool)) {
	c.viewer = func(r *http.Request) (Viewer, bool) {
		u, csrf, ok := viewer(r)
		return Viewer{User: u, CSRF: csrf}, ok
	}
	e.GET("/assets/*file", c.asset)
	e.HEAD("/assets/*file", c.asset)
	e.GET("/login", c.login)
	e.GET("/lang/:lang", c.setLang)
	e.GET(publicPage.path, c.publicStatement)
	for i := range consolePages {
		p := &consolePages[i]
		if !c.offers(p) {
			continue // its path answers as no page does
		}
		e.GET(p.path, func(ctx *gin.Context) { c.page(ctx, p) })
	}
}

// offers reports whether the daemon has what page p needs (Options).
func (c *Console) offers(p *page) bool {
	switch p.feature {
	case "":
		return true
	case "tips":
		return c.o.Tips
	}
	return false
}

// NotFound answers a request for a path that is no page, in the user's
// language.
func (c *Console) NotFound(ctx *gin.Context) {
	v, ok := c.viewer(ctx.Request)
	var vp *Viewer
	if ok {
		vp = &v
	}
	c.render(ctx, http.StatusNotFound, "error", &page{name: "error", title: "error.notfound.title"}, vp, map[string]any{
		"Heading": "error.notfound.title", "Message": c.texts.text(langOf(ctx.Request), "error.notfound.text"),
	})
}

// page answers one console page: to sign-in without a session, 403 for a
// role that may not, the page otherwise.
func (c *Console) page(ctx *gin.Context, p *page) {
	v, ok := c.viewer(ctx.Request)
	if !ok {
		next := ctx.Request.URL.RequestURI()
		ctx.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
		return
	}
	if !p.allows(v.User.Role) {
		lang := langOf(ctx.Request)
		c.render(ctx, http.StatusForbidden, "error", &page{name: "error", title: "error.forbidden.title"}, &v, map[string]any{
			"Heading": "error.forbidden.title",
			"Message": c.texts.text(lang, "error.forbidden.text", "role", c.texts.text(lang, "role."+string(v.User.Role))),
		})
		return
	}
	params := map[string]any{}
	if id := ctx.Param("id"); id != "" {
		params["id"] = id
	}
	c.render(ctx, http.StatusOK, p.name, p, &v, params)
}

// login answers the sign-in page; a visitor with a session goes on to
// where they were going.
func (c *Console) login(ctx *gin.Context) {
	next := safeNext(ctx.Query("next"))
	if _, ok := c.viewer(ctx.Request); ok {
		ctx.Redirect(http.StatusSeeOther, next)
		return
	}
	c.render(ctx, http.StatusOK, "login", &page{name: "login", title: "login.title"}, nil, map[string]any{"next": next})
}

// safeNext keeps a sign-in's return path on this site: a path, never
// another origin ("//evil.example" or "https://...").
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// setLang stores the language switch's choice and goes back to the page
// it was clicked on.
func (c *Console) setLang(ctx *gin.Context) {
	lang := ctx.Param("lang")
	known := false
	for _, l := range languages {
		known = known || l == lang
	}
	if !known {
		c.NotFound(ctx)
		return
	}
	http.SetCookie(ctx.Writer, &http.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: ctx.Request.TLS != nil,
	})
	ctx.Redirect(http.StatusSeeOther, safeNext(ctx.Query("next")))
}

// asset serves a built file, gzipped to a browser that takes it. Names
// carry their content's hash, so a year of caching is safe.
func (c *Console) asset(ctx *gin.Context) {
	name := strings.TrimPrefix(path.Clean(ctx.Param("file")), "/")
	a, found := c.assets[name]
	if !found {
		c.NotFound(ctx)
		return
	}
	h := ctx.Writer.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	body := a.raw
	if a.gz != nil && strings.Contains(ctx.GetHeader("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			h.Set("Content-Type", ct)
		}
		body = a.gz
	}
	http.ServeContent(ctx.Writer, ctx.Request, name, time.Time{}, bytes.NewReader(body))
}

// pageData is what a template is rendered with.
type pageData struct {
	Lang   string
	Page   string
	Title  string
	Viewer *Viewer
	Nav    []navItem
	// Tabs are the pages of p's group (navigation.go); TabsLabel names
	// the group.
	Tabs      []navItem
	TabsLabel string
	Assets    pageAssets
	Built     bool
	// Boot is the JSON the page's script starts from: its catalogue,
	// language, zone, user, CSRF token and parameters.
	Boot template.JS
	// Data is the template's own.
	Data map[string]any
	// Langs is the language switch.
	Langs []langItem
}

type navItem struct {
	Path, Title string
	Current     bool
}

type langItem struct {
	Code, Name, Href string
	Current          bool
}

// boot is the page script's starting state.
type boot struct {
	Lang       string            `json:"lang"`
	Zone       string            `json:"zone"`
	Page       string            `json:"page"`
	User       *bootUser         `json:"user,omitempty"`
	CSRF       string            `json:"csrf,omitempty"`
	Params     map[string]any    `json:"params"`
	Texts      map[string]string `json:"texts"`
	TileURL    string            `json:"tile_url,omitempty"`
	TileAttrib string            `json:"tile_attribution,omitempty"`
}

type bootUser struct {
	Name     string      `json:"name"`
	FullName string      `json:"full_name"`
	Role     camera.Role `json:"role"`
}

// render writes the page template name with the layout.
func (c *Console) render(ctx *gin.Context, status int, name string, p *page, v *Viewer, data map[string]any) {
	lang := langOf(ctx.Request)
	if !c.built && name != "error" {
		name, status = "unbuilt", http.StatusServiceUnavailable
	}
	b := boot{Lang: lang, Zone: c.o.Location.String(), Page: p.name, Params: data, Texts: c.texts[lang], TileURL: c.o.TileURL, TileAttrib: c.o.TileAttribution}
	d := pageData{Lang: lang, Page: p.name, Viewer: v, Assets: c.manifest.Pages[p.name], Built: c.built, Data: data}
	title := c.texts.text(lang, p.title)
	if id, ok := data["id"].(string); ok {
		title = c.texts.text(lang, p.title, "id", id)
	}
	d.Title = title
	if v != nil {
		b.User = &bootUser{Name: v.User.Name, FullName: v.User.FullName, Role: v.User.Role}
		b.CSRF = v.CSRF
		d.Nav, d.Tabs = navigation(c.texts, lang, v.User.Role, p, c.offers)
		if d.Tabs != nil {
			d.TabsLabel = c.texts.text(lang, p.group)
		}
	}
	here := ctx.Request.URL.RequestURI()
	for _, l := range languages {
		d.Langs = append(d.Langs, langItem{Code: l, Name: c.texts.text(l, "lang."+l), Href: "/lang/" + l + "?next=" + url.QueryEscape(here), Current: l == lang})
	}
	raw, err := json.Marshal(b)
	if err != nil {
		c.o.Logger.Error("console boot json", "err", err)
		ctx.Status(http.StatusInternalServerError)
		return
	}
	// JSON inside a <script> element: "</script>" in a text must not end
	// it. encoding/json already escapes <, > and & as \u003c....
	d.Boot = template.JS(raw)
	var buf bytes.Buffer
	if err := c.tmpl.ExecuteTemplate(&buf, name+".html", d); err != nil {
		c.o.Logger.Error("console template", "page", name, "err", err)
		ctx.Status(http.StatusInternalServerError)
		return
	}
	h := ctx.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", c.csp())
	ctx.Status(status)
	_, _ = ctx.Writer.Write(buf.Bytes())
}

// csp is the pages' Content-Security-Policy: scripts, styles and data
// from this daemon only (the optional street map's images excepted), so
// an injected text can run nothing and a page cannot be framed.
func (c *Console) csp() string {
	img := "'self' data: blob:"
	if c.o.TileURL != "" {
		if u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a").Replace(c.o.TileURL)); err == nil {
			host := u.Host
			if strings.Contains(c.o.TileURL, "{s}") {
				host = "*." + strings.SplitN(host, ".", 2)[1]
			}
			img += " " + u.Scheme + "://" + host
		}
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img + "; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}
