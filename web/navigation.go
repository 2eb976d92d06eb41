package web

import "github.com/matthan/matthan/camera"

// The navigation bar lists one entry per page, except that the pages of a
// group (planning, funds, incidents, administration) share one entry:
// eight entries for an admin instead of twenty fit a phone's menu and a
// desk's bar. The group's entry leads to its first page the viewer may
// open and is marked current on every page of the group; those pages
// show the group's pages the viewer may open as tabs above their content.

// navigation returns the bar's entries for role on page p, and p's
// section tabs (none when p is in no group or the viewer may open only
// one of its pages, which the bar then links). offers leaves out the
// pages the daemon runs without.
func navigation(texts catalogues, lang string, role camera.Role, p *page, offers func(*page) bool) (nav, tabs []navItem) {
	seen := map[string]bool{}
	for i := range consolePages {
		cp := &consolePages[i]
		if !cp.nav || !cp.allows(role) || !offers(cp) {
			continue
		}
		if cp.group != "" && p.group == cp.group {
			tabs = append(tabs, navItem{Path: cp.path, Title: texts.text(lang, cp.title), Current: cp.name == p.name})
		}
		if cp.group != "" && seen[cp.group] {
			continue
		}
		title := cp.title
		if cp.group != "" {
			seen[cp.group] = true
			title = cp.group
		}
		nav = append(nav, navItem{Path: cp.path, Title: texts.text(lang, title), Current: cp.name == p.name || (cp.group != "" && cp.group == p.group)})
	}
	if len(tabs) < 2 {
		tabs = nil
	}
	return nav, tabs
}
