// Vụ việc: the incidents, newest first, a page at a time, filtered by
// time, category, case reference, commune, camera or a place on the map
// (GET /api/v1/incidents). The filters live in the address, so that a
// list can be shared and the back button returns to it.
import '../css/app.css';
import '../css/evidence.css';
// The map's styles come with the page; its code only when a place is
// picked (most lists are filtered without one).
import 'leaflet/dist/leaflet.css';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { categories, categoryText, incidentCard, showFieldError } from '../lib/evidence.js';
import { formatInt, fromLocalInput } from '../lib/format.js';
import { loadError, ready, startShell } from '../lib/shell.js';

startShell();

const form = $('#filters');
const list = $('#list');
const more = $('#more');
const params = new URLSearchParams(location.search);
const pageSize = 20;

for (const c of categories) form.category.append(h('option', { value: c }, categoryText(c)));
// Open on a desk; on a phone the list comes first.
$('#filters-box').open = window.innerWidth >= 900 || [...params.keys()].length > 0;

let point = params.get('lat') && params.get('lon') ? { lat: Number(params.get('lat')), lon: Number(params.get('lon')) } : null;

function fill() {
  for (const name of ['from', 'to', 'category', 'case_ref', 'camera_id', 'radius_m']) form[name].value = params.get(name) || '';
  showPlace();
}

function showPlace() {
  const p = $('#place-text');
  p.hidden = !point;
  if (point) p.textContent = t('evidence.filter.point', { lat: point.lat.toFixed(5), lon: point.lon.toFixed(5) });
}

// nextDay returns the day after a YYYY-MM-DD date.
function nextDay(d) {
  const [y, m, dd] = d.split('-').map(Number);
  const x = new Date(Date.UTC(y, m - 1, dd + 1));
  return x.toISOString().slice(0, 10);
}

// query turns the address's filters into the API's: days are whole days
// in the zone, the "to" day included.
function query() {
  const q = { limit: pageSize };
  if (params.get('from')) q.from = fromLocalInput(params.get('from') + 'T00:00');
  if (params.get('to')) q.to = fromLocalInput(nextDay(params.get('to')) + 'T00:00');
  for (const name of ['category', 'case_ref', 'camera_id', 'commune']) if (params.get(name)) q[name] = params.get(name);
  if (params.get('radius_m') && point) Object.assign(q, { lat: point.lat, lon: point.lon, radius_m: params.get('radius_m') });
  return q;
}

let cursor = '';
let shown = 0;

async function load(append) {
  more.disabled = true;
  try {
    const page = await api('incidents', { query: { ...query(), cursor: append ? cursor : '' } });
    if (!append) {
      list.replaceChildren();
      shown = 0;
    }
    list.append(...page.items.map(incidentCard));
    shown += page.items.length;
    cursor = page.next_cursor || '';
    more.hidden = !cursor;
    $('#count').textContent = shown === 0 ? t('evidence.list.none') : cursor ? t('evidence.list.countmore', { n: formatInt(shown) }) : t('evidence.list.count', { n: formatInt(shown) });
    showFieldError(form, null);
  } catch (err) {
    if (err.status === 400) {
      // A filter the API refused: shown beside it (a place's parts
      // beside the radius).
      const field = { lat: 'radius_m', lon: 'radius_m' }[err.field] || err.field;
      showFieldError(form, { status: err.status, message: err.message, field });
      $('#filters-box').open = true;
      list.replaceChildren();
      $('#count').textContent = '';
    } else loadError(err);
  }
  more.disabled = false;
  ready();
}

function summary() {
  const n = [...params.keys()].filter((k) => !['lat', 'lon'].includes(k) && params.get(k)).length;
  $('#filter-summary').textContent = n ? t('evidence.filter.active', { n }) : '';
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const next = new URLSearchParams();
  for (const name of ['from', 'to', 'category', 'case_ref', 'camera_id', 'commune', 'radius_m']) {
    const v = form[name].value.trim();
    if (v) next.set(name, v);
  }
  if (next.get('radius_m')) {
    if (!point) {
      showFieldError(form, { status: 400, message: t('evidence.filter.needpoint'), field: '' });
      return;
    }
    next.set('lat', point.lat.toFixed(6));
    next.set('lon', point.lon.toFixed(6));
  }
  history.pushState(null, '', '/incidents' + (next.toString() ? '?' + next : ''));
  for (const k of [...params.keys()]) params.delete(k);
  for (const [k, v] of next) params.set(k, v);
  summary();
  load(false);
});

$('#clear').addEventListener('click', () => {
  point = null;
  form.reset();
  form.requestSubmit();
});

more.addEventListener('click', () => load(true));

window.addEventListener('popstate', () => {
  const now = new URLSearchParams(location.search);
  for (const k of [...params.keys()]) params.delete(k);
  for (const [k, v] of now) params.set(k, v);
  point = params.get('lat') && params.get('lon') ? { lat: Number(params.get('lat')), lon: Number(params.get('lon')) } : null;
  fill();
  summary();
  load(false);
});

// The place: a tap on a small map, made only when asked for.
let L = null;
let placeMap = null;
let marker = null;
let circle = null;
function drawPlace() {
  if (!placeMap || !point) return;
  const ll = [point.lat, point.lon];
  if (!marker) marker = L.circleMarker(ll, { radius: 8, color: '#1d2733', weight: 3, fillColor: '#e8a33c', fillOpacity: 1 }).addTo(placeMap);
  else marker.setLatLng(ll);
  const r = Number(form.radius_m.value) || 0;
  if (circle) circle.remove();
  circle = r ? L.circle(ll, { radius: r, color: '#e8a33c', weight: 2, fillOpacity: 0.08, interactive: false }).addTo(placeMap) : null;
}
$('#pick-place').addEventListener('click', async () => {
  const el = $('#place-map');
  el.hidden = !el.hidden;
  if (el.hidden || placeMap) return;
  const [leaflet, { createMap }] = await Promise.all([import('leaflet'), import('../lib/mapbase.js')]);
  L = leaflet.default;
  const { map } = await createMap(el);
  placeMap = map;
  if (point) map.setView([point.lat, point.lon], 14);
  map.on('click', (ev) => {
    point = { lat: ev.latlng.lat, lon: ev.latlng.lng };
    if (!form.radius_m.value) form.radius_m.value = '1000';
    showPlace();
    drawPlace();
  });
  drawPlace();
});
form.radius_m.addEventListener('change', drawPlace);

async function communes() {
  try {
    const res = await api('communes', { query: { limit: 1000 } });
    const names = res.items.map((c) => c.name).sort((a, b) => a.localeCompare(b, 'vi'));
    const asked = params.get('commune') || '';
    // A commune named in the address as a person types it ("cho gao")
    // is kept as given: the API matches it.
    if (asked && !names.includes(asked)) names.unshift(asked);
    for (const n of names) form.commune.append(h('option', { value: n }, n));
    form.commune.value = asked;
  } catch {
    /* the filter then offers every commune only */
  }
}

fill();
summary();
communes();
replace($('#count'), t('common.loading'));
load(false);
