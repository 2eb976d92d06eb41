// Lớp bản đồ: a planner brings a layer — roads (LineStrings, whose
// junctions are computed), junctions (Points) or commune boundaries
// (Polygons) — as a GeoJSON file. The file is checked first (the
// import's dry run: every bad feature named, what the good ones would
// make against the layer in place, nothing stored) and drawn; the import
// is sent only when the planner confirms.
import '../css/app.css';
import '../css/planner.css';
import L from 'leaflet';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatInt, roadText } from '../lib/format.js';
import { createMap } from '../lib/mapbase.js';
import { foldLegend, junctionMarker, roadClasses } from '../lib/planner.js';
import { clearFlash, flash, loadError, ready, startShell } from '../lib/shell.js';

startShell();

// Features of the file drawn in the preview, at most: the check itself
// reads them all.
const maxDrawn = 3000;

const form = $('#upload');
const fileInput = $('#file');
const kindSel = $('#kind');
const confirmBtn = $('#confirm');
let pending = null; // {layer, body, preview}
let mapP = null;
let drawn = null;

async function current() {
  try {
    const [cov, communes] = await Promise.all([api('coverage'), api('communes', { query: { limit: 1000 } })]);
    const boundaries = communes.items.filter((c) => c.boundary).length;
    $('#current').textContent = t('layers.current', { junctions: formatInt(cov.intersections), communes: formatInt(boundaries) });
  } catch (err) {
    loadError(err);
  }
}

// kindOf guesses the layer of a file from its first feature.
function kindOf(fc) {
  const g = fc && Array.isArray(fc.features) && fc.features[0] && fc.features[0].geometry;
  return g && /Polygon$/.test(g.type) ? 'communes' : 'intersections';
}

function line(cls, text) {
  return h('p', { class: cls }, text);
}

async function map() {
  if (!mapP) {
    mapP = createMap($('#map'), { mode: 'installed' }).then(({ map: m }) => {
      drawn = L.featureGroup().addTo(m);
      foldLegend(m);
      window.matthanLayers = { map: m, drawn };
      return m;
    });
  }
  const m = await mapP;
  m.invalidateSize();
  return m;
}

// draw shows the file's features, the bad ones red and dashed, and the
// junctions the check found (covered or not).
async function draw(fc, preview) {
  const m = await map();
  drawn.clearLayers();
  const bad = new Set(preview.errors.map((e) => e.feature));
  const feats = Array.isArray(fc && fc.features) ? fc.features : [];
  feats.slice(0, maxDrawn).forEach((f, i) => {
    if (!f || !f.geometry) return;
    const isBad = bad.has(i);
    const colour = isBad ? '#b42318' : '#0b5d7a';
    try {
      L.geoJSON(f, {
        style: { color: colour, weight: isBad ? 4 : 3, dashArray: isBad ? '6 6' : null, fillOpacity: 0.08 },
        pointToLayer: (_, ll) => L.circleMarker(ll, { radius: 5, color: colour, weight: 2, fillColor: '#fff', fillOpacity: 1 }),
      }).bindTooltip(t('layers.feature', { n: i + 1 }) + (f.properties && f.properties.name ? ` · ${f.properties.name}` : '')).addTo(drawn);
    } catch {
      /* a geometry Leaflet cannot draw: the check names it */
    }
  });
  for (const j of preview.junctions || []) drawn.addLayer(junctionMarker(j.lat, j.lon, j.covered, 7).bindTooltip(`${j.name || j.id}`));
  $('#drawn-note').textContent = feats.length > maxDrawn ? t('layers.drawnsome', { n: formatInt(maxDrawn), all: formatInt(feats.length) }) : '';
  if (drawn.getLayers().length) m.fitBounds(drawn.getBounds(), { padding: [20, 20], maxZoom: 17, animate: false });
  $('#map').dataset.drawn = String(drawn.getLayers().length);
}

function summary(p) {
  const sources = { roads: t('layers.source.roads'), points: t('layers.source.points'), communes: t('layers.source.communes') };
  const source = sources[p.source] || sources.roads;
  const out = [line('', t('layers.read', { n: formatInt(p.features), source, valid: formatInt(p.features - p.invalid), invalid: formatInt(p.invalid) }))];
  if (p.layer === 'intersections') {
    const classes = roadClasses.filter((rc) => p.by_road_class[rc]).map((rc) => `${roadText(rc)}: ${formatInt(p.by_road_class[rc])}`).join(', ');
    out.push(line('', t('layers.junctions', { n: formatInt(p.intersections), classes: classes || t('common.none') })));
    out.push(line('', t('layers.coveredline', { covered: formatInt(p.covered), open: formatInt(p.intersections - p.covered) })));
    out.push(line('', t('layers.against', { current: formatInt(p.current), added: formatInt(p.added), removed: formatInt(p.removed), kept: formatInt(p.kept) })));
    if (p.removed > 0) out.push(line('warn-line', t('layers.replaces', { n: formatInt(p.removed) })));
  } else {
    out.push(line('', t('layers.communes', { n: formatInt(p.communes) })));
    out.push(line('', t('layers.communesdiff', {
      added: p.added.length ? p.added.join(', ') : t('common.none'), removed: p.removed.length ? p.removed.join(', ') : t('common.none'),
    })));
    out.push(line('', t('layers.assign', { junctions: formatInt(p.intersections_changed), cameras: formatInt(p.cameras_assigned) })));
    if (p.removed.length) out.push(line('warn-line', t('layers.communesgone', { n: formatInt(p.removed.length) })));
  }
  out.push(p.invalid ? line('warn-line', t('layers.fixfirst')) : line('ok-line', t('layers.ready')));
  return out;
}

function errorsTable(p) {
  $('#errors-box').hidden = !p.errors.length;
  $('#errors-title').textContent = p.invalid > p.errors.length ? t('layers.errorsome', { n: formatInt(p.errors.length), all: formatInt(p.invalid) }) : t('layers.errors', { n: formatInt(p.invalid) });
  replace($('#errors tbody'), p.errors.map((e) => h('tr', { dataset: { feature: e.feature } },
    h('td', null, t('layers.feature', { n: e.feature + 1 })),
    h('td', null, h('code', null, e.field)),
    h('td', null, e.detail))));
}

// refused says why the daemon would not check or import the file: the
// field at fault, or that another import is running.
function refused(err) {
  if (err.status === 409) flash(t('layers.busy'), 'error', 0);
  else if (err.field) flash(t('layers.refused', { field: err.field, detail: err.message }), 'error', 0);
  else loadError(err);
}

async function check(ev) {
  ev.preventDefault();
  const file = fileInput.files[0];
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  if (!file) {
    fileInput.closest('.field').append(h('p', { class: 'field-error', role: 'alert' }, t('layers.nofile')));
    return;
  }
  $('#check').disabled = true;
  $('#done').hidden = true;
  try {
    const body = await file.text();
    let fc = null;
    try {
      fc = JSON.parse(body);
    } catch {
      /* the check says where */
    }
    const layer = kindSel.value === 'auto' ? kindOf(fc) : kindSel.value;
    const p = await api(`${layer}/import`, { method: 'POST', body, query: { dry_run: 'true' }, headers: { 'Content-Type': 'application/geo+json' } });
    clearFlash();
    pending = { layer, body, preview: p };
    $('#preview').hidden = false;
    replace($('#summary'), summary(p));
    errorsTable(p);
    confirmBtn.disabled = p.invalid > 0 || p.features === 0;
    confirmBtn.hidden = false;
    await draw(fc, p);
    $('#preview').dataset.checked = '1';
    $('#preview').scrollIntoView({ block: 'start', behavior: 'smooth' });
  } catch (err) {
    pending = null;
    $('#preview').hidden = true;
    refused(err);
  } finally {
    $('#check').disabled = false;
  }
}

async function confirmImport() {
  if (!pending) return;
  confirmBtn.disabled = true;
  try {
    const res = await api(`${pending.layer}/import`, { method: 'POST', body: pending.body, headers: { 'Content-Type': 'application/geo+json' } });
    const text = pending.layer === 'intersections'
      ? t('layers.done.junctions', { n: formatInt(res.intersections) })
      : t('layers.done.communes', { n: formatInt(res.communes), cameras: formatInt(res.cameras_assigned) });
    replace($('#done'), h('p', { class: 'ok-line' }, text),
      h('p', null, h('a', { class: 'button', href: '/gaps' }, t('layers.seegaps')), ' ', h('a', { class: 'button', href: '/coverage' }, t('layers.seecoverage'))));
    $('#done').hidden = false;
    $('#done').dataset.done = '1';
    confirmBtn.hidden = true;
    pending = null;
    current();
  } catch (err) {
    confirmBtn.disabled = false;
    refused(err);
  }
}

form.addEventListener('submit', check);
confirmBtn.addEventListener('click', confirmImport);
$('#cancel').addEventListener('click', () => {
  pending = null;
  $('#preview').hidden = true;
  form.reset();
});
await current();
ready();
