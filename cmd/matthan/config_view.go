package main

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
)

// The effective configuration as GET /api/v1/settings answers it to an
// admin (the console's Cấu hình page): every key of the YAML file with
// the value the daemon runs with and where it was set, and no secret.
//
// Secrets are kept out three ways. Values that are secrets have no YAML
// key (`yaml:"-"`: the admin token, the webhook secret) and are never
// walked; the answer says only whether each is set. Keys whose value may
// carry a credential (a webhook URL with a token in its path, a tile URL
// with an API key) are shown as scheme://host/… only. And every other
// key that holds text must be listed in settingShown: a key added to the
// config without being listed there is left out of the answer, and
// TestSettingsViewClassifiesEveryKey fails until its author decides how
// it is shown.

// settingsAnswer is the JSON of GET /api/v1/settings.
type settingsAnswer struct {
	Settings []settingValue `json:"settings"`
	// Secrets says which secrets from the environment are set, never
	// their values.
	Secrets []secretState `json:"secrets"`
}

// settingValue is one key of the configuration.
type settingValue struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
	// From is where the value was set: "default", "FILE line N", an
	// environment variable or "flag --NAME".
	From string `json:"from"`
	// Redacted is true when the value is URLs shown as scheme://host/…
	// only, because the rest may carry a credential.
	Redacted bool `json:"redacted,omitempty"`
}

// secretState is a secret read from the environment.
type secretState struct {
	Env string `json:"env"`
	Set bool   `json:"set"`
}

// shown is how a key holding text is shown.
type shown int

const (
	shownAsIs shown = iota + 1 // names, paths, addresses, networks
	shownHost                  // URLs: scheme://host/… only
)

// settingShown lists every key whose value holds text (strings, lists
// and maps of them), with how it is shown. Keys of numbers, booleans,
// durations and sizes are shown as they are without being listed.
var settingShown = map[string]shown{
	"listen":                   shownAsIs,
	"db":                       shownAsIs,
	"log_level":                shownAsIs,
	"timezone":                 shownAsIs,
	"http.trusted_proxies":     shownAsIs,
	"poller.intervals":         shownAsIs, // camera ids and durations
	"poller.webhooks":          shownHost, // a webhook URL often carries a token
	"probe.allow_networks":     shownAsIs,
	"probe.deny_networks":      shownAsIs,
	"clips.dir":                shownAsIs,
	"console.tile_url":         shownHost, // tile services put API keys in the URL
	"console.tile_attribution": shownAsIs,
	"tls.cert_file":            shownAsIs,
	"tls.key_file":             shownAsIs, // the path; the key itself is never read here
	"cluster.name":             shownAsIs,
	"cluster.etcd_endpoints":   shownHost, // checked to carry no credentials, shown as hosts all the same
	"cluster.node_id":          shownAsIs,
	"cluster.advertise_url":    shownAsIs, // checked to carry no credentials
	"cluster.tls.ca_file":      shownAsIs,
	"cluster.tls.cert_file":    shownAsIs,
	"cluster.tls.key_file":     shownAsIs, // the path only
	"tips.recipients":          shownAsIs, // public keys: they only seal
}

// newSettingsAnswer builds the answer from the loaded configuration.
func newSettingsAnswer(c *config) settingsAnswer {
	out := settingsAnswer{
		Secrets: []secretState{
			{Env: envAdminToken, Set: c.AdminToken != ""},
			{Env: envWebhookSecret, Set: c.Poller.WebhookSecret != ""},
		},
	}
	out.Settings = settingValues(reflect.ValueOf(c).Elem(), settingShown, c.origins)
	return out
}

// settingValues lists the keys of the config struct v as shown by table,
// with where each was set (origins; "default" when not there). A key
// holding text that table does not list is left out.
func settingValues(v reflect.Value, table map[string]shown, origins map[string]string) []settingValue {
	out := []settingValue{}
	walkSettings(v, "", func(key string, v reflect.Value) {
		how := shownAsIs
		if holdsText(v.Type()) {
			if how = table[key]; how == 0 {
				return // not classified: left out (see the comment above)
			}
		}
		from := origins[key]
		if from == "" {
			from = "default"
		}
		sv := settingValue{Key: key, Value: settingJSON(v), From: from}
		if how == shownHost {
			sv.Value, sv.Redacted = redactURLs(v), true
		}
		out = append(out, sv)
	})
	return out
}

// walkSettings calls leaf for every key of the struct v under prefix, in
// the order of the fields: sections are walked into, fields without a
// YAML key (secrets, bookkeeping) are skipped.
func walkSettings(v reflect.Value, prefix string, leaf func(key string, v reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			walkSettings(v.Field(i), prefix+name+".", leaf)
			continue
		}
		leaf(prefix+name, v.Field(i))
	}
}

// holdsText reports whether values of t can hold text: a string, or a
// list, map or pointer with one inside.
func holdsText(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String:
		return true
	case reflect.Slice, reflect.Array, reflect.Pointer:
		return holdsText(t.Elem())
	case reflect.Map:
		return holdsText(t.Key()) || holdsText(t.Elem())
	case reflect.Struct:
		for f := range t.Fields() {
			if holdsText(f.Type) {
				return true
			}
		}
	}
	return false
}

// settingJSON is a value as the config file would write it: durations
// as "1m0s", sizes as "256MiB", lists and maps of them alike.
func settingJSON(v reflect.Value) any {
	switch x := v.Interface().(type) {
	case duration:
		return x.String()
	case byteSize:
		return formatSize(x)
	}
	switch v.Kind() {
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = settingJSON(v.Index(i))
		}
		return out
	case reflect.Map:
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[fmt.Sprint(it.Key().Interface())] = settingJSON(it.Value())
		}
		return out
	}
	return v.Interface()
}

// redactURLs shows a URL, or a list of them, as scheme://host/… only.
func redactURLs(v reflect.Value) any {
	switch v.Kind() {
	case reflect.String:
		return redactURL(v.String())
	case reflect.Slice:
		out := make([]string, v.Len())
		for i := range out {
			out[i] = redactURL(v.Index(i).String())
		}
		return out
	}
	return "…"
}

// redactURL keeps a URL's scheme, host and port: the user, password,
// path, query and fragment may each carry a credential. A tile URL's
// {s} (the subdomain) stays as written; anything that does not parse as
// a URL with a host is hidden whole.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	const sub = "subdomain-placeholder"
	u, err := url.Parse(strings.ReplaceAll(s, "{s}", sub))
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return "…"
	}
	out := u.Scheme + "://" + strings.ReplaceAll(u.Host, sub, "{s}")
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		out += "/…"
	}
	return out
}

// formatSize writes a size as the config file would: with the largest
// binary unit that divides it ("256MiB"), else in bytes.
func formatSize(b byteSize) string {
	units := []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}
	for _, u := range units {
		if b != 0 && int64(b)%u.mult == 0 {
			return fmt.Sprintf("%d%s", int64(b)/u.mult, u.suffix)
		}
	}
	return fmt.Sprintf("%dB", int64(b))
}
