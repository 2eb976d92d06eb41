package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

const exportSynopsis = "matthan export cameras [--format csv|geojson] [--output FILE] [--server URL] [--token T]"

// export dispatches "export KIND".
func (c *cli) export(ctx context.Context, args []string) error {
	_, rest, err := c.subcommand("export", args, verb{"cameras", exportSynopsis})
	if err != nil {
		return err
	}
	return c.exportCameras(ctx, rest)
}

// exportCameras writes every camera, in the daemon's export format, to
// stdout or to a file. A file is written atomically, so that a cron job
// that exports every night never leaves a truncated file behind.
func (c *cli) exportCameras(ctx context.Context, args []string) error {
	fs := c.newFlagSet("export cameras", exportSynopsis)
	server, token := c.clientFlags(fs)
	format := fs.String("format", "csv", "`FORMAT`: csv or geojson")
	output := fs.String("output", "", "write to `FILE` instead of stdout")
	fs.alias("o", "output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos); err != nil {
		return err
	}
	ctype, ok := formats[*format]
	if !ok {
		return &usageError{msg: fmt.Sprintf("--format must be csv or geojson, got %q", *format), usage: fs.Usage}
	}
	cl, err := c.newClient(fs, *server, *token)
	if err != nil {
		return err
	}
	resp, err := cl.do(ctx, request{
		method: http.MethodGet, path: "/api/v1/cameras/export",
		query: url.Values{"format": {*format}}, accept: ctype,
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if *output == "" {
		if _, err := io.Copy(c.stdout, resp.Body); err != nil {
			return fmt.Errorf("export interrupted: %w", err)
		}
		return nil
	}
	n, err := writeFileAtomic(*output, func(w io.Writer) (int64, error) { return io.Copy(w, resp.Body) }, nil)
	if err != nil {
		return fmt.Errorf("export to %s: %w", *output, err)
	}
	fmt.Fprintf(c.stderr, "exported %d bytes to %s\n", n, *output)
	return nil
}
