package web

import "github.com/matthan/matthan/camera"

// page is one page of the console.
type page struct {
	// name is the page's template (templates/NAME.html) and its entry in
	// the built assets (src/pages/NAME.js).
	name string
	path string
	// title is the catalogue key of the page's title; nav puts it in the
	// navigation bar.
	title string
	nav   bool
	// roles may open the page; nil is every role. A role that may not is
	// answered 403 and does not see the page in its navigation.
	roles []camera.Role
}

var (
	everyone = []camera.Role(nil)
	police   = []camera.Role{camera.RoleAdmin, camera.RolePolice}
	watchers = []camera.Role{camera.RoleAdmin, camera.RolePolice, camera.RolePlanner}
)

// consolePages are the pages behind sign-in, in the order of the
// navigation bar. The roles follow the API's: a page is open to a role
// exactly when the routes it reads are.
var consolePages = []page{
	{name: "overview", path: "/", title: "nav.overview", nav: true, roles: everyone},
	{name: "map", path: "/map", title: "nav.map", nav: true, roles: everyone},
	{name: "seeing", path: "/seeing", title: "nav.seeing", nav: true, roles: police},
	{name: "health", path: "/health", title: "nav.health", nav: true, roles: police},
	{name: "gaps", path: "/gaps", title: "nav.gaps", nav: true, roles: watchers},
	{name: "coverage", path: "/coverage", title: "nav.coverage", nav: true, roles: watchers},
	{name: "suggest", path: "/suggest", title: "nav.suggest", nav: true, roles: watchers},
	{name: "layers", path: "/layers", title: "nav.layers", nav: true, roles: watchers},
	{name: "camera", path: "/cameras/:id", title: "camera.title", roles: watchers},
}

// allows reports whether role may open p.
func (p *page) allows(role camera.Role) bool {
	if p.roles == nil {
		return true
	}
	for _, r := range p.roles {
		if r == role {
			return true
		}
	}
	return false
}
