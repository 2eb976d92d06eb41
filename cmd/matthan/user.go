package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

const (
	userCreateSynopsis  = "matthan user create --name NAME --role ROLE [--full-name TEXT] [--password-stdin] [--db PATH] [--config FILE]"
	userPasswdSynopsis  = "matthan user passwd NAME [--password-stdin] [--db PATH] [--config FILE]"
	userDisableSynopsis = "matthan user disable NAME [--db PATH] [--config FILE]"
	userEnableSynopsis  = "matthan user enable NAME [--db PATH] [--config FILE]"
	userListSynopsis    = "matthan user list [--db PATH] [--config FILE]"
)

// user dispatches "user VERB": the people who sign in to the console, in
// a stopped daemon's database (the first admin of a new installation, a
// forgotten password); a running daemon does the same through
// /api/v1/users.
func (c *cli) user(ctx context.Context, args []string) error {
	v, rest, err := c.subcommand("user", args,
		verb{"create", userCreateSynopsis}, verb{"passwd", userPasswdSynopsis}, verb{"disable", userDisableSynopsis},
		verb{"enable", userEnableSynopsis}, verb{"list", userListSynopsis})
	if err != nil {
		return err
	}
	switch v {
	case "passwd":
		return c.userPasswd(ctx, rest)
	case "disable", "enable":
		return c.userSetDisabled(ctx, v, rest)
	case "list":
		return c.userList(ctx, rest)
	}
	return c.userCreate(ctx, rest)
}

// cliActor is who the audit log records for these commands.
var cliActor = camera.Actor{Name: "cli", Role: camera.RoleAdmin}

// newPassword returns the password to set: the first line of stdin with
// --password-stdin (for scripts and password managers), else a fresh one
// that the command prints once.
func (c *cli) newPassword(fromStdin bool) (password string, generated bool, err error) {
	if !fromStdin {
		return camera.NewPassword() + "-" + camera.NewPassword(), true, nil
	}
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read the password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", false, errors.New("--password-stdin: stdin holds no password (one line)")
	}
	return line, false, nil
}

func (c *cli) userCreate(ctx context.Context, args []string) error {
	fs := c.newFlagSet("user create", userCreateSynopsis)
	name := fs.String("name", "", "sign-in `NAME`: a to z, digits, '.', '_' and '-' (e.g. ca.songbinh)")
	role := fs.String("role", "", "`ROLE` of the user: "+roleList())
	full := fs.String("full-name", "", "the person's name as the console greets them, e.g. \"Nguyễn Văn An\"")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of making one")
	file := dbFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	switch {
	case *name == "":
		return &usageError{msg: "--name is required", usage: fs.Usage}
	case *role == "":
		return &usageError{msg: "--role is required", usage: fs.Usage}
	case !camera.Role(*role).Valid():
		return &usageError{msg: fmt.Sprintf("--role must be one of %s, got %q", roleList(), *role), usage: fs.Usage}
	}
	password, generated, err := c.newPassword(*fromStdin)
	if err != nil {
		return err
	}
	u := &camera.User{Name: *name, FullName: *full, Role: camera.Role(*role)}
	path, err := c.with(stoppedStore{fs, *file, false, "/api/v1/users"}, func(store *registry.Store) error {
		return store.CreateUser(ctx, u, password, cliActor)
	})
	if err != nil {
		return err
	}
	if generated {
		fmt.Fprintln(c.stdout, password)
	}
	fmt.Fprintf(c.stderr, "created %s user %q in %s%s\n", u.Role, u.Name, path, shownOnce(generated))
	return nil
}

func shownOnce(generated bool) string {
	if generated {
		return "; the password above is shown only this once"
	}
	return ""
}

func (c *cli) userPasswd(ctx context.Context, args []string) error {
	fs := c.newFlagSet("user passwd", userPasswdSynopsis)
	fromStdin := fs.Bool("password-stdin", false, "read the new password from the first line of stdin instead of making one")
	file := dbFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, "NAME"); err != nil {
		return err
	}
	password, generated, err := c.newPassword(*fromStdin)
	if err != nil {
		return err
	}
	return c.changeUser(ctx, fs, *file, pos[0], registry.UserChange{Password: &password}, func(u *camera.User, path string) {
		if generated {
			fmt.Fprintln(c.stdout, password)
		}
		fmt.Fprintf(c.stderr, "set a new password for %q in %s; their sessions have ended%s\n", u.Name, path, shownOnce(generated))
	})
}

func (c *cli) userSetDisabled(ctx context.Context, verb string, args []string) error {
	synopsis := userDisableSynopsis
	if verb == "enable" {
		synopsis = userEnableSynopsis
	}
	fs := c.newFlagSet("user "+verb, synopsis)
	file := dbFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, "NAME"); err != nil {
		return err
	}
	disabled := verb == "disable"
	return c.changeUser(ctx, fs, *file, pos[0], registry.UserChange{Disabled: &disabled}, func(u *camera.User, path string) {
		fmt.Fprintf(c.stderr, "%sd %q in %s\n", verb, u.Name, path)
	})
}

// changeUser applies ch to the user name in the stopped daemon's
// database and reports with done.
func (c *cli) changeUser(ctx context.Context, fs *flagSet, file, name string, ch registry.UserChange, done func(*camera.User, string)) error {
	var u *camera.User
	path, err := c.with(stoppedStore{fs, file, false, "/api/v1/users"}, func(store *registry.Store) (err error) {
		u, err = store.UpdateUser(ctx, name, ch, cliActor)
		return err
	})
	if err != nil {
		return err
	}
	done(u, path)
	return nil
}

func (c *cli) userList(ctx context.Context, args []string) error {
	fs := c.newFlagSet("user list", userListSynopsis)
	file := dbFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	var users []camera.User
	_, err = c.with(stoppedStore{fs, *file, true, "/api/v1/users"}, func(store *registry.Store) error {
		for after := ""; ; {
			page, next, err := store.ListUsers(ctx, after, 1000)
			if err != nil {
				return err
			}
			users = append(users, page...)
			if next == "" {
				return nil
			}
			after = next
		}
	})
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(c.stderr, "no users: create one with "+strings.TrimPrefix(userCreateSynopsis, "matthan "))
		return nil
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tROLE\tFULL NAME\tCREATED\tPASSWORD CHANGED\tSTATE")
	for _, u := range users {
		state := "enabled"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, u.FullName, localTime(u.CreatedAt), localTime(u.PasswordChangedAt), state)
	}
	return w.Flush()
}
