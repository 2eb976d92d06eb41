package web

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// TestPagesFromTheTable: Pages answers the console's own table, every
// role spelled out, and a change to its answer does not change the
// table.
func TestPagesFromTheTable(t *testing.T) {
	got := Pages()
	if len(got) != len(consolePages) {
		t.Fatalf("%d pages, the table has %d", len(got), len(consolePages))
	}
	for i, p := range got {
		cp := consolePages[i]
		if p.Name != cp.name || p.Path != cp.path || p.Nav != cp.nav || p.Reads != cp.reads {
			t.Errorf("page %d: %+v, table %+v", i, p, cp)
		}
		for _, r := range camera.Roles {
			if slices.Contains(p.Roles, r) != cp.allows(r) {
				t.Errorf("%s: roles %v, but allows(%s) = %v", p.Name, p.Roles, r, cp.allows(r))
			}
		}
	}
	got[0].Roles[0] = "nobody"
	if again := Pages(); again[0].Roles[0] == "nobody" {
		t.Errorf("Pages shares its slices with the table")
	}
}

// TestSectionsShareOneNavEntry: each section (planning, incidents, funds,
// administration) is one entry of the navigation, leading to the first
// of its pages the role may open and current on each of them; a role that
// may open several of its pages has tabs between them, the page's own
// marked current; a role that may open none has neither.
func TestSectionsShareOneNavEntry(t *testing.T) {
	navLink := regexp.MustCompile(`<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>`)
	tabLink := regexp.MustCompile(`<a href="([^"]+)"( aria-current="page")?>[^<]+</a>`)
	tabStrip := regexp.MustCompile(`(?s)<nav class="section-tabs[^>]*>(.*?)</nav>`)
	sections := map[string]string{"nav.plan": "Quy hoạch", "nav.cases": "Vụ việc", "nav.funds": "Quỹ", "nav.admin": "Quản trị"}
	for _, role := range camera.Roles {
		srv := serve(t, fakeAssets(), &camera.User{Name: "u", Role: role})
		for group, title := range sections {
			var mine []string // the section's navigation pages role may open
			for _, p := range consolePages {
				if p.group == group && p.nav && p.allows(role) {
					mine = append(mine, p.path)
				}
			}
			_, home := get(t, srv.URL+"/")
			var entries []string
			for _, m := range navLink.FindAllStringSubmatch(home, -1) {
				if m[3] == title {
					entries = append(entries, m[1])
				}
			}
			switch {
			case len(mine) == 0 && len(entries) != 0:
				t.Errorf("%s may open no page of %s, yet its navigation has %v", role, title, entries)
			case len(mine) > 0 && (len(entries) != 1 || entries[0] != mine[0]):
				t.Errorf("%s: the navigation's entries %s %v, want one to %s", role, title, entries, mine[0])
			}
			for _, path := range mine {
				res, body := get(t, srv.URL+path)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s GET %s: %d", role, path, res.StatusCode)
				}
				if !strings.Contains(body, `<li><a href="`+mine[0]+`" aria-current="page">`+title+`</a></li>`) {
					t.Errorf("%s GET %s: the entry %s is not current", role, path, title)
				}
				strip := tabStrip.FindStringSubmatch(body)
				if len(mine) < 2 {
					if strip != nil {
						t.Errorf("%s GET %s: tabs %q for one page", role, path, strip[1])
					}
					continue
				}
				if strip == nil {
					t.Errorf("%s GET %s: no tabs, want %v", role, path, mine)
					continue
				}
				var tabs []string
				for _, m := range tabLink.FindAllStringSubmatch(strip[1], -1) {
					tabs = append(tabs, m[1])
					if (m[2] != "") != (m[1] == path) {
						t.Errorf("%s GET %s: tab %s current %v", role, path, m[1], m[2] != "")
					}
				}
				if !slices.Equal(tabs, mine) {
					t.Errorf("%s GET %s: tabs %v, want %v", role, path, tabs, mine)
				}
			}
		}
	}
}
