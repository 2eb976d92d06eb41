package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"
)

// openapiYAML is the OpenAPI 3.1 description of every route of the API,
// written by hand beside the handlers (openapi.yaml). It is kept true by
// tests: the router's routes and its paths are the same set, and real
// answers validate against its schemas (api/apitest).
//
//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI returns the API's OpenAPI 3.1 description as JSON, its members
// in the order the YAML file writes them.
func OpenAPI() ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	var b bytes.Buffer
	if err := appendJSON(&b, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return b.Bytes(), nil
}

// openAPIDescription answers GET /api/v1/openapi.json to anyone: the
// description holds no secret (it is the repository's openapi.yaml), and
// the tools that read one (code generators, API explorers, linters)
// fetch it without credentials.
func (s *Server) openAPIDescription(c *gin.Context) {
	if _, err := checkQuery(c); err != nil {
		s.writeError(c, err)
		return
	}
	doc, err := s.openapi()
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", doc)
}

// appendJSON writes the YAML node n as JSON. YAML's JSON-compatible
// subset is all the description uses; anything else (a binary scalar, a
// map key that is not a scalar) is an error rather than a guess.
func appendJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: a document must hold one value", n.Line)
		}
		return appendJSON(b, n.Content[0])
	case yaml.AliasNode:
		return appendJSON(b, n.Alias)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a key must be a scalar", k.Line)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			appendString(b, k.Value)
			b.WriteByte(':')
			if err := appendJSON(b, v); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, v := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := appendJSON(b, v); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		return appendScalar(b, n)
	}
	return fmt.Errorf("line %d: unexpected YAML node kind %d", n.Line, n.Kind)
}

// appendScalar writes a scalar by its resolved tag. A timestamp (an
// unquoted date) stays the text it was written as: JSON has no dates.
func appendScalar(b *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!str", "!!timestamp":
		appendString(b, n.Value)
	case "!!null":
		b.WriteString("null")
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		b.WriteString(strconv.FormatBool(v))
	case "!!int":
		var v int64
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		b.WriteString(strconv.FormatInt(v, 10))
	case "!!float":
		var v float64
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err) // NaN and infinities have no JSON
		}
		b.Write(raw)
	default:
		return fmt.Errorf("line %d: %s scalars have no JSON form", n.Line, n.ShortTag())
	}
	return nil
}

// appendString writes s as a JSON string, leaving <, > and & as they are
// (the description quotes Link headers).
func appendString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode ends with a newline
}
