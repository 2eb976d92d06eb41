package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// flagSet is a command's flags: the standard flag package for parsing,
// with this program's usage. Help that was asked for (-h, --help) goes to
// stdout and exits 0; a wrong flag goes to stderr with the usage and exits
// 2. Flags are listed as people type them: one dash for a one-letter
// alias, two for a name ("-o, --output FILE"), where the flag package
// would print "-o" and "-output" on lines of their own.
type flagSet struct {
	*flag.FlagSet
	synopsis       string
	stdout, stderr io.Writer
	aliases        map[string]string // long name → one-letter alias
}

// newFlagSet returns a flag set for a command that reports errors instead
// of exiting. Its Usage prints the synopsis and the flags on stderr, for
// usage errors.
func (c *cli) newFlagSet(name, synopsis string) *flagSet {
	fs := &flagSet{
		FlagSet:  flag.NewFlagSet(name, flag.ContinueOnError),
		synopsis: synopsis, stdout: c.stdout, stderr: c.stderr,
		aliases: map[string]string{},
	}
	// The flag package's own messages are rewritten in parse.
	fs.SetOutput(io.Discard)
	fs.Usage = func() { fs.printUsage(fs.stderr) }
	return fs
}

// alias adds the one-letter short for the flag long, sharing its value.
func (fs *flagSet) alias(short, long string) {
	f := fs.Lookup(long)
	if f == nil || len(short) != 1 {
		panic("alias " + short + " of unknown flag " + long) // a programming error
	}
	fs.Var(f.Value, short, "short for --"+long)
	fs.aliases[long] = short
}

// printUsage writes the synopsis (and the text after it), then the flags.
func (fs *flagSet) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage:\n  %s\n", strings.TrimSpace(fs.synopsis))
	fs.printFlags(w)
}

// printFlags lists the flags in name order, an alias on its flag's line.
// A flag's default is shown when it is not the zero value.
//
//	-o, --output FILE
//	      write to FILE instead of stdout
//	    --server URL
//	      base URL of the daemon
func (fs *flagSet) printFlags(w io.Writer) {
	shorts := map[string]bool{}
	for _, s := range fs.aliases {
		shorts[s] = true
	}
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if shorts[f.Name] {
			return
		}
		if first {
			fmt.Fprint(w, "\nFlags:\n")
			first = false
		}
		arg, usage := flag.UnquoteUsage(f)
		line := "      " + flagName(f.Name)
		if s, ok := fs.aliases[f.Name]; ok {
			line = "  " + flagName(s) + ", " + flagName(f.Name)
		}
		if arg != "" {
			line += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" {
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n        %s\n", line, usage)
	})
}

// flagName is a flag as it is written: -o, --output.
func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagInMessage finds a flag named in the flag package's messages ("flag
// provided but not defined: -port").
var flagInMessage = regexp.MustCompile(`(^|[ :])-{1,2}([A-Za-z0-9][A-Za-z0-9_-]*)`)

// parseFlags parses args with fs, allowing flags after positional
// arguments ("import cameras FILE --atomic" reads as naturally as the
// other order; the standard flag package stops at the first non-flag). An
// argument "--" ends the flags. It returns the positional arguments.
// -h or --help prints the usage on stdout and returns flag.ErrHelp; a bad
// flag is a usage error naming it.
func parseFlags(fs *flagSet, args []string) ([]string, error) {
	// The flag package calls Usage on every error and on -h; parseFlags
	// decides where the usage goes instead.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.printUsage(fs.stdout)
				return nil, err
			}
			msg := flagInMessage.ReplaceAllStringFunc(err.Error(), func(m string) string {
				sub := flagInMessage.FindStringSubmatch(m)
				return sub[1] + flagName(sub[2])
			})
			return nil, &usageError{msg: msg, usage: usage}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(fs *flagSet, pos []string, names ...string) error {
	switch {
	case len(pos) < len(names):
		return &usageError{msg: "missing " + strings.Join(names[len(pos):], " "), usage: fs.Usage}
	case len(pos) > len(names):
		return &usageError{msg: fmt.Sprintf("unexpected argument %q", pos[len(names)]), usage: fs.Usage}
	}
	return nil
}

// setFlags returns the flags given on the command line, by name: only
// those override the layers below (a flag's default must not undo a
// setting of the config file).
func setFlags(fs *flagSet) map[string]string {
	m := map[string]string{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = f.Value.String() })
	return m
}
