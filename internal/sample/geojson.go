package sample

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// The GeoJSON files are written by hand, one feature per line, so that
// they stay small, readable and diff well. Properties go through
// encoding/json (in struct field order); coordinates are written with the
// shortest decimal that round-trips, at most 6 decimals since they are
// rounded.

// featureCollection assembles features, each a complete JSON object.
func featureCollection(features [][]byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	for i, f := range features {
		b.Write(f)
		if i < len(features)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// feature writes one feature with the given properties and geometry.
func feature(props any, geometry []byte) ([]byte, error) {
	var p bytes.Buffer
	enc := json.NewEncoder(&p)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(props); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"type":"Feature","properties":`)
	b.Write(bytes.TrimSpace(p.Bytes()))
	b.WriteString(`,"geometry":`)
	b.Write(geometry)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// appendPos writes [lon,lat].
func appendPos(b []byte, p ll) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, p.Lon, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, p.Lat, 'f', -1, 64)
	return append(b, ']')
}

// appendLine writes [[lon,lat],...].
func appendLine(b []byte, pts []ll) []byte {
	b = append(b, '[')
	for i, p := range pts {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPos(b, p)
	}
	return append(b, ']')
}

// communesGeoJSON writes communes.geojson.
func communesGeoJSON(cs []*commune) ([]byte, error) {
	type props struct {
		Name     string `json:"name"`
		District string `json:"district"`
		Province string `json:"province"`
	}
	var fs [][]byte
	for _, c := range cs {
		g := append([]byte(`{"type":"Polygon","coordinates":[`), appendLine(nil, c.ring)...)
		g = append(g, "]}"...)
		f, err := feature(props{c.Name, District, Province}, g)
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return featureCollection(fs), nil
}

// roadsGeoJSON writes roads.geojson.
func roadsGeoJSON(roads []*road) ([]byte, error) {
	type props struct {
		Name      string `json:"name"`
		RoadClass string `json:"road_class"`
	}
	var fs [][]byte
	for _, rd := range roads {
		g := append([]byte(`{"type":"LineString","coordinates":`), appendLine(nil, rd.geo)...)
		g = append(g, '}')
		f, err := feature(props{rd.Name, rd.Class}, g)
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return featureCollection(fs), nil
}

// intersectionsGeoJSON writes intersections.geojson. Besides the contract's
// id, name and road_class, each point names its commune, its number of
// arms (legs) and the roads meeting there.
func intersectionsGeoJSON(cs []*commune, roads []*road, js []*junction) ([]byte, error) {
	type props struct {
		ID        string   `json:"id"`
		Name      string   `json:"name"`
		RoadClass string   `json:"road_class"`
		Commune   string   `json:"commune"`
		Legs      int      `json:"legs"`
		Roads     []string `json:"roads"`
	}
	var fs [][]byte
	for _, j := range js {
		var names []string
		for _, h := range j.meets {
			names = append(names, roads[h.road].Name)
		}
		g := append([]byte(`{"type":"Point","coordinates":`), appendPos(nil, j.at)...)
		g = append(g, '}')
		f, err := feature(props{j.ID, j.Name, j.Class, cs[j.commune].Name, j.legs, names}, g)
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return featureCollection(fs), nil
}
