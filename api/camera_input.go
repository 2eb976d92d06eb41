package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/matthan/matthan/camera"
	"github.com/matthan/matthan/internal/vntext"
)

// cameraInput is the JSON a client sends to create, replace or patch a
// camera. Pointers tell "absent" from "zero": PATCH changes only the
// fields present, POST insists on lat and lon, and only an absent field
// (or null) takes its default — "fov_deg": 0 or "site": "" is validated
// as given and refused. Credentials come in rtsp_url — its userinfo and
// its credential query parameters (camera.SplitRTSPURL) — or in
// rtsp_username / rtsp_password; they are never sent back.
type cameraInput struct {
	ID           *string  `json:"id"`
	Name         *string  `json:"name"`
	Lat          *float64 `json:"lat"`
	Lon          *float64 `json:"lon"`
	Commune      *string  `json:"commune"`
	District     *string  `json:"district"`
	Province     *string  `json:"province"`
	RoadClass    *string  `json:"road_class"`
	Site         *string  `json:"site"`
	DirectionDeg *float64 `json:"direction_deg"`
	FOVDeg       *float64 `json:"fov_deg"`
	RangeM       *float64 `json:"range_m"`
	RTSPURL      *string  `json:"rtsp_url"`
	RTSPUsername *string  `json:"rtsp_username"`
	RTSPPassword *string  `json:"rtsp_password"`
	InstalledOn  *string  `json:"installed_on"`
	CostVND      *int64   `json:"cost_vnd"`
	Status       *string  `json:"status"`
	Notes        *string  `json:"notes"`
	// Read-only fields a client may send back unchanged after a GET.
	HasCredentials *bool            `json:"has_credentials"`
	CreatedAt      *json.RawMessage `json:"created_at"`
	UpdatedAt      *json.RawMessage `json:"updated_at"`
}

// decodeJSON reads a JSON body of at most the server's body limit into v,
// strictly: unknown fields, trailing data, invalid UTF-8 and wrong types
// are errors naming the field.
func (s *Server) decodeJSON(c *gin.Context, v any) error {
	body, err := readAll(c, s.bodyLimit)
	if err != nil {
		return err
	}
	return decodeStrict(body, v)
}

// readAll reads a whole request body of at most limit bytes; over the
// limit the error is the *http.MaxBytesError that writeError answers 413.
func readAll(c *gin.Context, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	if err != nil {
		return nil, readError(err)
	}
	return body, nil
}

func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return invalid("body", "is empty: a JSON object is required")
	}
	if !utf8.Valid(body) {
		return invalid("body", "is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return invalid("body", "has data after the JSON object")
	}
	return nil
}

// jsonError turns encoding/json's errors into messages naming the field.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return invalid("body", "is not valid JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return invalid(field, "must be a %s, got a JSON %s", jsonKind(te.Type.String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "ends in the middle of the JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(name, "is not a known field")
	}
	return invalid("body", "is not valid JSON: %v", err)
}

func jsonKind(goType string) string {
	t := strings.TrimLeft(goType, "*")
	switch {
	case strings.HasPrefix(t, "float"):
		return "number"
	case strings.HasPrefix(t, "int"):
		return "whole number"
	case t == "string", strings.HasSuffix(t, "Role"):
		return "string"
	case t == "bool":
		return "boolean"
	}
	return t
}

// apply writes the fields present in in onto c, normalising text to NFC
// and splitting credentials off the URL. It reports whether credentials
// were given (in the URL or in their own fields).
func (in *cameraInput) apply(c *camera.Camera) (credsGiven bool, err error) {
	str := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(vntext.NFC(*src))
		}
	}
	str(&c.ID, in.ID)
	str(&c.Name, in.Name)
	str(&c.Commune, in.Commune)
	str(&c.District, in.District)
	str(&c.Province, in.Province)
	str(&c.InstalledOn, in.InstalledOn)
	if in.Notes != nil {
		c.Notes = vntext.NFC(*in.Notes)
	}
	if in.Lat != nil {
		c.Lat = *in.Lat
	}
	if in.Lon != nil {
		c.Lon = *in.Lon
	}
	if in.RoadClass != nil {
		c.RoadClass = camera.RoadClass(strings.TrimSpace(*in.RoadClass))
	}
	if in.Site != nil {
		c.Site = camera.Site(strings.TrimSpace(*in.Site))
	}
	if in.Status != nil {
		c.Status = camera.Status(strings.TrimSpace(*in.Status))
	}
	if in.DirectionDeg != nil {
		c.DirectionDeg = *in.DirectionDeg
	}
	if in.FOVDeg != nil {
		c.FOVDeg = *in.FOVDeg
	}
	if in.RangeM != nil {
		c.RangeM = *in.RangeM
	}
	if in.CostVND != nil {
		c.CostVND = *in.CostVND
	}
	if in.RTSPURL != nil {
		raw := strings.TrimSpace(*in.RTSPURL)
		if raw == "" {
			c.RTSPURL = ""
		} else {
			clean, creds, err := camera.SplitRTSPURL(raw)
			if err != nil {
				return false, err
			}
			c.RTSPURL = clean
			if !creds.Empty() {
				c.Credentials = creds
				credsGiven = true
			}
		}
	}
	if in.RTSPUsername != nil {
		c.Credentials.Username = *in.RTSPUsername
		credsGiven = true
	}
	if in.RTSPPassword != nil {
		c.Credentials.Password = *in.RTSPPassword
		credsGiven = true
	}
	return credsGiven, nil
}

// requireFields checks that a full camera (POST, PUT) names what cannot be
// defaulted.
func (in *cameraInput) requireFields() error {
	switch {
	case in.Name == nil:
		return invalid("name", "is required")
	case in.Lat == nil:
		return invalid("lat", "is required")
	case in.Lon == nil:
		return invalid("lon", "is required")
	}
	return nil
}

// idWithoutQuery reads the id of a route that takes no query parameters
// (GET /incidents/{id} and the like), refusing any.
func idWithoutQuery(c *gin.Context) (string, error) {
	if _, err := checkQuery(c); err != nil {
		return "", err
	}
	return pathID(c)
}

// pathID returns the :id path parameter, checked.
func pathID(c *gin.Context) (string, error) {
	id := c.Param("id")
	if err := camera.ValidateID(id); err != nil {
		return "", err
	}
	return id, nil
}
