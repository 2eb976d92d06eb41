package camera

import "reflect"

// Diff returns the JSON names of the fields that differ between a and b,
// in declaration order, for the audit log. Credentials appear as
// "rtsp_credentials" — never their values. Timestamps are ignored.
func Diff(a, b *Camera) []string {
	var out []string
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	t := va.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		switch f.Name {
		case "CreatedAt", "UpdatedAt":
			continue
		case "Credentials":
			if a.Credentials != b.Credentials {
				out = append(out, "rtsp_credentials")
			}
			continue
		}
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, jsonName(f))
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	for i := range len(tag) {
		if tag[i] == ',' {
			return tag[:i]
		}
	}
	if tag == "" {
		return f.Name
	}
	return tag
}
