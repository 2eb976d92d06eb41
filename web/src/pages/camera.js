// A camera's page: its details, its state now and why, uptime over 24 h,
// 7 d and 30 d, the last 30 days as a timeline and every state change.
import '../css/app.css';
import { api } from '../lib/api.js';
import { boot, t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatDate, formatDuration, formatPercent, formatTime, formatVND, reasonText, roadText } from '../lib/format.js';
import { statePill, timeline } from '../lib/panel.js';
import { loadError, ready, startShell } from '../lib/shell.js';

startShell();
$('#back').addEventListener('click', (ev) => {
  if (history.length > 1) return;
  ev.preventDefault();
  location.assign('/health');
});

const id = boot.params.id;

async function load() {
  const now = Date.now();
  const from = new Date(now - 30 * 24 * 3600 * 1000);
  let cam;
  let hv;
  try {
    [cam, hv] = await Promise.all([api(`cameras/${encodeURIComponent(id)}`), api(`cameras/${encodeURIComponent(id)}/health`)]);
  } catch (err) {
    replace($('#cam-body'), h('p', { class: 'form-error' }, t('error.load', { detail: err.message })));
    if (err.status !== 404) loadError(err);
    return;
  }
  replace($('#cam-title'), cam.name || id);
  $('#cam-sub').textContent = `${id} · ${cam.commune || ''}`;
  const since = hv.since ? new Date(hv.since) : null;
  const facts = h('dl', { class: 'facts' },
    h('dt', null, t('map.panel.commune')), h('dd', null, cam.commune || t('common.na')),
    h('dt', null, t('map.panel.road')), h('dd', null, roadText(cam.road_class)),
    h('dt', null, t('camera.installed')), h('dd', null, cam.installed_on ? formatDate(cam.installed_on + 'T12:00:00Z') : t('common.na')),
    h('dt', null, t('camera.cost')), h('dd', null, formatVND(cam.cost_vnd)),
    h('dt', null, ''), h('dd', null, t('map.panel.direction', { dir: cam.direction_deg, fov: cam.fov_deg, range: cam.range_m })));
  const transitions = [...(hv.transitions || [])].sort((a, b) => new Date(b.at) - new Date(a.at));
  replace($('#cam-body'),
    h('div', { class: 'card' },
      h('h2', null, t('map.panel.state')),
      h('p', null, statePill(hv.state), ' ', since ? h('span', { class: 'muted' }, t('common.since', { time: formatTime(since) }), ' · ', t('common.for', { duration: formatDuration(now - since) })) : null),
      hv.state !== 'up' ? h('p', null, reasonText(hv.reason)) : null,
      h('div', { class: 'uptimes' }, ['24h', '7d', '30d'].map((w) => h('div', null, h('b', null, formatPercent((hv.uptime[w] || {}).ratio)), t('map.panel.uptime' + w)))),
      timeline(transitions, hv.state, from.getTime(), now)),
    h('div', { class: 'card' }, h('h2', null, t('camera.details')), facts,
      h('a', { class: 'button no-print', href: `/map?camera=${encodeURIComponent(id)}&lat=${cam.lat}&lon=${cam.lon}` }, t('camera.openmap'))),
    h('h2', null, t('camera.transitions')),
    h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, h('th', null, t('camera.col.at')), h('th', null, t('camera.col.from')), h('th', null, t('camera.col.to')), h('th', null, t('camera.col.reason')))),
      h('tbody', null, transitions.length ? transitions.map((tr) => h('tr', null,
        h('td', { class: 'nowrap' }, formatTime(tr.at)), h('td', null, statePill(tr.from)), h('td', null, statePill(tr.to)), h('td', null, reasonText(tr.reason))))
        : h('tr', null, h('td', { colspan: 4, class: 'muted' }, t('common.none')))))));
  ready();
}

load();
