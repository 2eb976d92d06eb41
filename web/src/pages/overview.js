// Tổng quan: the district summary as a commune chief reads it, from
// GET /api/v1/reports/summary. Prints on A4.
import '../css/app.css';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatInt, formatPercent, formatTime, formatVND, roadText } from '../lib/format.js';
import { loadError, ready, startShell } from '../lib/shell.js';

startShell();
$('[data-action=print]').addEventListener('click', () => window.print());

const roadOrder = ['national', 'provincial', 'district', 'commune', 'urban', 'other'];
const handlings = ['criminal', 'administrative', 'education', 'none'];

function stat(label, value, sub, cls = '') {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value ' + cls }, value), sub ? h('div', { class: 'sub' }, sub) : null);
}

function bar(ratio, live) {
  const span = h('span');
  span.style.width = `${Math.max(0, Math.min(1, ratio || 0)) * 100}%`;
  return h('div', { class: 'bar' + (live ? ' live' : '') }, span);
}

function coverageCell(c, live) {
  if (!c || !c.intersections) return h('td', { class: 'muted' }, t('common.na'));
  const n = live ? c.live : c.installed;
  const r = live ? c.live_ratio : c.installed_ratio;
  return h('td', null, h('div', { class: 'bar-row' }, bar(r, live), h('span', { class: 'num' }, `${formatInt(n)} · ${formatPercent(r, 0)}`)));
}

function sumValues(m) {
  return Object.values(m || {}).reduce((a, b) => a + b, 0);
}

function communeRow(r, total) {
  const all = (r.coverage || {}).all;
  const cov = all && all.intersections ? `${formatPercent(all.installed_ratio, 0)} / ${formatPercent(all.live_ratio, 0)}` : t('common.na');
  const balance = r.funding_vnd - r.cost_vnd;
  const cells = [
    h(total ? 'td' : 'th', total ? null : { scope: 'row' }, total ? t('common.total') : r.commune || t('common.na')),
    h('td', { class: 'num' }, formatInt(r.cameras)),
    h('td', { class: 'num' }, formatInt(r.up_now)),
    h('td', { class: 'num' }, formatPercent(r.uptime)),
    h('td', { class: 'num' }, cov),
    h('td', { class: 'num' }, formatVND(r.funding_vnd)),
    h('td', { class: 'num' }, formatVND(r.cost_vnd)),
    h('td', { class: 'num' + (balance < 0 ? ' neg' : '') }, formatVND(balance)),
    h('td', { class: 'num' }, formatInt((r.incidents || {}).criminal || 0)),
    h('td', { class: 'num' }, formatInt((r.subjects || {}).criminal || 0)),
  ];
  return h('tr', null, cells);
}

async function load() {
  let s;
  try {
    s = await api('reports/summary');
  } catch (err) {
    loadError(err);
    return;
  }
  const tot = s.total;
  $('#window').textContent = t('overview.window', { to: formatTime(s.to) });
  const cards = $('#cards');
  cards.removeAttribute('aria-busy');
  replace(cards,
    stat(t('overview.card.communes'), formatInt(s.communes.length)),
    stat(t('overview.card.cameras'), formatInt(tot.cameras)),
    stat(t('overview.card.upnow'), formatInt(tot.up_now), tot.cameras ? formatPercent(tot.up_now / tot.cameras) : null),
    stat(t('overview.card.uptime'), formatPercent(tot.uptime)),
    stat(t('overview.card.funding'), formatVND(tot.funding_vnd), null, 'money'),
    stat(t('overview.card.cost'), formatVND(tot.cost_vnd), null, 'money'),
    stat(t('overview.card.cases'), formatInt((tot.incidents || {}).criminal || 0)),
    stat(t('overview.card.suspects'), formatInt((tot.subjects || {}).criminal || 0)),
  );

  const classes = roadOrder.filter((rc) => (tot.coverage || {})[rc]).concat(['all']);
  replace($('#coverage tbody'), classes.map((rc) => {
    const c = (tot.coverage || {})[rc];
    return h('tr', { class: rc === 'all' ? 'total' : null },
      h('th', { scope: 'row' }, roadText(rc)),
      h('td', { class: 'num' }, formatInt(c ? c.intersections : 0)),
      coverageCell(c, false), coverageCell(c, true));
  }));

  replace($('#incidents tbody'), handlings.map((hd) => h('tr', null,
    h('th', { scope: 'row' }, t('handling.' + hd)),
    h('td', { class: 'num' }, formatInt((tot.incidents || {})[hd] || 0)),
    h('td', { class: 'num' }, formatInt((tot.subjects || {})[hd] || 0)))),
  h('tr', null, h('th', { scope: 'row' }, t('common.total')), h('td', { class: 'num' }, formatInt(sumValues(tot.incidents))), h('td', { class: 'num' }, formatInt(sumValues(tot.subjects)))));

  replace($('#communes tbody'), s.communes.map((r) => communeRow(r, false)));
  replace($('#communes tfoot'), communeRow(tot, true));
  $('#generated').textContent = t('overview.generated', { time: formatTime(s.generated_at) });
  ready();
}

load();
