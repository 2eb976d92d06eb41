//go:build ignore

// vulndb tells make lint whether govulncheck's database can be reached:
// it asks for the database's index (index/db.json.gz, the smallest file
// govulncheck reads) and exits 0 when it comes within the timeout, 2
// with the reason on stderr when it does not, 1 on a usage error. It is
// Go's default HTTP client, as govulncheck's is, so proxies named in the
// environment and the trusted roots are the ones govulncheck would use:
// reachable here means reachable there. A file:// database is on disk
// and always counts as reachable (govulncheck reports a bad one itself).
//
// Built by make into bin/ (the directory's leading dot keeps it out of
// ./...): go build -o bin/vulndb .ci/vulndb.go
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() {
	timeout := flag.Duration("timeout", 5*time.Second, "how long the database has to answer")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: vulndb [-timeout 5s] URL")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(1)
	}
	db := strings.TrimRight(flag.Arg(0), "/")
	u, err := url.Parse(db)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") {
		fmt.Fprintf(os.Stderr, "vulndb: %q is not an http, https or file URL\n", db)
		os.Exit(1)
	}
	if u.Scheme == "file" {
		return
	}
	if err := reach(db+"/index/db.json.gz", *timeout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// reach asks for url and wants 200 OK within timeout.
func reach(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
