package web

import (
	"slices"

	"github.com/matthan/matthan/camera"
)

// PageInfo describes a page of the console for those who check it from
// outside (the roles test of cmd/matthan walks every page with every
// role), from the console's own table.
type PageInfo struct {
	Name string
	// Path is the page's route; ":id" stands for its parameter.
	Path string
	// Roles may open the page; every other role is answered 403.
	Roles []camera.Role
	// Nav is whether the page is in the navigation of the roles that
	// may open it.
	Nav bool
	// Reads is a GET of the API the page makes whose roles are the
	// page's; "" when none is given.
	Reads string
}

// Pages lists the pages behind sign-in, in the order of the navigation.
func Pages() []PageInfo {
	out := make([]PageInfo, len(consolePages))
	for i, p := range consolePages {
		roles := slices.Clone(p.roles)
		if roles == nil {
			roles = slices.Clone(camera.Roles)
		}
		out[i] = PageInfo{Name: p.name, Path: p.path, Roles: roles, Nav: p.nav, Reads: p.reads}
	}
	return out
}
