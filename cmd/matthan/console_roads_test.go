package main

import (
	"strings"
	"testing"

	"github.com/matthan/matthan/camera"
)

// drawnRoadsJS counts the road features of the tiles the map drew, by
// road class.
const drawnRoadsJS = `(() => {
	const out = {};
	for (const f of window.matthanMap.layer._feats.values())
		for (const r of f.roads) out[r.props.road_class] = (out[r.props.road_class] || 0) + 1;
	return out;
})()`

// nationalPixelsJS counts the pixels of the tile canvases in the colour
// of a national road (mvt.js roadStyles): the roads are on screen.
const nationalPixelsJS = `(() => {
	let n = 0;
	for (const t of Object.values(window.matthanMap.layer._tiles)) {
		const c = t.el;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		for (let i = 0; i < d.length; i += 4) if (d[i] === 0xe0 && d[i + 1] === 0x45 && d[i + 2] === 0x2b) n++;
	}
	return n;
})()`

// TestConsoleRoads: with no street map (the demo has none, as a commune
// office with no internet), the map draws the sample district's roads
// from the daemon's tiles — the main roads framed on the district, every
// road once zoomed in — and its legend names them.
func TestConsoleRoads(t *testing.T) {
	d := startConsoleDemo(t)
	planner := d.accounts[camera.RolePlanner]
	b := newBrowser(t, 390, 844)
	b.signIn(d.url, planner.Name, planner.Password)
	b.open(d.url, "/map")
	shot := b.shot("map-roads")
	if n := evalJS[int](b, `document.querySelectorAll('.leaflet-tile-container img').length`); n != 0 {
		t.Errorf("the map loaded %d raster tiles, want none: the demo has no street map", n)
	}
	framed := evalJS[map[string]int](b, drawnRoadsJS)
	if framed["national"] == 0 {
		t.Errorf("framed on the district the map drew roads %v, want Quốc lộ 50 among them (see %s)", framed, shot)
	}
	if n := evalJS[int](b, nationalPixelsJS); n < 50 {
		t.Errorf("%d pixels in the national road colour, want a road's worth (see %s)", n, shot)
	}
	legend := evalJS[string](b, `document.querySelector('.legend').textContent`)
	for _, want := range []string{"Quốc lộ", "Đường tỉnh", "Đường huyện", "Đường xã, đường khác"} {
		if !strings.Contains(legend, want) {
			t.Errorf("the legend does not name %q: %q", want, legend)
		}
	}

	// Zoomed in on the town: every road, commune roads too.
	zoomed := evalJS[map[string]int](b, `(() => {
		const {map, layer} = window.matthanMap;
		if (map.getZoom() === 14) return Promise.resolve(); // framed there already: drawn
		map.setView([10.35, 106.46], 14, {animate: false});
		return new Promise(res => layer.once('load', res));
	})().then(() => `+drawnRoadsJS+`)`)
	shot = b.shot("map-roads-z14")
	if zoomed["commune"] == 0 {
		t.Errorf("at zoom 14 the map drew roads %v, want commune roads among them (see %s)", zoomed, shot)
	}
	b.noHorizontalScroll("map")
}
