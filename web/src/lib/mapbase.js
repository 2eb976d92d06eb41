// The map every map page starts from: the daemon's own layers drawn from
// its vector tiles (commune boundaries, roads, junctions, fields of view,
// cameras), and a raster street map under them only where the site is
// online and the operator configured one. Framed on the network's extent
// (GET /api/v1/map).
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { api } from './api.js';
import { boot, can, t } from './boot.js';
import { h } from './dom.js';
import { MVTLayer, roadStyles, stateColors } from './mvt.js';
import { ready } from './shell.js';

// The district of Chợ Gạo, where the programme began: the view before
// the extent arrives, and for a network with no cameras yet.
const fallbackCenter = [10.35, 106.46];

// mayseeState is whether the role sees cameras' health (the API's
// watchers: admin, police, planner).
export const mayseeState = can('admin', 'police', 'planner');

export async function createMap(el, { mode = 'installed' } = {}) {
  const map = L.map(el, { zoomControl: true, preferCanvas: true, attributionControl: !!boot.tile_url, minZoom: 5, maxZoom: 19 });
  // Frame the network before any tile is asked for: tiles of a default
  // view would be fetched, drawn and thrown away.
  let framed = false;
  try {
    const info = await api('map');
    if (info.bbox) {
      const [minLon, minLat, maxLon, maxLat] = info.bbox;
      map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [16, 16], maxZoom: 16, animate: false });
      framed = true;
    }
  } catch {
    /* the default view below */
  }
  if (!framed) map.setView(fallbackCenter, 12);
  const layer = new MVTLayer({ mode, showState: mayseeState, maxZoom: 19 });
  if (boot.tile_url) {
    // Online sites may put a street map under the daemon's own layers;
    // the switch takes it away again (a slow link, a cluttered view).
    const streets = L.tileLayer(boot.tile_url, { maxZoom: 19, attribution: boot.tile_attribution || '' }).addTo(map);
    const none = L.layerGroup();
    L.control.layers({ [t('map.layers.streets')]: streets, [t('map.layers.none')]: none }, null, { position: 'topright', collapsed: true }).addTo(map);
  }
  layer.addTo(map);
  addLegend(map);
  // Ready once the tiles of the framed view are drawn.
  const done = () => ready();
  if (layer.isLoading()) layer.once('load', done);
  else done();
  return { map, layer };
}

function swatch(color, cls = '') {
  const s = h('span', { class: 'sw ' + cls });
  s.style.background = color;
  return s;
}

// roadSwatch is a short stretch of road drawn as the map draws it: the
// line on its casing.
function roadSwatch(kind) {
  const st = roadStyles[kind];
  const s = h('span', { class: 'sw sq' });
  s.style.background = st.color;
  s.style.width = '1.2rem';
  s.style.height = `${Math.max(3, st.width)}px`;
  s.style.verticalAlign = 'middle';
  s.style.boxShadow = `0 0 0 1px ${st.casing}`;
  return s;
}

function addLegend(map) {
  const Legend = L.Control.extend({
    options: { position: 'bottomleft' },
    onAdd() {
      const states = mayseeState ? ['up', 'degraded', 'down', 'auth_failed', 'unknown'] : [''];
      const ring = swatch('#fff', 'ring');
      const el = h('details', { class: 'legend', open: window.innerWidth > 700 },
        h('summary', null, t('map.legend')),
        h('div', null, states.map((s) => h('div', null, swatch(stateColors[s]), s ? t('state.' + s) : t('map.legend.camera')))),
        h('div', null, swatch('rgba(26,152,80,.35)', 'sq'), t('map.legend.fov')),
        h('div', null, swatch('#2166ac'), t('map.legend.junction.covered')),
        h('div', null, ring, t('map.legend.junction.uncovered')),
        h('div', null, roadSwatch('national'), t('map.legend.road.national')),
        h('div', null, roadSwatch('provincial'), t('map.legend.road.provincial')),
        h('div', null, roadSwatch('district'), t('map.legend.road.district')),
        h('div', null, roadSwatch('other'), t('map.legend.road.other')),
        h('div', null, swatch('rgba(60,70,90,.55)', 'sq'), t('map.legend.commune')));
      L.DomEvent.disableClickPropagation(el);
      return el;
    },
  });
  new Legend().addTo(map);
}
