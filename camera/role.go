package camera

// Role is what a token may do. The rules of docs/design.md:
//
//	admin       everything
//	police      cameras, health, incidents, clips
//	planner     cameras without credentials, health, coverage, aggregated incident counts
//	fundraiser  cameras, donations, funding reports, aggregated counts
type Role string

// Roles.
const (
	RoleAdmin      Role = "admin"
	RolePolice     Role = "police"
	RolePlanner    Role = "planner"
	RoleFundraiser Role = "fundraiser"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RolePolice, RolePlanner, RoleFundraiser}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Actor is who did something: the name of the token used and its role. It
// is recorded in the audit log and in clip custody logs.
type Actor struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// SystemActor is the daemon itself (imports of the demo, the poller).
var SystemActor = Actor{Name: "system", Role: RoleAdmin}
