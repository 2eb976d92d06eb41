// A Leaflet layer that draws the daemon's vector tiles (/tiles/z/x/y.mvt)
// on canvases: commune boundaries, roads, junctions, fields of view and
// cameras (or, at low zoom, counts of cameras per cell). With no street
// map (a site with no internet) the boundaries and roads are the base
// map. Canvas rather than one DOM element per camera keeps a province of
// 100,000 cameras fluid, and needs no WebGL, so it draws the same in a
// police officer's old phone and in headless Chromium. Features of the drawn tiles are kept for
// hit-testing: a tap finds the nearest camera or junction.
import L from 'leaflet';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader as Pbf } from 'pbf';

export const stateColors = {
  up: '#1a9850',
  degraded: '#e6a100',
  down: '#d73027',
  auth_failed: '#7b3294',
  unknown: '#8c8c8c',
  '': '#0b5d7a',
};
const covered = '#2166ac';
const uncovered = '#e4572e';

// roadStyles draws roads by class, as printed maps of Vietnam do:
// national roads thick orange-red, provincial orange, district yellow,
// the others white, each on a darker casing so that it reads on a pale
// map and on a street map alike. Widths are CSS pixels at zoom 13–15;
// roadScale thins them out and thickens them in. The legend draws them
// too.
export const roadStyles = {
  national: { color: '#e0452b', casing: '#8f2414', width: 5 },
  provincial: { color: '#f28c28', casing: '#9a5410', width: 4 },
  district: { color: '#f7d23e', casing: '#8f7a1e', width: 3 },
  other: { color: '#ffffff', casing: '#8c8c8c', width: 2 },
};
const roadRank = { national: 0, provincial: 1, district: 2 };

export function roadStyle(roadClass) {
  return roadStyles[roadClass] || roadStyles.other;
}

function roadScale(z) {
  if (z <= 10) return 0.55;
  if (z <= 12) return 0.75;
  if (z >= 16) return 1.35;
  return 1;
}

function tileKey(c) {
  return `${c.z}/${c.x}/${c.y}`;
}

export const MVTLayer = L.GridLayer.extend({
  options: {
    tileSize: 256,
    updateWhenZooming: false,
    keepBuffer: 1,
    // mode "installed" colours junctions by any active camera, "live"
    // by working ones.
    mode: 'installed',
    // showState draws cameras by health state; off for roles that may
    // not see it (the tiles then carry none).
    showState: true,
    query: {},
  },

  initialize(options) {
    L.setOptions(this, options);
    this._feats = new Map();
    this._aborts = new Map();
  },

  setMode(mode) {
    this.options.mode = mode;
    this.redraw();
  },

  createTile(coords, done) {
    const tile = document.createElement('canvas');
    const size = this.getTileSize();
    const dpr = window.devicePixelRatio || 1;
    tile.width = size.x * dpr;
    tile.height = size.y * dpr;
    const key = tileKey(coords);
    const ctl = new AbortController();
    this._aborts.set(key, ctl);
    const q = new URLSearchParams(this.options.query).toString();
    fetch(`/tiles/${coords.z}/${coords.x}/${coords.y}.mvt${q ? '?' + q : ''}`, { credentials: 'same-origin', signal: ctl.signal })
      .then((res) => {
        if (res.status === 401) {
          location.assign('/login?ended=1&next=' + encodeURIComponent(location.pathname + location.search));
          throw new Error('session ended');
        }
        if (!res.ok) throw new Error(`tile ${key}: HTTP ${res.status}`);
        return res.arrayBuffer();
      })
      .then((buf) => {
        const vt = new VectorTile(new Pbf(buf));
        const feats = this._decode(vt);
        this._feats.set(key, feats);
        this._draw(tile, feats, size, dpr, coords.z);
        done(null, tile);
      })
      .catch((err) => {
        if (err.name !== 'AbortError') done(err, tile);
      })
      .finally(() => this._aborts.delete(key));
    return tile;
  },

  _removeTile(key) {
    const k = key.split(':');
    const tk = `${k[2]}/${k[0]}/${k[1]}`;
    const ctl = this._aborts.get(tk);
    if (ctl) ctl.abort();
    this._feats.delete(tk);
    L.GridLayer.prototype._removeTile.call(this, key);
  },

  // _decode turns a tile's layers into plain objects in tile pixels.
  _decode(vt) {
    const out = { communes: [], roads: [], intersections: [], fov: [], cameras: [], clusters: [] };
    for (const name of Object.keys(out)) {
      const layer = vt.layers[name];
      if (!layer) continue;
      const scale = 256 / layer.extent;
      for (let i = 0; i < layer.length; i++) {
        const f = layer.feature(i);
        const rings = f.loadGeometry().map((ring) => ring.map((p) => [p.x * scale, p.y * scale]));
        out[name].push({ type: f.type, props: f.properties, rings });
      }
    }
    return out;
  },

  _draw(canvas, feats, size, dpr, z) {
    const ctx = canvas.getContext('2d');
    ctx.scale(dpr, dpr);
    const live = this.options.mode === 'live';
    // Commune boundaries: the base map when there is no street map.
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = 'rgba(60, 70, 90, 0.55)';
    ctx.fillStyle = 'rgba(255, 255, 255, 0.25)';
    for (const f of feats.communes) {
      ctx.beginPath();
      for (const ring of f.rings) path(ctx, ring, true);
      ctx.fill('evenodd');
      ctx.stroke();
    }
    this._drawRoads(ctx, feats.roads, z);
    // Fields of view, under everything they point at.
    for (const f of feats.fov) {
      const color = this.options.showState ? stateColors[f.props.state] || stateColors.unknown : stateColors[''];
      ctx.beginPath();
      for (const ring of f.rings) path(ctx, ring, true);
      ctx.globalAlpha = 0.16;
      ctx.fillStyle = color;
      ctx.fill();
      ctx.globalAlpha = 0.55;
      ctx.strokeStyle = color;
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    for (const f of feats.intersections) {
      const [x, y] = f.rings[0][0];
      const isCovered = live ? f.props.covered_live : f.props.covered;
      ctx.beginPath();
      ctx.arc(x, y, 4, 0, 2 * Math.PI);
      ctx.fillStyle = isCovered ? covered : '#ffffff';
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = isCovered ? '#ffffff' : uncovered;
      ctx.stroke();
    }
    for (const f of feats.clusters) {
      const [x, y] = f.rings[0][0];
      const n = f.props.cameras || 0;
      const r = Math.min(22, 6 + Math.sqrt(n) * 1.3);
      const notUp = (f.props.down || 0) + (f.props.degraded || 0) + (f.props.auth_failed || 0);
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = this.options.showState && notUp > 0 ? '#f4a582' : '#92c5de';
      ctx.globalAlpha = 0.85;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
      if (r >= 9) {
        ctx.fillStyle = '#1d2733';
        ctx.font = '600 11px system-ui, sans-serif';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(n), x, y);
      }
    }
    for (const f of feats.cameras) {
      const [x, y] = f.rings[0][0];
      ctx.beginPath();
      ctx.arc(x, y, 5.5, 0, 2 * Math.PI);
      ctx.fillStyle = this.options.showState ? stateColors[f.props.state] || stateColors.unknown : stateColors[''];
      ctx.fill();
      ctx.lineWidth = 1.8;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
    }
  },

  // _drawRoads draws the roads under the junctions: every casing first,
  // then every line, the higher classes over the lower, so that roads
  // meeting look joined.
  _drawRoads(ctx, roads, z) {
    if (!roads.length) return;
    const k = roadScale(z);
    const sorted = roads.slice().sort((a, b) => (roadRank[b.props.road_class] ?? 9) - (roadRank[a.props.road_class] ?? 9));
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const pass of ['casing', 'color']) {
      for (const f of sorted) {
        const st = roadStyle(f.props.road_class);
        ctx.beginPath();
        for (const line of f.rings) path(ctx, line, false);
        ctx.strokeStyle = st[pass];
        ctx.lineWidth = pass === 'casing' ? st.width * k + 2 : st.width * k;
        ctx.stroke();
      }
    }
    ctx.lineCap = 'butt';
    ctx.lineJoin = 'miter';
  },

  // hit returns the nearest camera (or, failing one, junction) within
  // tolerance pixels of latlng, as {kind, props}, or null.
  hit(latlng, tolerance = 12) {
    const map = this._map;
    const z = Math.round(map.getZoom());
    const p = map.project(latlng, z);
    const tx = Math.floor(p.x / 256);
    const ty = Math.floor(p.y / 256);
    let best = null;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const feats = this._feats.get(`${z}/${tx + dx}/${ty + dy}`);
        if (!feats) continue;
        const lx = p.x - (tx + dx) * 256;
        const ly = p.y - (ty + dy) * 256;
        for (const [kind, list, bonus] of [['camera', feats.cameras, 0], ['cluster', feats.clusters, 0], ['junction', feats.intersections, 4]]) {
          for (const f of list) {
            const [x, y] = f.rings[0][0];
            const d = Math.hypot(x - lx, y - ly) + bonus;
            if (d <= tolerance + (kind === 'cluster' ? 10 : 0) && (!best || d < best.d)) best = { kind, props: f.props, d };
          }
        }
      }
    }
    return best;
  },
});

function path(ctx, ring, close) {
  for (let i = 0; i < ring.length; i++) {
    const [x, y] = ring[i];
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  if (close) ctx.closePath();
}
