// Ai đã nhìn thấy?: tap a point and pick a time — the cameras whose
// field of view covers it (GET /api/v1/cameras/seeing), their distance,
// and whether each was up then; or draw an area — the cameras inside it
// (POST /api/v1/cameras/within).
import '../css/app.css';
import L from 'leaflet';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatInt, formatTime, fromLocalInput, localInput } from '../lib/format.js';
import { createMap } from '../lib/mapbase.js';
import { showCamera, statePill } from '../lib/panel.js';
import { loadError, startShell } from '../lib/shell.js';

startShell();

const panel = $('#panel');
const when = $('#when');
const params = new URLSearchParams(location.search);
when.value = params.get('at') ? localInput(new Date(params.get('at'))) : localInput(new Date());

const { map } = await createMap($('#map'), { mode: 'installed' });
window.matthanMap = { map };

let marker = null;
let point = null;
let results = L.layerGroup().addTo(map);

function closePanel() {
  panel.hidden = true;
}

function cameraRow(c, withState) {
  const open = h('button', { type: 'button', class: 'linklike', onclick: () => showCamera(panel, c.id, { onClose: () => render() }) }, `${c.id} · ${c.name}`);
  return h('tr', { dataset: { id: c.id } },
    h('td', null, open, h('div', { class: 'muted' }, c.commune || '')),
    c.distance_m !== undefined ? h('td', { class: 'num' }, t('common.meters', { n: formatInt(Math.round(c.distance_m)) })) : null,
    withState ? h('td', null, statePill(c.state)) : null);
}

let last = null;

function render() {
  if (!last) return;
  panel.hidden = false;
  const { title, items, withDistance, at } = last;
  const head = h('div', { class: 'panel-head' }, h('h2', null, title), h('button', { class: 'close', type: 'button', 'aria-label': t('common.close'), onclick: closePanel }, '×'));
  if (!items.length) {
    replace(panel, head, h('p', null, t('seeing.none')));
    return;
  }
  const table = h('table', { id: 'seeing-results' },
    h('thead', null, h('tr', null, h('th', null, t('common.camera')), withDistance ? h('th', { class: 'num' }, t('common.distance')) : null, at ? h('th', null, t('seeing.stateat')) : null)),
    h('tbody', null, items.map((c) => cameraRow(c, !!at))));
  replace(panel, head, at ? h('p', { class: 'muted' }, formatTime(at)) : null, h('div', { class: 'table-wrap' }, table));
}

async function seeing() {
  if (!point) return;
  const at = fromLocalInput(when.value);
  const lat = point.lat.toFixed(6);
  const lon = point.lng.toFixed(6);
  // The address keeps the question, so that it can be shared or reloaded.
  history.replaceState(null, '', `/seeing?${new URLSearchParams({ lat, lon, at })}`);
  try {
    const res = await api('cameras/seeing', { query: { lat, lon, at } });
    results.clearLayers();
    for (const c of res.items) L.polyline([[c.lat, c.lon], point], { color: '#0b5d7a', weight: 2, dashArray: '4 4', interactive: false }).addTo(results);
    last = { title: t('seeing.results'), items: res.items, withDistance: true, at };
    render();
  } catch (err) {
    loadError(err);
  }
}

// Drawing an area: taps add corners; a tap on the first corner or Done
// closes it.
let drawing = null;
const drawBtn = $('#draw');
const finishBtn = $('#finish');
const cancelBtn = $('#cancel');

function setDrawing(on) {
  drawBtn.hidden = on;
  finishBtn.hidden = !on;
  cancelBtn.hidden = !on;
  $('#draw-help').hidden = !on;
  if (!on && drawing) {
    map.removeLayer(drawing.line);
    drawing = null;
  }
  if (on) drawing = { pts: [], line: L.polyline([], { color: '#e8a33c', weight: 3 }).addTo(map) };
}

async function within(pts) {
  const ring = pts.map((p) => [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))]);
  ring.push(ring[0]);
  results.clearLayers();
  L.polygon(pts, { color: '#e8a33c', weight: 2, fillOpacity: 0.1, interactive: false }).addTo(results);
  try {
    const res = await api('cameras/within', { method: 'POST', body: { type: 'Polygon', coordinates: [ring] }, query: { limit: 1000 } });
    last = { title: t('seeing.inside'), items: res.items, withDistance: false, at: null };
    render();
  } catch (err) {
    loadError(err);
  }
}

drawBtn.addEventListener('click', () => setDrawing(true));
cancelBtn.addEventListener('click', () => setDrawing(false));
finishBtn.addEventListener('click', () => {
  if (drawing && drawing.pts.length >= 3) {
    const pts = drawing.pts;
    setDrawing(false);
    within(pts);
  }
});

map.on('click', (ev) => {
  if (drawing) {
    const pts = drawing.pts;
    if (pts.length >= 3 && map.latLngToContainerPoint(pts[0]).distanceTo(ev.containerPoint) < 20) {
      setDrawing(false);
      within(pts);
      return;
    }
    pts.push(ev.latlng);
    drawing.line.setLatLngs(pts);
    return;
  }
  point = ev.latlng;
  if (marker) marker.setLatLng(point);
  else marker = L.circleMarker(point, { radius: 8, color: '#1d2733', weight: 3, fillColor: '#e8a33c', fillOpacity: 1 }).addTo(map);
  seeing();
});

when.addEventListener('change', seeing);

if (params.get('lat') && params.get('lon')) {
  point = L.latLng(Number(params.get('lat')), Number(params.get('lon')));
  marker = L.circleMarker(point, { radius: 8, color: '#1d2733', weight: 3, fillColor: '#e8a33c', fillOpacity: 1 }).addTo(map);
  map.setView(point, 17);
  seeing();
}
