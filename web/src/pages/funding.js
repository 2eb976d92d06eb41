// Quỹ: the money by commune, camera or donor — what was given, what the
// cameras cost, the balance (red where still to fund) and the cost per
// working hour — sorted and filtered by the API (GET /api/v1/funding with
// sort=, commune= and q=, a page at a time); the money given over time
// as bars (GET /api/v1/donations/series); and which communes publish
// their statement, which an admin turns on and off here.
import '../css/app.css';
import '../css/funds.css';
import { all, api } from '../lib/api.js';
import { can, t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { barChart, moneyCell, periodText } from '../lib/funds.js';
import { formatInt, formatVND } from '../lib/format.js';
import { clearFlash, flash, loadError, ready, startShell } from '../lib/shell.js';

startShell();

const pageSize = 100;
const params = new URLSearchParams(location.search);
const state = {
  view: ['camera', 'commune', 'donor'].includes(params.get('view')) ? params.get('view') : 'commune',
  commune: params.get('commune') || '',
  q: params.get('q') || '',
  sort: params.get('sort') || '',
  next: '',
};
let communes = []; // the commune view's rows: the select, the publications
let seq = 0; // answers to an older question are dropped

const num = (v) => h('td', { class: 'num' }, formatInt(v));
const perHour = (r) => h('td', { class: 'num' }, r.cost_per_up_hour_vnd === null ? t('common.na') : formatVND(r.cost_per_up_hour_vnd));
const hours = (r) => h('td', { class: 'num' }, t('funds.hours', { n: formatInt(Math.round(r.up_hours)) }));

// The columns of each view: the field it sorts by, its heading, its cell.
const columns = {
  commune: [
    { field: 'key', label: t('funds.col.commune'), cell: (r) => h('th', { scope: 'row' }, r.key || t('common.na')) },
    { field: 'cameras', label: t('funds.col.cameras'), num: true, cell: (r) => num(r.cameras) },
    { field: 'cost_vnd', label: t('funds.col.cost'), num: true, cell: (r) => moneyCell(r.cost_vnd) },
    { field: 'donated_vnd', label: t('funds.col.donated'), num: true, cell: (r) => moneyCell(r.donated_vnd) },
    { field: 'pool_vnd', label: t('funds.col.pool'), num: true, cell: (r) => moneyCell(r.pool_vnd) },
    { field: 'balance_vnd', label: t('funds.col.balance'), num: true, cell: (r) => moneyCell(r.balance_vnd, 'balance') },
    { field: 'donors', label: t('funds.col.donors'), num: true, cell: (r) => num(r.donors) },
    { field: 'cost_per_up_hour_vnd', label: t('funds.col.perhour'), num: true, cell: perHour },
  ],
  camera: [
    { field: 'key', label: t('funds.col.camera'), cell: (r) => h('th', { scope: 'row' }, h('span', { class: 'nowrap' }, r.key), r.name ? h('div', { class: 'sub' }, r.name) : null, r.status === 'retired' ? h('div', { class: 'sub' }, t('funds.retired')) : null) },
    { field: 'commune', label: t('funds.col.commune'), cell: (r) => h('td', null, r.commune || t('common.na')) },
    { field: 'cost_vnd', label: t('funds.col.cost'), num: true, cell: (r) => moneyCell(r.cost_vnd) },
    { field: 'donated_vnd', label: t('funds.col.donated'), num: true, cell: (r) => moneyCell(r.donated_vnd) },
    { field: 'balance_vnd', label: t('funds.col.balance'), num: true, cell: (r) => moneyCell(r.balance_vnd, 'balance') },
    { field: 'up_hours', label: t('funds.col.uphours'), num: true, cell: hours },
    { field: 'cost_per_up_hour_vnd', label: t('funds.col.perhour'), num: true, cell: perHour },
  ],
  donor: [
    { field: 'key', label: t('funds.col.donor'), cell: (r) => h('th', { scope: 'row' }, r.key) },
    { field: 'donated_vnd', label: t('funds.col.given'), num: true, cell: (r) => moneyCell(r.donated_vnd) },
    { field: 'pool_vnd', label: t('funds.col.pool'), num: true, cell: (r) => moneyCell(r.pool_vnd) },
    { field: 'donations', label: t('funds.col.donations'), num: true, cell: (r) => num(r.donations) },
    { field: 'cameras', label: t('funds.col.cameras'), num: true, cell: (r) => num(r.cameras) },
    { field: 'communes', label: t('funds.col.communes'), num: true, cell: (r) => num(r.communes) },
  ],
};

function query(extra = {}) {
  return { group_by: state.view, commune: state.commune, q: state.q, sort: state.sort, ...extra };
}

function keepInAddress() {
  const q = new URLSearchParams();
  for (const k of ['view', 'commune', 'q', 'sort']) if (state[k]) q.set(k, state[k]);
  history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : ''));
}

function head() {
  const cols = columns[state.view];
  replace($('#rows thead'), h('tr', null, cols.map((c) => {
    const dir = state.sort === c.field ? 'ascending' : state.sort === '-' + c.field ? 'descending' : null;
    const arrow = dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : '';
    return h('th', { class: c.num ? 'num' : null, 'aria-sort': dir, scope: 'col' },
      h('button', { type: 'button', class: 'sort', dataset: { field: c.field }, onclick: () => sortBy(c.field) }, c.label + arrow));
  })));
}

function sortBy(field) {
  state.sort = state.sort === field ? '-' + field : field;
  load();
}

function stat(label, value, sub, cls = '') {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value ' + cls }, value), sub ? h('div', { class: 'sub' }, sub) : null);
}

function cards(tot) {
  const el = $('#cards');
  el.removeAttribute('aria-busy');
  replace(el,
    stat(t('funds.card.donated'), formatVND(tot.donated_vnd), t('funds.card.donors', { n: formatInt(tot.donors) }), 'money'),
    stat(t('funds.card.cost'), formatVND(tot.cost_vnd), t('funds.card.cameras', { n: formatInt(tot.cameras) }), 'money'),
    stat(tot.balance_vnd < 0 ? t('funds.card.short') : t('funds.card.balance'), formatVND(Math.abs(tot.balance_vnd)), t('funds.card.balance.sub'), 'money' + (tot.balance_vnd < 0 ? ' neg' : '')),
    stat(t('funds.card.perhour'), tot.cost_per_up_hour_vnd === null ? t('common.na') : formatVND(tot.cost_per_up_hour_vnd), t('funds.card.perhour.sub'), 'money'));
}

function exports() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query())) if (v) q.set(k, v);
  $('#export-csv').href = `/api/v1/funding?${q}&format=csv&bom=true`;
  $('#export-xlsx').href = `/api/v1/funding?${q}&format=xlsx`;
}

// load asks for the first page of the view as it is now set.
async function load() {
  const my = ++seq;
  keepInAddress();
  head();
  exports();
  for (const b of document.querySelectorAll('.tab')) b.setAttribute('aria-pressed', String(b.dataset.view === state.view));
  let page;
  try {
    page = await api('funding', { query: query({ limit: pageSize }) });
  } catch (err) {
    if (my === seq) loadError(err);
    return;
  }
  if (my !== seq) return;
  clearFlash();
  cards(page.totals);
  replace($('#rows tbody'), page.items.map(row));
  total(page.totals);
  more(page);
}

function row(r) {
  return h('tr', { dataset: { key: r.key } }, columns[state.view].map((c) => c.cell(r)));
}

// total is the footer: the view's totals under the columns they fill.
function total(tot) {
  const cells = columns[state.view].map((c, i) => {
    if (i === 0) return h('td', null, state.commune ? t('funds.total.commune') : t('common.total'));
    if (state.view === 'donor' && (c.field === 'cameras' || c.field === 'communes')) return h('td');
    return c.cell(tot);
  });
  replace($('#rows tfoot'), h('tr', null, cells));
}

function more(page) {
  state.next = page.next_cursor || '';
  $('#more').hidden = !state.next;
  const shown = document.querySelectorAll('#rows tbody tr').length;
  $('#count').textContent = state.next ? t('funds.count.more', { n: formatInt(shown) }) : t('funds.count', { n: formatInt(shown) });
}

$('#more').addEventListener('click', async () => {
  const my = seq;
  const btn = $('#more');
  btn.disabled = true;
  try {
    const page = await api('funding', { query: query({ limit: pageSize, cursor: state.next }) });
    if (my !== seq) return;
    $('#rows tbody').append(...page.items.map(row));
    more(page);
  } catch (err) {
    loadError(err);
  } finally {
    btn.disabled = false;
  }
});

for (const b of document.querySelectorAll('.tab')) {
  b.addEventListener('click', () => {
    if (state.view === b.dataset.view) return;
    state.view = b.dataset.view;
    state.sort = '';
    load();
  });
}

let typing = 0;
$('#q').value = state.q;
$('#q').addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => {
    state.q = $('#q').value.trim();
    load();
  }, 250);
});
$('#filters').addEventListener('submit', (ev) => ev.preventDefault());
$('#commune').addEventListener('change', () => {
  state.commune = $('#commune').value;
  load();
  chart();
});
$('#interval').addEventListener('change', chart);

// chart draws the money given per month (or year) in the commune chosen,
// or in the whole district.
async function chart() {
  const box = $('#chart');
  let s;
  try {
    s = await api('donations/series', { query: { commune: state.commune, interval: $('#interval').value } });
  } catch (err) {
    loadError(err);
    return;
  }
  const one = state.commune ? s.series[0] : s.total;
  if (!one || !s.periods.length) {
    replace(box, h('p', { class: 'muted' }, t('funds.chart.none')));
    return;
  }
  const sum = one.donated_vnd.reduce((a, b) => a + b, 0);
  const where = state.commune ? (s.series[0] || {}).commune || state.commune : t('common.total');
  const bars = barChart(s.periods, one.donated_vnd, one.donations);
  replace(box, bars,
    h('figcaption', { class: 'muted' }, t('funds.chart.caption', {
      where, from: periodText(s.periods[0]), to: periodText(s.periods[s.periods.length - 1]), amount: formatVND(sum),
    })));
  // The latest months in view on a narrow screen.
  bars.scrollLeft = bars.scrollWidth;
}

// publications lists the communes and whether their statement is
// published; an admin turns it on and off.
async function publications() {
  $('#public-intro').textContent = can('admin') ? t('funds.public.intro.admin') : t('funds.public.intro');
  let list;
  try {
    list = (await api('statements')).items;
  } catch (err) {
    loadError(err);
    return;
  }
  const published = new Map(list.map((p) => [p.commune, p]));
  replace($('#public'), communes.map((c) => {
    const p = published.get(c.key);
    const action = (label, method, cls) => h('button', {
      type: 'button', class: 'button ' + cls, dataset: { action: method === 'PUT' ? 'publish' : 'unpublish' },
      onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        try {
          await api(`statements/${encodeURIComponent(c.key)}`, { method });
          flash(method === 'PUT' ? t('funds.public.on', { commune: c.key }) : t('funds.public.off', { commune: c.key }));
        } catch (err) {
          flash(t('funds.public.error', { detail: err.message }), 'error');
        }
        publications();
      },
    }, label);
    return h('li', { dataset: { commune: c.key, published: p ? '1' : '0' } },
      h('span', { class: 'name' }, c.key),
      p ? h('a', { href: p.path, class: 'publink' }, t('funds.public.link')) : h('span', { class: 'muted' }, t('funds.public.none')),
      can('admin') ? (p ? action(t('funds.public.unpublish'), 'DELETE', '') : action(t('funds.public.publish'), 'PUT', 'primary')) : null);
  }));
}

async function start() {
  $('#interval').value = 'month';
  try {
    communes = await all('funding', { group_by: 'commune' });
  } catch (err) {
    loadError(err);
    return;
  }
  const sel = $('#commune');
  for (const c of communes) if (c.key) sel.append(h('option', { value: c.key }, c.key));
  sel.value = state.commune;
  await Promise.all([load(), chart(), publications()]);
  ready();
}

start();
