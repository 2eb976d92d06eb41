package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

const importSynopsis = "matthan import cameras FILE|- [--server URL] [--token T] [--atomic] [--format csv|geojson]"

// Camera file formats and their media types, as the import endpoint tells
// them apart.
var formats = map[string]string{
	"csv":     "text/csv; charset=utf-8",
	"geojson": "application/geo+json",
}

// importResult is the answer of POST /api/v1/cameras/import.
type importResult struct {
	Created    int         `json:"created"`
	Updated    int         `json:"updated"`
	Unchanged  int         `json:"unchanged"`
	Rejected   int         `json:"rejected"`
	Rejections []rejection `json:"rejections"`
}

// rejection is one row (CSV line) or feature (GeoJSON) the daemon refused.
type rejection struct {
	Line    int    `json:"line"`
	Feature *int   `json:"feature"` // 0 is a valid feature index
	ID      string `json:"id"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
}

func (r rejection) String() string {
	var b strings.Builder
	switch {
	case r.Line > 0:
		fmt.Fprintf(&b, "line %d", r.Line)
	case r.Feature != nil:
		fmt.Fprintf(&b, "feature %d", *r.Feature)
	default:
		b.WriteString("row")
	}
	if r.ID != "" {
		fmt.Fprintf(&b, " (id %q)", r.ID)
	}
	b.WriteString(": ")
	if r.Field != "" && !strings.HasPrefix(r.Reason, r.Field+":") {
		b.WriteString(r.Field + ": ")
	}
	b.WriteString(r.Reason)
	return b.String()
}

// importCmd dispatches "import KIND".
func (c *cli) importCmd(ctx context.Context, args []string) error {
	_, rest, err := c.subcommand("import", args, verb{"cameras", importSynopsis})
	if err != nil {
		return err
	}
	return c.importCameras(ctx, rest)
}

// importCameras streams FILE to the daemon: the file is never held in
// memory here, whatever its size, and the progress bar counts the bytes
// the HTTP client actually reads from it.
func (c *cli) importCameras(ctx context.Context, args []string) error {
	fs := c.newFlagSet("import cameras", importSynopsis)
	server, token := c.clientFlags(fs)
	atomic := fs.Bool("atomic", false, "all or nothing: store no camera when any row is rejected")
	format := fs.String("format", "", "`FORMAT` of the file, csv or geojson (default: from its extension)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, "FILE"); err != nil {
		return err
	}
	path := pos[0]
	if path == "-" && *format == "" {
		return &usageError{msg: "reading from stdin (FILE -): give --format csv or --format geojson", usage: fs.Usage}
	}
	if *format == "" {
		*format = formatOf(path)
		if *format == "" {
			return &usageError{msg: fmt.Sprintf("cannot tell the format of %s from its extension: give --format csv or --format geojson", path), usage: fs.Usage}
		}
	}
	ctype, ok := formats[*format]
	if !ok {
		return &usageError{msg: fmt.Sprintf("--format must be csv or geojson, got %q", *format), usage: fs.Usage}
	}
	cl, err := c.newClient(fs, *server, *token)
	if err != nil {
		return err
	}

	body, size, err := c.openInput(path)
	if err != nil {
		return err
	}
	defer body.Close()
	var bar *progressbar.ProgressBar
	if size >= 0 {
		bar = c.progressBar(size, "importing "+filepath.Base(path))
	}
	var r io.Reader = body
	if bar != nil {
		pr := progressbar.NewReader(body, bar)
		r = &pr
	}
	q := url.Values{}
	if *atomic {
		q.Set("atomic", "true")
	}
	resp, err := cl.do(ctx, request{
		method: http.MethodPost, path: "/api/v1/cameras/import", query: q,
		body: r, length: size, contentType: ctype, accept: "application/json",
	})
	if bar != nil {
		// Stop the bar, also when the server answered before reading all
		// of the file (a body over the limit), and end its line.
		_ = bar.Exit()
		fmt.Fprintln(c.stderr)
	}
	if err != nil {
		if pe, ok := isProblem(err); ok && len(pe.problem.Rejections) > 0 {
			c.printRejections(pe.problem.Rejections, len(pe.problem.Rejections))
		}
		return err
	}
	defer resp.Body.Close()
	var res importResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("read the server's answer: %w", err)
	}
	if res.Rejected == 0 {
		res.Rejected = len(res.Rejections)
	}
	fmt.Fprintf(c.stdout, "created %d, updated %d, unchanged %d, rejected %d\n", res.Created, res.Updated, res.Unchanged, res.Rejected)
	if res.Rejected > 0 {
		c.printRejections(res.Rejections, res.Rejected)
		return errReported
	}
	return nil
}

// openInput opens FILE, or stdin for "-" (size -1: unknown, streamed
// chunked).
func (c *cli) openInput(path string) (io.ReadCloser, int64, error) {
	if path == "-" {
		return io.NopCloser(c.stdin), -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

func (c *cli) printRejections(rs []rejection, total int) {
	for _, r := range rs {
		fmt.Fprintf(c.stdout, "rejected %s\n", r)
	}
	if more := total - len(rs); more > 0 {
		fmt.Fprintf(c.stdout, "... and %d more rejected\n", more)
	}
}

// formatOf guesses a camera file's format from its extension.
func formatOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv"
	case ".geojson", ".json":
		return "geojson"
	}
	return ""
}

// progressBar returns a byte progress bar on stderr when stderr is a
// terminal, and nil otherwise: a bar's carriage returns would only clutter
// a log file or a CI transcript.
func (c *cli) progressBar(size int64, desc string) *progressbar.ProgressBar {
	f, ok := c.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
	)
}
