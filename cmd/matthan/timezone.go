package main

import (
	"fmt"
	"strings"
	"time"

	// The zone database inside the binary (about 450 KB): a container or
	// a small router often has no /usr/share/zoneinfo, and without it
	// Asia/Ho_Chi_Minh would not load.
	_ "time/tzdata"
)

// localTimeLayout is how times are printed for people: local, with the
// offset that says which zone, "2026-11-28 21:40 +07:00".
const localTimeLayout = "2006-01-02 15:04 -07:00"

// loadTimezone reads an IANA zone name such as Asia/Ho_Chi_Minh.
func loadTimezone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, fmt.Errorf("must be an IANA time zone such as %s", defaultTimezone)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("must be an IANA time zone such as %s, got %q", defaultTimezone, name)
	}
	return loc, nil
}

// location returns the configured zone, validated with the config.
func (c *config) location() *time.Location {
	loc, err := loadTimezone(c.Timezone)
	if err != nil {
		panic("config: timezone not validated: " + err.Error()) // a programming error
	}
	return loc
}

// clientTimezone is the zone a client command prints times in: its
// --timezone flag, else MATTHAN_TIMEZONE, else Asia/Ho_Chi_Minh.
func (c *cli) clientTimezone(fs *flagSet, flagValue string) (*time.Location, error) {
	name, from := flagValue, ""
	if name == "" {
		name, from = c.getenv(envTimezone), envTimezone
	}
	if name == "" {
		name = defaultTimezone
	}
	loc, err := loadTimezone(name)
	switch {
	case err != nil && from == envTimezone:
		return nil, fmt.Errorf("%s: %w", envTimezone, err)
	case err != nil:
		return nil, &usageError{msg: fmt.Sprintf("--timezone %v", err), usage: fs.Usage}
	}
	return loc, nil
}

// timezoneFlag adds --timezone to a command that prints times.
func timezoneFlag(fs *flagSet) *string {
	return fs.String("timezone", "", "print times in time `ZONE`, an IANA name (default $"+envTimezone+", else "+defaultTimezone+")")
}
