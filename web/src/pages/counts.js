// Thống kê vụ việc: the aggregated incident counts every role may see
// (GET /api/v1/incidents/counts) — per month, per category, per commune
// and how they were handled, with their suspects. No incident, case
// reference, note or clip is in the answer, so none is on the page.
import '../css/app.css';
import '../css/evidence.css';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { categories, categoryText, handlings, handlingText } from '../lib/evidence.js';
import { formatInt, fromLocalInput } from '../lib/format.js';
import { loadError, ready, startShell } from '../lib/shell.js';

startShell();

const yearSel = $('#year');
const communeSel = $('#commune');
const params = new URLSearchParams(location.search);
let data = null;

function monthText(m) {
  const [y, mm] = m.split('-');
  return `${mm}/${y}`;
}

// monthsBetween lists every YYYY-MM from a to b, so that a month without
// incidents shows as an empty column rather than not at all.
function monthsBetween(a, b) {
  const out = [];
  let [y, m] = a.split('-').map(Number);
  const [y1, m1] = b.split('-').map(Number);
  while (y < y1 || (y === y1 && m <= m1)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

function bar(ratio) {
  const span = h('span');
  span.style.width = `${Math.max(0, Math.min(1, ratio)) * 100}%`;
  return h('div', { class: 'bar' }, span);
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

function render() {
  const commune = communeSel.value;
  const keep = (r) => !commune || r.commune === commune;
  const rows = data.rows.filter(keep);
  const hand = data.by_handling.filter(keep);
  const sum = (list, f) => list.reduce((a, r) => a + r[f], 0);
  const criminal = hand.filter((r) => r.handling === 'criminal');
  replace($('#cards'),
    stat(t('evidence.counts.incidents'), formatInt(sum(rows, 'incidents'))),
    stat(t('evidence.counts.subjects'), formatInt(sum(rows, 'subjects'))),
    stat(t('evidence.counts.criminal'), formatInt(sum(criminal, 'incidents'))),
    stat(t('evidence.counts.criminalsubjects'), formatInt(sum(criminal, 'subjects'))));

  // By month: columns, every month of the span.
  const byMonth = new Map();
  for (const r of rows) byMonth.set(r.month, (byMonth.get(r.month) || 0) + r.incidents);
  const months = [...byMonth.keys()].sort();
  const year = yearSel.value;
  const span = year ? monthsBetween(`${year}-01`, `${year}-12`) : months.length ? monthsBetween(months[0], months[months.length - 1]) : [];
  const max = Math.max(1, ...byMonth.values());
  replace($('#months'), span.length ? span.map((m, i) => {
    const n = byMonth.get(m) || 0;
    const fill = h('span', { class: 'fill' });
    fill.style.height = `${(n / max) * 100}%`;
    const [y, mm] = m.split('-');
    return h('div', { class: 'col', dataset: { month: m, n }, title: `${monthText(m)}: ${n}` },
      h('span', { class: 'n' }, n ? formatInt(n) : ''),
      h('div', { class: 'track' }, fill),
      h('span', { class: 'm' }, mm, i === 0 || mm === '01' ? h('span', { class: 'y' }, y) : null));
  }) : h('p', { class: 'muted' }, t('common.none')));

  // By category.
  const byCat = new Map();
  for (const r of rows) {
    const c = byCat.get(r.category) || { n: 0, s: 0 };
    c.n += r.incidents;
    c.s += r.subjects;
    byCat.set(r.category, c);
  }
  const catMax = Math.max(1, ...[...byCat.values()].map((c) => c.n));
  const cats = [...byCat.keys()].sort((a, b) => byCat.get(b).n - byCat.get(a).n || categories.indexOf(a) - categories.indexOf(b));
  replace($('#categories tbody'), cats.length ? cats.map((c) => h('tr', { dataset: { category: c } },
    h('th', { scope: 'row' }, categoryText(c)),
    h('td', { class: 'barcell' }, bar(byCat.get(c).n / catMax)),
    h('td', { class: 'num' }, formatInt(byCat.get(c).n)),
    h('td', { class: 'num' }, formatInt(byCat.get(c).s)))) : h('tr', null, h('td', { colspan: 4, class: 'muted' }, t('common.none'))));

  // By commune and handling: cases, and their suspects under them.
  const communes = [...new Set(hand.map((r) => r.commune))].sort((a, b) => a.localeCompare(b, 'vi'));
  const cell = (list) => {
    const n = sum(list, 'incidents');
    const s = sum(list, 'subjects');
    return h('td', { class: 'num' }, n ? formatInt(n) : h('span', { class: 'muted' }, '0'), n ? h('div', { class: 'sub' }, t('evidence.counts.subjects.n', { n: formatInt(s) })) : null);
  };
  replace($('#handling thead'), h('tr', null, h('th', null, t('common.commune')),
    handlings.map((x) => h('th', { class: 'num' }, handlingText(x))), h('th', { class: 'num' }, t('evidence.counts.total'))));
  replace($('#handling tbody'), communes.length ? communes.map((c) => h('tr', { dataset: { commune: c } },
    h('th', { scope: 'row' }, c || t('common.na')),
    handlings.map((x) => cell(hand.filter((r) => r.commune === c && r.handling === x))),
    cell(hand.filter((r) => r.commune === c)))) : h('tr', null, h('td', { colspan: 6, class: 'muted' }, t('common.none'))));
  replace($('#handling tfoot'), communes.length > 1 ? h('tr', null, h('td', null, t('common.total')),
    handlings.map((x) => cell(hand.filter((r) => r.handling === x))), cell(hand)) : null);

  // Every row of the answer, newest month first.
  const detail = [...rows].sort((a, b) => a.commune.localeCompare(b.commune, 'vi') || b.month.localeCompare(a.month) || categories.indexOf(a.category) - categories.indexOf(b.category));
  replace($('#detail tbody'), detail.length ? detail.map((r) => h('tr', null,
    h('td', null, r.commune || t('common.na')), h('td', { class: 'nowrap' }, monthText(r.month)), h('td', null, categoryText(r.category)),
    h('td', { class: 'num' }, formatInt(r.incidents)), h('td', { class: 'num' }, formatInt(r.subjects)))) : h('tr', null, h('td', { colspan: 5, class: 'muted' }, t('common.none'))));
}

async function fetchCounts() {
  const y = yearSel.value;
  const query = y ? { from: fromLocalInput(`${y}-01-01T00:00`), to: fromLocalInput(`${Number(y) + 1}-01-01T00:00`) } : {};
  return api('incidents/counts', { query });
}

async function load(first) {
  try {
    data = await fetchCounts();
  } catch (err) {
    loadError(err);
    return;
  }
  if (first) {
    // The years and communes to choose from: those with incidents.
    const years = [...new Set(data.rows.map((r) => r.month.slice(0, 4)))].sort().reverse();
    for (const y of years) yearSel.append(h('option', { value: y }, y));
    const communes = [...new Set(data.by_handling.map((r) => r.commune).filter(Boolean))].sort((a, b) => a.localeCompare(b, 'vi'));
    for (const c of communes) communeSel.append(h('option', { value: c }, c));
    communeSel.value = params.get('commune') || '';
    if (params.get('year') && years.includes(params.get('year'))) {
      yearSel.value = params.get('year');
      data = await fetchCounts().catch((err) => {
        loadError(err);
        return data;
      });
    }
  }
  render();
  ready();
}

function keepInAddress() {
  const q = new URLSearchParams();
  if (yearSel.value) q.set('year', yearSel.value);
  if (communeSel.value) q.set('commune', communeSel.value);
  history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : ''));
}

yearSel.addEventListener('change', () => {
  keepInAddress();
  load(false);
});
communeSel.addEventListener('change', () => {
  keepInAddress();
  render();
});

load(true);
