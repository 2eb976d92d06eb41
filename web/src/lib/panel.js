// The camera panel: what the map shows when a camera is tapped — name,
// commune, road class, state and since when, the reason in plain words,
// uptime over 24 h / 7 d / 30 d and its state over the last week.
import { api } from './api.js';
import { t } from './boot.js';
import { h, replace } from './dom.js';
import { formatDuration, formatPercent, formatTime, reasonText, roadText, stateText } from './format.js';
import { mayseeState } from './mapbase.js';

export function statePill(state) {
  return h('span', { class: `state state-${state || 'unknown'}` }, stateText(state));
}

// timeline draws the camera's states over [from, to) from its
// transitions (newest first, as the API lists them) and its state now.
export function timeline(transitions, now, from, to) {
  const span = to - from;
  const segs = [];
  const ts = [...transitions].sort((a, b) => new Date(a.at) - new Date(b.at));
  let state = ts.length ? ts[0].from : now;
  let at = from;
  for (const tr of ts) {
    const when = new Date(tr.at).getTime();
    if (when <= from) {
      state = tr.to;
      continue;
    }
    segs.push([at, Math.min(when, to), state]);
    at = when;
    state = tr.to;
  }
  segs.push([at, to, state]);
  const bar = h('div', { class: 'timeline', role: 'img', 'aria-label': t('map.panel.timeline') });
  for (const [a, b, s] of segs) {
    if (b <= a) continue;
    const el = h('span', { class: 'seg-' + s, title: `${stateText(s)}: ${formatTime(a)} – ${formatTime(b)}` });
    el.style.width = `${((b - a) / span) * 100}%`;
    bar.append(el);
  }
  return h('div', null, bar, h('div', { class: 'timeline-axis' }, h('span', null, formatTime(from)), h('span', null, formatTime(to))));
}

// showCamera fills panel (an element) with the camera id's details.
export async function showCamera(panel, id, { onClose } = {}) {
  panel.hidden = false;
  const body = h('div', null, h('p', { class: 'muted' }, t('common.loading')));
  const close = h('button', { class: 'close', type: 'button', 'aria-label': t('common.close'), onclick: () => { panel.hidden = true; if (onClose) onClose(); } }, '×');
  replace(panel, h('div', { class: 'panel-head' }, h('h2', null, id), close), body);
  try {
    const cam = await api(`cameras/${encodeURIComponent(id)}`);
    const facts = h('dl', { class: 'facts' },
      h('dt', null, t('map.panel.commune')), h('dd', null, cam.commune || t('common.na')),
      h('dt', null, t('map.panel.road')), h('dd', null, roadText(cam.road_class)),
      h('dt', null, ''), h('dd', null, t('map.panel.direction', { dir: cam.direction_deg, fov: cam.fov_deg, range: cam.range_m })));
    replace(panel.querySelector('h2'), cam.name || id);
    replace(body, h('p', { class: 'muted' }, id), facts);
    if (!mayseeState) return;
    const hv = await api(`cameras/${encodeURIComponent(id)}/health`);
    const now = Date.now();
    const weekAgo = now - 7 * 24 * 3600 * 1000;
    const since = hv.since ? new Date(hv.since) : null;
    body.append(
      h('h3', null, t('map.panel.state')),
      h('p', null, statePill(hv.state), ' ', since ? h('span', { class: 'muted' }, t('common.since', { time: formatTime(since) }), ' · ', t('common.for', { duration: formatDuration(now - since) })) : null),
      hv.state !== 'up' ? h('p', { class: 'reason' }, reasonText(hv.reason)) : null,
      h('h3', null, t('map.panel.uptime')),
      h('div', { class: 'uptimes' }, ['24h', '7d', '30d'].map((w) => h('div', null, h('b', null, formatPercent((hv.uptime[w] || {}).ratio)), t('map.panel.uptime' + w)))),
      h('h3', null, t('map.panel.timeline')),
      timeline(hv.transitions || [], hv.state, weekAgo, now),
      h('p', null, h('a', { href: `/cameras/${encodeURIComponent(id)}` }, t('map.panel.history'))));
  } catch (err) {
    replace(body, h('p', { class: 'form-error' }, t('error.load', { detail: err.message })));
  }
}
