// Công khai: a commune's public statement of the money for its cameras,
// for anyone, without signing in — what came in, what the cameras cost,
// what is left, how the cameras worked over 30 days, and every gift with
// the donor's name where the donor agreed ("Nhà hảo tâm" otherwise).
// It reads GET /api/v1/public/statements/{slug}, the one route that needs
// no sign-in; a commune whose statement is not published is not found.
import '../css/app.css';
import '../css/funds.css';
import { api } from '../lib/api.js';
import { boot, t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatDate, formatInt, formatPercent, formatTime, formatVND } from '../lib/format.js';
import { ready } from '../lib/shell.js';

const date = (d) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

function stat(label, value, sub, cls = '') {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value ' + cls }, value), sub ? h('div', { class: 'sub' }, sub) : null);
}

function bar(ratio) {
  const span = h('span');
  span.style.width = `${Math.max(0, Math.min(1, ratio || 0)) * 100}%`;
  return h('div', { class: 'bar live' }, span);
}

function show(s) {
  document.title = `${t('public.title.commune', { commune: s.commune })} · ${t('app.name')}`;
  $('#title').textContent = t('public.title.commune', { commune: s.commune });
  $('#subtitle').textContent = t('public.subtitle', { date: formatDate(s.published_at) });
  const names = new Map(s.cameras.map((c) => [c.id, c.name || c.id]));
  const body = $('#body');
  body.removeAttribute('aria-busy');
  replace(body,
    h('div', { class: 'cards', id: 'cards' },
      stat(t('public.card.received'), formatVND(s.received_vnd), t('public.card.donors', { n: formatInt(s.donors), gifts: formatInt(s.donations) }), 'money'),
      stat(t('public.card.spent'), formatVND(s.spent_vnd), t('public.card.cameras', { n: formatInt(s.cameras.length) }), 'money'),
      stat(s.balance_vnd < 0 ? t('funds.card.short') : t('funds.card.balance'), formatVND(Math.abs(s.balance_vnd)), t('funds.card.balance.sub'), 'money' + (s.balance_vnd < 0 ? ' neg' : '')),
      stat(t('public.card.pool'), formatVND(s.pool_vnd), t('public.card.pool.sub'), 'money')),
    h('h2', null, t('public.cameras.title')),
    h('p', { class: 'muted' }, t('public.cameras.window', { from: formatDate(s.uptime_from), to: formatDate(s.uptime_to) })),
    h('div', { class: 'table-wrap' }, h('table', { id: 'cameras' },
      h('thead', null, h('tr', null,
        h('th', null, t('public.col.camera')), h('th', { class: 'num' }, t('funds.col.cost')), h('th', { class: 'num' }, t('funds.col.donated')),
        h('th', null, t('public.col.uptime')))),
      h('tbody', null, s.cameras.map((c) => h('tr', { dataset: { id: c.id } },
        h('th', { scope: 'row' }, c.name || c.id, h('div', { class: 'sub' }, c.id)),
        h('td', { class: 'num', 'data-label': t('funds.col.cost') }, formatVND(c.cost_vnd)),
        h('td', { class: 'num', 'data-label': t('funds.col.donated') }, formatVND(c.donated_vnd)),
        h('td', { class: 'uptime-cell', 'data-label': t('public.col.uptime') }, c.retired || c.uptime === null
          ? h('span', { class: 'muted' }, t('funds.retired'))
          : h('div', { class: 'bar-row' }, bar(c.uptime), h('span', { class: 'num' }, formatPercent(c.uptime))))))))),
    h('h2', null, t('public.gifts.title'), ' ', h('span', { class: 'muted' }, `(${formatInt(s.donations)})`)),
    s.gifts.length < s.donations ? h('p', { class: 'muted' }, t('public.gifts.latest', { n: formatInt(s.gifts.length) })) : null,
    h('div', { class: 'table-wrap' }, h('table', { id: 'gifts' },
      h('thead', null, h('tr', null,
        h('th', null, t('donations.col.date')), h('th', null, t('donations.col.donor')),
        h('th', { class: 'num' }, t('donations.col.amount')), h('th', { class: 'for' }, t('donations.col.for')))),
      h('tbody', null, s.gifts.map((g) => {
        const to = g.camera_id ? names.get(g.camera_id) || g.camera_id : t('public.pool');
        // On a phone what the gift was for goes under the donor (a
        // fourth column would not fit).
        return h('tr', { class: g.donor ? 'named' : 'anonymous' },
          h('td', { class: 'nowrap' }, date(g.received_on)),
          h('td', null, h('span', { class: 'donor' }, g.donor || t('public.anonymous')), h('div', { class: 'sub for-sub' }, to)),
          h('td', { class: 'num' }, formatVND(g.amount_vnd)),
          h('td', { class: 'for' }, to));
      })))),
    h('p', { class: 'muted privacy' }, t('public.privacy')),
    h('p', { class: 'muted' }, t('public.generated', { time: formatTime(new Date()) })));
}

async function load() {
  try {
    show(await api(`public/statements/${encodeURIComponent(boot.params.slug || '')}`));
  } catch (err) {
    const body = $('#body');
    body.removeAttribute('aria-busy');
    replace(body, err.status === 404
      ? h('div', { class: 'message', id: 'notfound' }, h('h2', null, t('public.notfound.title')), h('p', null, t('public.notfound.text')))
      : h('p', { class: 'form-error' }, t('error.load', { detail: err.message })));
  }
  ready();
}

load();
