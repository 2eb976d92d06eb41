package api

import (
	"errors"
	"fmt"
	"strings"
)

// Capabilities are the parts of the store the routes need beyond Store,
// one small interface each (declared beside the routes that use it). The
// caller names each one: the daemon passes its *registry.Store to every
// field, so a method the store lacks is a compile error there. None is
// optional: New refuses Options that leave one nil, naming it, rather
// than serving without its routes.
type Capabilities struct {
	Health     HealthStore    // /health, /cameras/{id}/health; a clip capture checks the camera is up
	History    StatesAtStore  // /cameras/seeing at a past time
	Uptime     UptimeStore    // the uptime of /reports/summary
	Costs      CostStore      // the estimated cost of /coverage/suggest
	Layers     LayerStore     // /intersections/import, /communes/import
	Incidents  IncidentStore  // /incidents, and /clips with Options.Clips
	Donations  DonationStore  // /donations, /funding, the funding metrics
	Statements StatementStore // /statements, /public/statements
	Sessions   SessionStore   // /session: the console's sign-in
	Users      UserStore      // /users
}

// missing names the capabilities left nil, in the order of the struct.
func (c Capabilities) missing() []string {
	var out []string
	for _, f := range []struct {
		name, iface string
		set         bool
	}{
		{"Health", "HealthStore", c.Health != nil},
		{"History", "StatesAtStore", c.History != nil},
		{"Uptime", "UptimeStore", c.Uptime != nil},
		{"Costs", "CostStore", c.Costs != nil},
		{"Layers", "LayerStore", c.Layers != nil},
		{"Incidents", "IncidentStore", c.Incidents != nil},
		{"Donations", "DonationStore", c.Donations != nil},
		{"Statements", "StatementStore", c.Statements != nil},
		{"Sessions", "SessionStore", c.Sessions != nil},
		{"Users", "UserStore", c.Users != nil},
	} {
		if !f.set {
			out = append(out, f.name+" ("+f.iface+")")
		}
	}
	return out
}

// check is New's test of the Options' store and capabilities.
func (o *Options) check() error {
	if o.Store == nil {
		return errors.New("api: no store in Options.Store")
	}
	if m := o.Capabilities.missing(); len(m) > 0 {
		return fmt.Errorf("api: missing capabilities in Options.Capabilities: %s", strings.Join(m, ", "))
	}
	if (o.Tips == nil) != (o.TipSealer == nil) {
		return errors.New("api: Options.Tips and Options.TipSealer go together: tips without a sealer would store informants in the clear")
	}
	return nil
}
