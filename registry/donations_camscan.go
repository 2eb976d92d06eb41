package registry

import (
	"bytes"
	"encoding/json"
	"math"
)

// cameraFacts are the fields of a camera record that donations and the
// funding views need. The slices point into the record (or into a copy
// when the record needed unescaping): valid as long as the transaction.
type cameraFacts struct {
	name, commune, status []byte
	cost                  int64
}

// scanCamera reads the facts of a stored camera record. Funding views and
// the cost metric read every camera of a million-camera registry, and
// decoding each record whole with encoding/json would cost them seconds:
// fastScanCamera walks the JSON object's members and stops once it has the
// four it needs. Anything it does not expect sends the record through
// decodeCamera, so the answer is the same either way.
func scanCamera(v []byte, f *cameraFacts) error {
	if fastScanCamera(v, f) {
		return nil
	}
	c, err := decodeCamera(v)
	if err != nil {
		return err
	}
	*f = cameraFacts{name: []byte(c.Name), commune: []byte(c.Commune), status: []byte(c.Status), cost: c.CostVND}
	return nil
}

// keyCost is the cost member's key as encoding/json writes it. Inside a
// JSON string every quote is escaped, so "cost_vnd": (quote, name, quote,
// colon) cannot occur in a value: in a flat object it is found only as
// the member's key.
var keyCost = []byte(`"cost_vnd":`)

// fastScanCamera is scanCamera's fast path; false means "use the slow
// one". A stored record is what encoding/json wrote: an object, member
// keys without escapes, cost_vnd a plain integer, and the members in the
// order of camera.Camera, where name and commune come early and cost_vnd
// and status late. Once it has name and commune it jumps to cost_vnd,
// when the object is flat (no '{' or '[' after the first byte, even in a
// string), over the eight members in between: that halves the time.
func fastScanCamera(v []byte, f *cameraFacts) bool {
	*f = cameraFacts{}
	const want = 4
	found := 0
	jumped := false
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '{' {
		return false
	}
	i++
	for {
		i = skipSpace(v, i)
		if i >= len(v) {
			return false
		}
		if v[i] == '}' {
			return true // a member absent is its zero value, as in encoding/json
		}
		if v[i] != '"' {
			return false
		}
		end, esc, ok := stringEnd(v, i)
		if !ok || esc {
			return false
		}
		key := v[i+1 : end-1]
		i = skipSpace(v, end)
		if i >= len(v) || v[i] != ':' {
			return false
		}
		i = skipSpace(v, i+1)
		if i >= len(v) {
			return false
		}
		start := i
		switch v[i] {
		case '"':
			end, esc, ok = stringEnd(v, i)
		case '{', '[':
			end, ok = nestedEnd(v, i)
			esc = false
		default:
			end, esc, ok = scalarEnd(v, i), false, true
		}
		if !ok {
			return false
		}
		val := v[start:end]
		switch string(key) {
		case "name", "commune", "status":
			s, ok := jsonString(val, esc)
			if !ok {
				return false
			}
			switch key[0] {
			case 'n':
				f.name = s
			case 'c':
				f.commune = s
			default:
				f.status = s
			}
			found++
		case "cost_vnd":
			n, ok := parseInt(val)
			if !ok {
				return false
			}
			f.cost = n
			found++
		}
		if found == want {
			return true
		}
		i = skipSpace(v, end)
		if !jumped && f.name != nil && f.commune != nil && f.cost == 0 && f.status == nil {
			jumped = true
			if bytes.IndexByte(v[1:], '{') < 0 && bytes.IndexByte(v, '[') < 0 {
				if j := bytes.Index(v[i:], keyCost); j > 0 && v[i+j-1] == ',' {
					i += j
					continue
				}
			}
		}
		if i >= len(v) {
			return false
		}
		switch v[i] {
		case ',':
			i++
		case '}':
			return true
		default:
			return false
		}
	}
}

func skipSpace(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at
// v[i] == '"', and whether it holds a backslash escape. A plain loop:
// the strings of a camera are short, and bytes.IndexByte's setup costs
// more than it saves on them.
func stringEnd(v []byte, i int) (end int, esc, ok bool) {
	for j := i + 1; j < len(v); j++ {
		switch v[j] {
		case '"':
			return j + 1, esc, true
		case '\\':
			esc = true
			j++ // the escaped byte, a quote perhaps
		}
	}
	return 0, false, false
}

// nestedEnd returns the index just past the object or array at v[i].
func nestedEnd(v []byte, i int) (int, bool) {
	depth := 0
	for i < len(v) {
		switch v[i] {
		case '"':
			end, _, ok := stringEnd(v, i)
			if !ok {
				return 0, false
			}
			i = end
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
		i++
	}
	return 0, false
}

// scalarEnd returns the index just past a number or literal.
func scalarEnd(v []byte, i int) int {
	for i < len(v) {
		switch v[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// jsonString returns the text of the JSON string literal s: a sub-slice
// when it has no escapes, a decoded copy otherwise.
func jsonString(s []byte, esc bool) ([]byte, bool) {
	if len(s) < 2 || s[0] != '"' {
		return nil, false
	}
	if !esc {
		return s[1 : len(s)-1], true
	}
	var out string
	if err := json.Unmarshal(s, &out); err != nil {
		return nil, false
	}
	return []byte(out), true
}

// parseInt parses a JSON integer as encoding/json writes an int64.
func parseInt(s []byte) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}
