package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/matthan/matthan/camera"
)

// Account is one console account of the demo: a person per role, so
// that a first look can see what each role sees.
type Account struct {
	Name, FullName, Password string
	Role                     camera.Role
}

// people are the demo's console users. It is never written.
var people = []Account{
	{Name: "quantri", FullName: "Quản trị viên", Role: camera.RoleAdmin},
	{Name: "congan", FullName: "Công an xã Song Bình", Role: camera.RolePolice},
	{Name: "quyhoach", FullName: "Phòng Quản lý đô thị huyện", Role: camera.RolePlanner},
	{Name: "gayquy", FullName: "Ủy ban MTTQ huyện", Role: camera.RoleFundraiser},
}

// createUsers adds the demo's console accounts with fresh passwords (the
// demo's database is new at every start) and returns them to print.
func createUsers(ctx context.Context, store Store) ([]Account, error) {
	out := make([]Account, len(people))
	for i, p := range people {
		p.Password = camera.NewPassword()
		u := &camera.User{Name: p.Name, FullName: p.FullName, Role: p.Role}
		if err := store.CreateUser(ctx, u, p.Password, camera.SystemActor); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", p.Name, err)
		}
		out[i] = p
	}
	return out, nil
}

// printConsole tells where the console is and how to sign in: the first
// thing a person trying the demo needs.
func printConsole(w io.Writer, url string, accounts []Account) {
	fmt.Fprintf(w, "\nWeb console: %s/  (open it in a browser; sign in as one of these)\n\n", url)
	fmt.Fprintf(w, "  %-11s %-10s %-16s %s\n", "role", "user", "password", "who")
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-11s %-10s %-16s %s\n", a.Role, a.Name, a.Password, a.FullName)
	}
}
