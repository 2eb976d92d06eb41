// Vùng trống: the junctions no camera covers, ranked as the API ranks
// them (national roads first, then incidents nearby, then distance to
// the nearest camera), beside the map; filters by road class and
// commune; every gap as GeoJSON, CSV or a workbook. A tap on a gap flies
// the map to it.
import '../css/app.css';
import '../css/planner.css';
import L from 'leaflet';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatInt } from '../lib/format.js';
import { createMap } from '../lib/mapbase.js';
import { communeBox, downloadHref, fieldError, roadChecks, roadPill, uncoveredColour } from '../lib/planner.js';
import { clearFlash, loadError, ready, startShell } from '../lib/shell.js';

startShell();

const pageSize = 50;
const params = new URLSearchParams(location.search);
const form = $('#filters');
const list = $('#gaps');
const more = $('#more');
const communeInput = $('#commune');
const modeSel = $('#mode');
communeInput.value = params.get('commune') || '';
modeSel.value = params.get('mode') === 'live' ? 'live' : 'installed';
const checked = roadChecks($('#classes'), (params.get('road_class') || '').split(',').filter(Boolean));
communeBox(communeInput, $('#communes'));

const { map, layer } = await createMap($('#map'), { mode: modeSel.value });
const marks = L.layerGroup().addTo(map);
window.matthanGaps = { map, marks };

let cursor = '';
let seq = 0;
const byID = new Map();

function query() {
  return { road_class: checked().join(','), commune: communeInput.value.trim(), mode: modeSel.value };
}

function nearestText(g) {
  if (!g.nearest_camera_id) return t('gaps.nocamera');
  return t('gaps.nearest', { m: formatInt(Math.round(g.nearest_camera_m)), id: g.nearest_camera_id });
}

function select(id, fly) {
  for (const li of list.children) li.setAttribute('aria-current', String(li.dataset.id === id));
  const g = byID.get(id);
  if (!g) return;
  for (const m of marks.getLayers()) m.setStyle({ fillColor: m.options.gapID === id ? '#e8a33c' : '#ffffff', radius: m.options.gapID === id ? 10 : 7 });
  if (fly) map.flyTo([g.lat, g.lon], Math.max(map.getZoom(), 17), { duration: 0.6 });
}

function gapItem(f) {
  const p = f.properties;
  const [lon, lat] = f.geometry.coordinates;
  byID.set(p.id, { ...p, lat, lon });
  const m = L.circleMarker([lat, lon], { radius: 7, weight: 3, color: uncoveredColour, fillColor: '#ffffff', fillOpacity: 1, gapID: p.id });
  m.bindTooltip(`${p.rank}. ${p.name || p.id}`);
  m.on('click', () => {
    select(p.id, false);
    const li = list.querySelector(`[data-id="${CSS.escape(p.id)}"]`);
    if (li) li.scrollIntoView({ block: 'nearest' });
  });
  marks.addLayer(m);
  return h('li', { dataset: { id: p.id, rank: p.rank } },
    h('button', { type: 'button', onclick: () => select(p.id, true) },
      h('span', { class: 'rank' }, String(p.rank)),
      h('span', { class: 'title' }, p.name || p.id),
      h('span', { class: 'meta' }, roadPill(p.road_class), h('span', null, p.commune || t('common.na')),
        p.incidents ? h('span', null, t('gaps.incidents', { n: formatInt(p.incidents) })) : null),
      h('span', { class: 'meta' }, h('span', null, nearestText(p)))));
}

async function load(reset) {
  const mine = ++seq;
  const q = query();
  if (reset) {
    cursor = '';
    byID.clear();
    marks.clearLayers();
    replace(list);
    list.removeAttribute('data-loaded');
    history.replaceState(null, '', '/gaps?' + new URLSearchParams(Object.entries(q).filter(([, v]) => v)).toString());
    for (const [fmt, id] of [['geojson', '#export-geojson'], ['csv', '#export-csv'], ['xlsx', '#export-xlsx']]) {
      $(id).href = downloadHref('coverage/gaps', { ...q, format: fmt, bom: fmt === 'csv' ? 'true' : '' });
    }
  }
  more.disabled = true;
  try {
    const res = await api('coverage/gaps', { query: { ...q, limit: pageSize, cursor }, raw: true });
    const fc = await res.json();
    if (mine !== seq) return;
    fieldError(form, null);
    clearFlash();
    const total = Number(res.headers.get('X-Total-Gaps') || fc.features.length);
    $('#total').textContent = total ? t('gaps.total', { n: formatInt(total) }) : t('gaps.none');
    list.append(...fc.features.map(gapItem));
    cursor = fc.next_cursor || '';
    more.hidden = !cursor;
    list.dataset.loaded = '1';
    ready();
  } catch (err) {
    if (mine !== seq) return;
    if (!fieldError(form, err)) loadError(err);
    list.dataset.loaded = '1';
    ready();
  } finally {
    more.disabled = false;
  }
}

form.addEventListener('change', (ev) => {
  if (ev.target === modeSel) layer.setMode(modeSel.value);
  load(true);
});
form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  load(true);
});
more.addEventListener('click', () => load(false));
load(true);
