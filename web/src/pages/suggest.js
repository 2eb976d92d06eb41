// Gợi ý vị trí: where to put the next N cameras. The API proposes a
// junction, a direction and a field of view for each (GET
// /api/v1/coverage/suggest, a greedy maximal covering of the junctions
// no camera covers yet, weighted by road class and incidents nearby);
// the page draws each proposal's field of view, numbered, and lists what
// each adds to the coverage and what it would cost. The address keeps
// the question, to share.
import '../css/app.css';
import '../css/planner.css';
import L from 'leaflet';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatInt, formatPercent, formatVND } from '../lib/format.js';
import { createMap } from '../lib/mapbase.js';
import { communeBox, downloadHref, fieldError, proposalColour, roadChecks, roadPill, sector } from '../lib/planner.js';
import { clearFlash, flash, loadError, ready, startShell } from '../lib/shell.js';

startShell();

const form = $('#ask');
const params = new URLSearchParams(location.search);
for (const [name, id] of [['n', '#n'], ['mode', '#mode'], ['commune', '#commune'], ['fov_deg', '#fov'], ['range_m', '#range']]) {
  if (params.get(name)) $(id).value = params.get(name);
}
const favoured = roadChecks($('#classes'), (params.get('road_class') || '').split(',').filter(Boolean));
communeBox($('#commune'), $('#communes'));

const { map } = await createMap($('#map'), { mode: $('#mode').value });
const drawn = L.featureGroup().addTo(map);
window.matthanSuggest = { map, drawn };

function question() {
  return {
    n: $('#n').value.trim(), mode: $('#mode').value, road_class: favoured().join(','), commune: $('#commune').value.trim(),
    fov_deg: $('#fov').value.trim(), range_m: $('#range').value.trim(),
  };
}

function stat(label, value, sub) {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), sub ? h('div', { class: 'sub' }, sub) : null);
}

const markers = new Map();

function select(rank, fly) {
  for (const li of $('#proposals').children) li.setAttribute('aria-current', String(li.dataset.rank === String(rank)));
  for (const [r, m] of markers) m.getElement()?.firstElementChild?.classList.toggle('on', r === rank);
  const m = markers.get(rank);
  if (m && fly) map.flyTo(m.getLatLng(), Math.max(map.getZoom(), 17), { duration: 0.6 });
}

function draw(res) {
  drawn.clearLayers();
  markers.clear();
  for (const s of res.suggestions) {
    const fov = L.polygon(sector(s.lat, s.lon, s.direction_deg, s.fov_deg, s.range_m), {
      color: proposalColour, weight: 2, fillColor: proposalColour, fillOpacity: 0.25, proposal: s.rank,
    });
    const icon = L.divIcon({ className: '', html: '', iconSize: [24, 24], iconAnchor: [12, 12] });
    const m = L.marker([s.lat, s.lon], { icon, keyboard: false, title: `${s.rank}. ${s.name || s.junction_id}`, proposal: s.rank });
    m.on('add', () => {
      // The number as text, never as HTML.
      const el = m.getElement();
      replace(el, h('div', { class: 'proposal-icon' }, String(s.rank)));
    });
    m.on('click', () => {
      select(s.rank, false);
      $(`#proposals [data-rank="${s.rank}"]`)?.scrollIntoView({ block: 'nearest' });
    });
    drawn.addLayer(fov);
    drawn.addLayer(m);
    markers.set(s.rank, m);
  }
  if (res.suggestions.length) map.fitBounds(drawn.getBounds(), { padding: [30, 30], maxZoom: 17 });
}

// aim says which way to turn the camera: any way when all it adds is
// the junction it stands at.
function aim(s) {
  if (s.fov_deg < 360 && s.covers.length === 1 && s.covers[0] === s.junction_id) return t('suggest.aimany', { fov: s.fov_deg, range: s.range_m });
  return t('suggest.aim', { dir: s.direction_deg, fov: s.fov_deg, range: s.range_m });
}

function list(res) {
  const items = res.suggestions.map((s) => h('li', { dataset: { rank: s.rank, junction: s.junction_id } },
    h('button', { type: 'button', onclick: () => select(s.rank, true) },
      h('span', { class: 'rank' }, String(s.rank)),
      h('span', { class: 'title' }, s.name || s.junction_id),
      h('span', { class: 'meta' }, roadPill(s.road_class), h('span', null, s.commune || t('common.na')),
        h('span', null, aim(s))),
      h('span', { class: 'meta' },
        h('span', { class: 'gain' }, t('suggest.adds', { n: formatInt(s.junctions_added) })),
        s.incidents ? h('span', null, t('gaps.incidents', { n: formatInt(s.incidents) })) : null,
        h('span', null, t('suggest.after', { ratio: formatPercent(s.coverage_ratio) })),
        s.est_cost_vnd != null ? h('span', null, formatVND(s.est_cost_vnd)) : null))));
  replace($('#proposals'), items);
}

async function ask(push) {
  const q = question();
  const go = $('#go');
  go.disabled = true;
  $('#proposals').removeAttribute('data-loaded');
  try {
    const res = await api('coverage/suggest', { query: q });
    fieldError(form, null);
    clearFlash();
    if (push) history.replaceState(null, '', '/suggest?' + new URLSearchParams(Object.entries(q).filter(([, v]) => v)).toString());
    $('#result').hidden = false;
    replace($('#totals'),
      stat(t('suggest.cameras'), formatInt(res.suggestions.length), res.suggestions.length < Number(q.n) ? t('suggest.fewer') : null),
      stat(t('suggest.junctions'), `+${formatInt(res.covered_after - res.covered_before)}`, t('suggest.ofgaps', { n: formatInt(res.junctions - res.covered_before) })),
      stat(t('suggest.coverage'), `${formatPercent(res.coverage_before)} → ${formatPercent(res.coverage_after)}`),
      stat(t('suggest.cost'), res.est_cost_vnd != null ? formatVND(res.est_cost_vnd) : t('common.na'),
        res.cost_cameras ? t('suggest.costfrom', { n: formatInt(res.cost_cameras) }) : t('suggest.nocost')));
    const from = res.mount_from === 'asked' ? t('suggest.mount.asked') : res.mount_from === 'cameras' ? t('suggest.mount.cameras', { n: formatInt(res.mount_cameras) }) : t('suggest.mount.default');
    $('#mount').textContent = t('suggest.mountline', { fov: res.fov_deg, range: res.range_m, from });
    $('#export-geojson').href = downloadHref('coverage/suggest', { ...q, format: 'geojson' });
    list(res);
    draw(res);
    if (!res.suggestions.length) flash(t('suggest.none'));
    $('#proposals').dataset.loaded = String(res.suggestions.length);
  } catch (err) {
    if (!fieldError(form, err)) loadError(err);
  } finally {
    go.disabled = false;
    ready();
  }
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  ask(true);
});
if (params.get('n')) ask(false);
else ready();
