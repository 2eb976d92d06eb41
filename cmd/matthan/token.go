package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/registry"
)

const (
	tokenSynopsis       = "matthan token create --role ROLE --name NAME [--expires-in D | --expires-at TIME] [--db PATH] [--config FILE]"
	tokenListSynopsis   = "matthan token list [--db PATH] [--config FILE]"
	tokenRevokeSynopsis = "matthan token revoke ID [--db PATH] [--config FILE]"
)

// token dispatches "token VERB". Every verb works on the database file
// itself, with the daemon stopped (bbolt allows one process at a time);
// a running daemon does the same through /api/v1/tokens.
func (c *cli) token(ctx context.Context, args []string) error {
	v, rest, err := c.subcommand("token", args,
		verb{"create", tokenSynopsis}, verb{"list", tokenListSynopsis}, verb{"revoke", tokenRevokeSynopsis})
	if err != nil {
		return err
	}
	switch v {
	case "list":
		return c.tokenList(ctx, rest)
	case "revoke":
		return c.tokenRevoke(ctx, rest)
	}
	return c.tokenCreate(ctx, rest)
}

// tokenCreate writes a token straight into the database file. It exists
// for the first token of a fresh installation, before any exists to call
// POST /api/v1/tokens with. The secret is printed once, alone on stdout,
// so that a script can capture it.
func (c *cli) tokenCreate(ctx context.Context, args []string) error {
	fs := c.newFlagSet("token create", tokenSynopsis)
	role := fs.String("role", "", "`ROLE` of the token: "+roleList())
	name := fs.String("name", "", "`NAME` of the token, recorded in the audit log (e.g. the person or system using it)")
	expiresIn := fs.String("expires-in", "", "the token stops working after `D`: days (90d) or a duration (720h); default never")
	expiresAt := fs.String("expires-at", "", "the token stops working at `TIME`, RFC 3339 (2027-01-01T00:00:00+07:00); default never")
	file := dbFlags(fs)
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
	case *expiresIn != "" && *expiresAt != "":
		return &usageError{msg: "give --expires-in or --expires-at, not both", usage: fs.Usage}
	}
	spec := registry.TokenSpec{Name: *name, Role: camera.Role(*role)}
	if *expiresIn != "" {
		d, err := registry.ParseTokenLifetime(*expiresIn)
		if err != nil {
			return &usageError{msg: "--expires-in " + err.Error(), usage: fs.Usage}
		}
		if d <= 0 {
			return &usageError{msg: fmt.Sprintf("--expires-in must be more than 0, got %q", *expiresIn), usage: fs.Usage}
		}
		spec.ExpiresIn = d
	}
	if *expiresAt != "" {
		t, err := time.Parse(time.RFC3339, *expiresAt)
		if err != nil {
			return &usageError{msg: fmt.Sprintf("--expires-at must be a time such as 2027-01-01T00:00:00+07:00, got %q", *expiresAt), usage: fs.Usage}
		}
		spec.ExpiresAt = t
	}
	var tok registry.Token
	var secret string
	path, err := c.with(stoppedStore{fs, *file, false, "/api/v1/tokens"}, func(store *registry.Store) (err error) {
		tok, secret, err = store.CreateToken(ctx, spec, cliActor)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, secret)
	expiry := ""
	if !tok.ExpiresAt.IsZero() {
		expiry = ", expiring " + localTime(tok.ExpiresAt)
	}
	fmt.Fprintf(c.stderr, "created %s token %q (id %s%s) in %s; it is shown only this once\n", *role, *name, tok.ID, expiry, path)
	return nil
}

// tokenList prints every token of the database as a table: never a
// secret (none is stored).
func (c *cli) tokenList(ctx context.Context, args []string) error {
	fs := c.newFlagSet("token list", tokenListSynopsis)
	file := dbFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	var tokens []registry.Token
	_, err = c.with(stoppedStore{fs, *file, true, "/api/v1/tokens"}, func(store *registry.Store) (err error) {
		tokens, err = store.ListTokens(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		fmt.Fprintln(c.stderr, "no tokens: create one with "+strings.TrimPrefix(tokenSynopsis, "matthan "))
		return nil
	}
	now := time.Now()
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tCREATED\tCREATED BY\tLAST USED\tEXPIRES")
	for _, t := range tokens {
		last, expires := "never", "never"
		if !t.LastUsedAt.IsZero() {
			last = localTime(t.LastUsedAt)
		}
		if !t.ExpiresAt.IsZero() {
			expires = localTime(t.ExpiresAt)
			if t.Expired(now) {
				expires += " (expired)"
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, localTime(t.CreatedAt), t.CreatedBy, last, expires)
	}
	return w.Flush()
}

// tokenRevoke deletes a token by its id (from token list); the audit log
// records it.
func (c *cli) tokenRevoke(ctx context.Context, args []string) error {
	fs := c.newFlagSet("token revoke", tokenRevokeSynopsis)
	file := dbFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, "ID"); err != nil {
		return err
	}
	var tok registry.Token
	path, err := c.with(stoppedStore{fs, *file, false, "/api/v1/tokens"}, func(store *registry.Store) (err error) {
		tok, err = store.RevokeToken(ctx, pos[0], cliActor)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "revoked %s token %q (id %s) in %s\n", tok.Role, tok.Name, tok.ID, path)
	return nil
}

// dbFlags adds --config and --db, which find the database as serve does.
func dbFlags(fs *flagSet) (file *string) {
	file = fs.String("config", "", "YAML configuration `FILE` to take the database path from (default $"+envConfig+")")
	fs.String("db", defaultDB, "database file `PATH`")
	return file
}

// stoppedStore is a command's use of a stopped daemon's database: which
// file (--config, --db), whether only to read it, and the route of a
// running daemon that does the same (named when the file is locked).
type stoppedStore struct {
	fs       *flagSet
	file     string
	readOnly bool
	route    string
}

// with opens the database, runs fn on it and closes it; the path is
// the file's. An error of fn comes first, then one of closing.
func (c *cli) with(o stoppedStore, fn func(*registry.Store) error) (path string, err error) {
	store, path, err := c.openStoppedStore(o.fs, o.file, o.readOnly, o.route)
	if err != nil {
		return "", err
	}
	err = fn(store)
	if cerr := store.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close database: %w", cerr)
	}
	return path, err
}

// openStoppedStore opens the database that serve would open with the
// same config, environment and --db. readOnly opens an existing file
// without creating it. route is what to use instead on a running daemon.
func (c *cli) openStoppedStore(fs *flagSet, file string, readOnly bool, route string) (*registry.Store, string, error) {
	cfg, err := c.stoppedConfig(fs, file)
	if err != nil {
		return nil, "", err
	}
	store, err := registry.Open(cfg.DB, registry.Options{Timeout: 500 * time.Millisecond, ReadOnly: readOnly})
	if err != nil {
		if errors.Is(err, registry.ErrLocked) {
			return nil, "", fmt.Errorf("%w\nstop the daemon first, or use the running daemon's %s with an admin token", err, route)
		}
		return nil, "", err
	}
	return store, cfg.DB, nil
}

// stoppedConfig loads the configuration serve would load with the same
// --config, environment and --db.
func (c *cli) stoppedConfig(fs *flagSet, file string) (*config, error) {
	src := configSource{File: file, Getenv: c.getenv, Flags: map[string]string{}}
	if src.File == "" {
		src.File = c.getenv(envConfig)
	}
	if v, ok := setFlags(fs)["db"]; ok {
		src.Flags["db"] = v
	}
	return loadConfig(src)
}

// localTime writes a time for people: RFC 3339 in the machine's zone,
// with its offset.
func localTime(t time.Time) string { return t.Local().Format(time.RFC3339) }

func roleList() string {
	names := make([]string, len(camera.Roles))
	for i, r := range camera.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
