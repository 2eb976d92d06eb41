// Độ phủ: junctions covered per commune × road class, by the cameras
// installed beside those working now (GET /api/v1/coverage in both
// modes), as a table of bars. A tap on a cell draws that cell's
// junctions on the map (GET /api/v1/intersections), covered and not.
import '../css/app.css';
import '../css/planner.css';
import L from 'leaflet';
import { t } from '../lib/boot.js';
import { api } from '../lib/api.js';
import { $, h, replace } from '../lib/dom.js';
import { formatInt, formatPercent, roadText } from '../lib/format.js';
import { createMap } from '../lib/mapbase.js';
import { fetchAllFeatures, foldLegend, junctionMarker, roadClasses } from '../lib/planner.js';
import { loadError, ready, startShell } from '../lib/shell.js';

startShell();
for (const id of ['#legend-installed', '#legend-live']) $(id).style.width = '70%';

function bar(ratio, live) {
  const span = h('span');
  span.style.width = `${Math.max(0, Math.min(1, ratio || 0)) * 100}%`;
  return h('span', { class: 'bar' + (live ? ' live' : '') }, span);
}

let pressed = null;
const junctions = L.layerGroup();
let mapP = null;

// cell draws the coverage of one commune × class as a button that opens
// it; commune null is every commune, rc '' every class. The junctions
// of no commune cannot be asked for by name: their cells are figures only.
function cell(commune, rc, inst, live) {
  if (!inst || !inst.intersections) return h('td', { class: 'muted num' }, t('common.na'));
  const n = inst.intersections;
  const where = commune === null ? t('common.total') : commune || t('common.na');
  const label = t('coverage.cell', { commune: where, road: rc ? roadText(rc) : t('road.all'), installed: formatInt(inst.covered), live: formatInt(live ? live.covered : 0), n: formatInt(n) });
  const body = [
    h('span', { class: 'bars' }, bar(inst.ratio, false), bar(live ? live.ratio : 0, true)),
    h('span', { class: 'nums' }, `${formatInt(inst.covered)} · ${formatInt(live ? live.covered : 0)} / ${formatInt(n)}`),
  ];
  if (commune === '') return h('td', { class: 'cell', title: label }, h('span', { class: 'covcell' }, body));
  const btn = h('button', { type: 'button', class: 'covcell', 'aria-pressed': 'false', 'aria-label': label, title: label, dataset: { commune: commune || '', road: rc } }, body);
  btn.addEventListener('click', () => openCell(btn, commune || '', rc, where));
  return h('td', { class: 'cell' }, btn);
}

async function openCell(btn, commune, rc, where) {
  if (pressed) pressed.setAttribute('aria-pressed', 'false');
  pressed = btn;
  btn.setAttribute('aria-pressed', 'true');
  $('#cell-title').textContent = `${where} · ${rc ? roadText(rc) : t('road.all')}`;
  $('#cell-sub').textContent = t('common.loading');
  const gaps = $('#cell-gaps');
  gaps.href = '/gaps?' + new URLSearchParams(Object.entries({ commune, road_class: rc }).filter(([, v]) => v)).toString();
  gaps.hidden = false;
  if (window.innerWidth < 1100) $('#cell-card').scrollIntoView({ behavior: 'smooth', block: 'start' });
  const map = await mapP;
  junctions.clearLayers();
  map.getContainer().removeAttribute('data-drawn');
  try {
    const feats = await fetchAllFeatures('intersections', { commune, road_class: rc });
    if (pressed !== btn) return;
    let covered = 0;
    const pts = [];
    for (const f of feats) {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      covered += p.covered ? 1 : 0;
      pts.push([lat, lon]);
      junctions.addLayer(junctionMarker(lat, lon, p.covered).bindTooltip(`${p.name || p.id} · ${p.covered ? t('coverage.seen') : t('coverage.unseen')}`));
    }
    $('#cell-sub').textContent = t('coverage.cellsub', { n: formatInt(feats.length), covered: formatInt(covered), open: formatInt(feats.length - covered) });
    if (pts.length) map.fitBounds(pts, { padding: [24, 24], maxZoom: 17, animate: false });
    map.getContainer().dataset.drawn = String(feats.length);
  } catch (err) {
    loadError(err);
  }
}

async function load() {
  try {
    const [inst, live] = await Promise.all([api('coverage', { query: { mode: 'installed' } }), api('coverage', { query: { mode: 'live' } })]);
    // Groups by commune × class, totals by commune and by class.
    const index = (rep) => ({
      cells: new Map(rep.groups.map((g) => [`${g.commune || ''}\u0000${g.road_class}`, g])),
      communes: new Map(rep.communes.map((g) => [g.commune || '', g])),
      classes: new Map(rep.road_classes.map((g) => [g.road_class, g])),
      all: { intersections: rep.intersections, covered: rep.covered, ratio: rep.ratio },
    });
    const inI = index(inst);
    const inL = index(live);
    const pick = (x, commune, rc) => {
      if (commune === null) return rc ? x.classes.get(rc) : x.all;
      return rc ? x.cells.get(`${commune}\u0000${rc}`) : x.communes.get(commune);
    };
    const classes = roadClasses.filter((rc) => (inI.classes.get(rc) || {}).intersections);
    const row = (commune) => h('tr', null,
      h('th', { scope: 'row' }, commune === null ? t('common.total') : commune || t('common.na')),
      [...classes, ''].map((rc) => cell(commune, rc, pick(inI, commune, rc), pick(inL, commune, rc))));
    replace($('#covtable thead'), h('tr', null, h('th', null, t('common.commune')), classes.map((rc) => h('th', null, roadText(rc))), h('th', null, t('road.all'))));
    replace($('#covtable tbody'), inst.communes.map((g) => row(g.commune || '')));
    replace($('#covtable tfoot'), row(null));
    $('#covtable').dataset.loaded = '1';
    if (!inst.intersections) $('#cell-sub').textContent = t('coverage.nolayer');
    $('#cell-sub').append(' ', t('coverage.summary', { installed: formatPercent(inst.ratio), live: formatPercent(live.ratio) }));
  } catch (err) {
    loadError(err);
  }
}

mapP = createMap($('#map'), { mode: 'installed' }).then(({ map }) => {
  junctions.addTo(map);
  foldLegend(map);
  window.matthanCoverage = { map, junctions };
  return map;
});
await load();
await mapP;
ready();
