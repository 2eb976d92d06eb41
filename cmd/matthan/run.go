package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed, an import had rejected rows, a probed camera is not up
	exitUsage   = 2 // unknown command or flag, missing argument
)

// cli is one invocation: the standard streams and the environment, passed
// in rather than read from package os so that tests run commands
// in-process, in parallel, each with its own environment.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// run is main without the process: it runs one command and returns its
// exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return c.run(ctx, args)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(c *cli, ctx context.Context, args []string) error
}

// commands lists the subcommands in the order usage shows them. Commands
// with sub-verbs (token create, import cameras, export cameras) dispatch
// their verb themselves, so that later kinds (import donations, ...) slot in.
// It is a function because help refers back to it.
func commands() []command {
	return []command{
		{"serve", "run the daemon", (*cli).serve},
		{"demo", "run the daemon on a fresh sample district, for a first look", (*cli).demo},
		{"token", "create, list or revoke API tokens in a stopped daemon's database", (*cli).token},
		{"user", "create, list, reset or disable the console's users in a stopped daemon's database", (*cli).user},
		{"import", "send cameras (CSV or GeoJSON) to a running daemon", (*cli).importCmd},
		{"export", "fetch every camera (CSV, GeoJSON or XLSX) from a running daemon", (*cli).export},
		{"backup", "save a hot backup of a running daemon's database", (*cli).backup},
		{"report", "print the district summary of a running daemon", (*cli).report},
		{"probe", "check one camera's RTSP stream now and say what was found", (*cli).probe},
		{"verify", "re-hash every evidence clip in a stopped daemon's database", (*cli).verify},
		{"tips", "reveal a tip's informant with a chief's key, or reseal every informant to new keys", (*cli).tips},
		{"version", "print the version", (*cli).version},
		{"help", "show help for a command", (*cli).help},
	}
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return &c
		}
	}
	return nil
}

func (c *cli) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		c.usage(c.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		c.usage(c.stdout)
		return exitOK
	case "-v", "-version", "--version":
		name = "version"
	}
	cmd := findCommand(name)
	if cmd == nil {
		fmt.Fprintf(c.stderr, "matthan: unknown command %q\n\n", name)
		c.usage(c.stderr)
		return exitUsage
	}
	err := cmd.run(c, ctx, args[1:])
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		// The flag set has printed its usage on stdout already.
		return exitOK
	case errors.As(err, &ue):
		if ue.msg != "" {
			fmt.Fprintf(c.stderr, "matthan %s: %s\n", name, ue.msg)
		}
		if ue.usage != nil {
			ue.usage()
		}
		return exitUsage
	case errors.Is(err, errReported):
		return exitFailure
	default:
		fmt.Fprintf(c.stderr, "matthan %s: %v\n", name, err)
		return exitFailure
	}
}

// usage prints the list of commands.
func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, "Mắt Thần: the registry of a community's CCTV cameras.\n\nUsage:\n  matthan COMMAND [ARGUMENTS] [FLAGS]\n\nCommands:\n")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprint(w, "\nRun \"matthan help COMMAND\" or \"matthan COMMAND --help\" for a command's flags.\n")
}

// help prints a command's usage on stdout: asked for, so not an error.
func (c *cli) help(ctx context.Context, args []string) error {
	if len(args) == 0 {
		c.usage(c.stdout)
		return nil
	}
	cmd := findCommand(args[0])
	if cmd == nil || cmd.name == "help" {
		return &usageError{msg: fmt.Sprintf("unknown command %q", args[0]), usage: func() { c.usage(c.stderr) }}
	}
	// Every command prints its usage on stdout on -h.
	err := cmd.run(c, ctx, append(args[1:], "-h"))
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// errReported is returned by a command that has already told the user what
// went wrong (an import's rejected rows): run only sets the exit status.
var errReported = errors.New("failure already reported")

// usageError is a command line that cannot be run: exit status 2, with the
// command's usage.
type usageError struct {
	msg   string
	usage func()
}

func (e *usageError) Error() string { return e.msg }

// verb is the second word of a two-word command and its synopsis.
type verb struct{ name, synopsis string }

// subcommand splits off the verb or kind of a two-word command ("token
// create", "import cameras") and checks it is one of the known ones.
func (c *cli) subcommand(cmd string, args []string, known ...verb) (string, []string, error) {
	usageTo := func(w io.Writer) {
		fmt.Fprintf(w, "Usage:\n")
		for _, k := range known {
			fmt.Fprintf(w, "  %s\n", k.synopsis)
		}
		fmt.Fprintf(w, "\nRun \"matthan help %s %s\" for its flags.\n", cmd, known[0].name)
	}
	usage := func() { usageTo(c.stderr) }
	names := make([]string, len(known))
	for i, k := range known {
		names[i] = k.name
	}
	if len(args) == 0 {
		return "", nil, &usageError{msg: "missing " + strings.Join(names, " or "), usage: usage}
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usageTo(c.stdout)
		return "", nil, flag.ErrHelp
	}
	for _, k := range known {
		if args[0] == k.name {
			return k.name, args[1:], nil
		}
	}
	return "", nil, &usageError{msg: fmt.Sprintf("unknown %s %q", cmd, args[0]), usage: usage}
}
