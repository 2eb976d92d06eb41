package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// byteSize is a number of bytes, written either as a plain number or with
// a unit (KB, MB, GB in powers of 1000; KiB, MiB, GiB in powers of 1024):
// "import_bytes: 256MiB" is easier to get right than 268435456.
type byteSize int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	// Longest suffixes first, so that "KiB" is not read as "B".
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"B", 1},
}

// parse reads a size. It accepts negative numbers so that validation can
// say what is wrong with them in terms of the key.
func (b *byteSize) parse(s string) error {
	bad := fmt.Errorf("must be a number of bytes such as 1048576 or 1MiB, got %q", s)
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return bad
	}
	if n > math.MaxInt64/mult || n < math.MinInt64/mult {
		return fmt.Errorf("%q is too large", s)
	}
	*b = byteSize(n * mult)
	return nil
}

// UnmarshalYAML implements yaml.Unmarshaler. Its errors are yaml type
// errors with the line, which config.loadFile rewrites to name the key.
func (b *byteSize) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: must be a number of bytes such as 1048576 or 1MiB", n.Line)}}
	}
	if err := b.parse(n.Value); err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	return nil
}

// duration is a time.Duration written with its unit ("15s", "1m30s").
// yaml's own time.Duration decoding reads a bare 15 as 15 nanoseconds,
// which as a shutdown timeout would silently cut every in-flight request;
// here a bare number is an error.
type duration time.Duration

func (d *duration) parse(s string) error {
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("must be a duration with its unit such as 15s or 2m, got %q", s)
	}
	*d = duration(v)
	return nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: must be a duration with its unit such as 15s or 2m", n.Line)}}
	}
	if err := d.parse(n.Value); err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	return nil
}

// String implements fmt.Stringer.
func (d duration) String() string { return time.Duration(d).String() }
