package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

const tokenSynopsis = "matthan token create --role ROLE --name NAME [--db PATH] [--config FILE]"

// token dispatches "token VERB".
func (c *cli) token(ctx context.Context, args []string) error {
	_, rest, err := c.subcommand("token", args, verb{"create", tokenSynopsis})
	if err != nil {
		return err
	}
	return c.tokenCreate(ctx, rest)
}

// tokenCreate writes a token straight into the database file. It exists
// for the first token of a fresh installation, before any exists to call
// POST /api/v1/tokens with; it therefore needs the daemon stopped (bbolt
// allows one process at a time). The secret is printed once, alone on
// stdout, so that a script can capture it.
func (c *cli) tokenCreate(ctx context.Context, args []string) error {
	fs := c.newFlagSet("token create", tokenSynopsis)
	role := fs.String("role", "", "`ROLE` of the token: "+roleList())
	name := fs.String("name", "", "`NAME` of the token, recorded in the audit log (e.g. the person or system using it)")
	file := fs.String("config", "", "YAML configuration `FILE` to take the database path from (default $"+envConfig+")")
	fs.String("db", defaultDB, "database file `PATH`")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	switch {
	case *role == "":
		return &usageError{msg: "--role is required", usage: fs.Usage}
	case *name == "":
		return &usageError{msg: "--name is required", usage: fs.Usage}
	case !camera.Role(*role).Valid():
		return &usageError{msg: fmt.Sprintf("--role must be one of %s, got %q", roleList(), *role), usage: fs.Usage}
	}
	// The database path resolves like serve's, so that "token create" with
	// the same config, environment and --db finds the same file.
	src := configSource{File: *file, Getenv: c.getenv, Flags: map[string]string{}}
	if src.File == "" {
		src.File = c.getenv(envConfig)
	}
	if v, ok := setFlags(fs)["db"]; ok {
		src.Flags["db"] = v
	}
	cfg, err := loadConfig(src)
	if err != nil {
		return err
	}
	store, err := registry.Open(cfg.DB, registry.Options{Timeout: 500 * time.Millisecond})
	if err != nil {
		if errors.Is(err, registry.ErrLocked) {
			return fmt.Errorf("%w\nstop the daemon first, or create the token through the running daemon: POST /api/v1/tokens with an admin token", err)
		}
		return err
	}
	actor := camera.Actor{Name: "cli", Role: camera.RoleAdmin}
	secret, err := store.CreateToken(ctx, *name, camera.Role(*role), actor)
	if cerr := store.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close database: %w", cerr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, secret)
	fmt.Fprintf(c.stderr, "created %s token %q in %s; it is shown only this once\n", *role, *name, cfg.DB)
	return nil
}

func roleList() string {
	names := make([]string, len(camera.Roles))
	for i, r := range camera.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
