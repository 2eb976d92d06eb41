package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

// demoAccount is one console account of the demo: a person per role, so
// that a first look can see what each role sees.
type demoAccount struct {
	Name, FullName, Password string
	Role                     camera.Role
}

// demoPeople are the demo's console users.
var demoPeople = []demoAccount{
	{Name: "quantri", FullName: "Quản trị viên", Role: camera.RoleAdmin},
	{Name: "congan", FullName: "Công an xã Song Bình", Role: camera.RolePolice},
	{Name: "quyhoach", FullName: "Phòng Quản lý đô thị huyện", Role: camera.RolePlanner},
	{Name: "gayquy", FullName: "Ủy ban MTTQ huyện", Role: camera.RoleFundraiser},
}

// demoPassword returns a fresh password that reads well when printed:
// three groups of four letters and digits without look-alikes.
func demoPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	out := make([]byte, 0, 14)
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out)
}

// createDemoUsers adds the demo's console accounts with fresh passwords
// (the demo's database is new at every start) and returns them to print.
func createDemoUsers(ctx context.Context, store *registry.Store) ([]demoAccount, error) {
	out := make([]demoAccount, len(demoPeople))
	for i, p := range demoPeople {
		p.Password = demoPassword()
		u := &camera.User{Name: p.Name, FullName: p.FullName, Role: p.Role}
		if err := store.CreateUser(ctx, u, p.Password, camera.SystemActor); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", p.Name, err)
		}
		out[i] = p
	}
	return out, nil
}

// printDemoConsole tells where the console is and how to sign in: the
// first thing a person trying the demo needs.
func printDemoConsole(w io.Writer, url string, accounts []demoAccount) {
	fmt.Fprintf(w, "\nWeb console: %s/  (open it in a browser; sign in as one of these)\n\n", url)
	fmt.Fprintf(w, "  %-11s %-10s %-16s %s\n", "role", "user", "password", "who")
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-11s %-10s %-16s %s\n", a.Role, a.Name, a.Password, a.FullName)
	}
}
