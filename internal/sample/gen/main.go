// Command gen writes the sample district of Chợ Gạo into
// internal/sample/data. Run it from the repository root after changing the
// generator:
//
//	go run ./internal/sample/gen
//
// or, from internal/sample, `go generate`. It only writes files: the data
// are made by sample.Generate, which the package's tests run again to check
// that the embedded files are up to date.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/matthan/matthan/internal/sample"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run generates the files into the -out directory and lists them.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", filepath.Join("internal", "sample", "data"), "directory to write the sample files into")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if st, err := os.Stat(*out); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "gen: %s is not a directory (run from the repository root, or pass -out)\n", *out)
		return 1
	}
	files, err := sample.Generate()
	if err != nil {
		fmt.Fprintln(stderr, "gen:", err)
		return 1
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(*out, name)
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			fmt.Fprintln(stderr, "gen:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%-40s %8d bytes\n", path, len(files[name]))
	}
	return 0
}
