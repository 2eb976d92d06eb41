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
	// reads is a GET of the API that the page's script makes (":id"
	// standing for the page's parameter), chosen so that its roles are
	// the page's: the console's roles test checks that both answer
	// every role alike. A page kept to fewer roles than the routes it
	// reads (Sức khỏe and Ai đã nhìn thấy are for the police; planners
	// may read health over the API) names none.
	reads string
	// group, when set, is the catalogue key of one navigation entry
	// that the pages of a section share; its pages with nav are its
	// tabs (navigation.go).
	group string
	// feature, when set, is a part of the daemon the page needs and
	// the daemon may run without ("tips": tips.enabled); without it the
	// page is not served and not in the navigation (Options).
	feature string
}

var (
	everyone = []camera.Role(nil)
	police   = []camera.Role{camera.RoleAdmin, camera.RolePolice}
	watchers = []camera.Role{camera.RoleAdmin, camera.RolePolice, camera.RolePlanner}
	admins   = []camera.Role{camera.RoleAdmin}
)

// consolePages are the pages behind sign-in, in the order of the
// navigation bar. The roles follow the API's: a page is open to a role
// exactly when the routes it reads are.
var consolePages = []page{
	{name: "overview", path: "/", title: "nav.overview", nav: true, roles: everyone, reads: "/api/v1/reports/summary"},
	{name: "map", path: "/map", title: "nav.map", nav: true, roles: everyone, reads: "/api/v1/map"},
	{name: "seeing", path: "/seeing", title: "nav.seeing", nav: true, roles: police},
	{name: "health", path: "/health", title: "nav.health", nav: true, roles: police},
	{name: "gaps", path: "/gaps", title: "nav.gaps", nav: true, group: "nav.plan", roles: watchers, reads: "/api/v1/coverage/gaps?limit=1"},
	{name: "coverage", path: "/coverage", title: "nav.coverage", nav: true, group: "nav.plan", roles: watchers, reads: "/api/v1/intersections?limit=1"},
	{name: "suggest", path: "/suggest", title: "nav.suggest", nav: true, group: "nav.plan", roles: watchers, reads: "/api/v1/coverage/suggest?n=1"},
	{name: "layers", path: "/layers", title: "nav.layers", nav: true, group: "nav.plan", roles: watchers},
	{name: "camera", path: "/cameras/:id", title: "camera.title", roles: watchers, reads: "/api/v1/cameras/:id/health"},
	{name: "incidents", path: "/incidents", title: "nav.incidents", nav: true, group: "nav.cases", roles: police, reads: "/api/v1/incidents?limit=1"},
	{name: "counts", path: "/incidents/counts", title: "nav.counts", nav: true, group: "nav.cases", roles: everyone, reads: "/api/v1/incidents/counts"},
	{name: "tips", path: "/tips", title: "nav.tips", nav: true, group: "nav.cases", roles: police, reads: "/api/v1/tips?limit=1", feature: "tips"},
	{name: "incident_new", path: "/incidents/new", title: "evidence.new.title", group: "nav.cases", roles: police, reads: "/api/v1/incidents?limit=1"},
	{name: "incident", path: "/incidents/:id", title: "evidence.incident.title", group: "nav.cases", roles: police, reads: "/api/v1/incidents/:id"},

	// Funds (Quỹ).
	{name: "funding", path: "/funding", title: "nav.funding", nav: true, group: "nav.funds", roles: funders, reads: "/api/v1/funding?group_by=commune&limit=1"},
	{name: "donations", path: "/donations", title: "nav.donations", nav: true, group: "nav.funds", roles: funders, reads: "/api/v1/donations?limit=1"},
	{name: "donations-import", path: "/donations/import", title: "nav.import", nav: true, group: "nav.funds", roles: funders, reads: "/api/v1/donations?limit=1"},

	// Administration (Quản trị).
	{name: "admin-users", path: "/admin/users", title: "admin.users.title", nav: true, group: "nav.admin", roles: admins, reads: "/api/v1/users"},
	{name: "admin-tokens", path: "/admin/tokens", title: "admin.tokens.title", nav: true, group: "nav.admin", roles: admins, reads: "/api/v1/tokens"},
	{name: "admin-audit", path: "/admin/audit", title: "admin.audit.title", nav: true, group: "nav.admin", roles: admins, reads: "/api/v1/audit"},
	{name: "admin-backup", path: "/admin/backup", title: "admin.backup.title", nav: true, group: "nav.admin", roles: admins, reads: "/api/v1/audit?action=backup.download&limit=10"},
	{name: "admin-settings", path: "/admin/settings", title: "admin.settings.title", nav: true, group: "nav.admin", roles: admins, reads: "/api/v1/settings"},
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
