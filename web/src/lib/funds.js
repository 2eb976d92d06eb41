// What the fundraisers' pages share: money cells, the names of a
// donation's fields, and the bar chart of money over time (SVG drawn
// here: a few dozen bars need no charting library).
import { t } from './boot.js';
import { h } from './dom.js';
import { formatInt, formatVND } from './format.js';

// moneyCell is a table cell of đồng; a negative amount (still to fund)
// is red. A balance says in words what it means when pointed at.
export function moneyCell(n, extra = '') {
  return h('td', { class: `num ${extra}${n < 0 ? ' neg' : ''}`, title: extra === 'balance' ? balanceText(n) : null }, formatVND(n));
}

// balanceText says a balance in words: what is still to fund, or the
// surplus.
export function balanceText(n) {
  if (n < 0) return t('funds.balance.short', { amount: formatVND(-n) });
  if (n > 0) return t('funds.balance.surplus', { amount: formatVND(n) });
  return t('funds.balance.even');
}

// fieldName names a field of a donation row as the sheet's column and in
// words: "Số tiền (amount_vnd)".
export function fieldName(field) {
  const names = {
    donor: t('funds.field.donor'),
    amount_vnd: t('funds.field.amount'),
    received_on: t('funds.field.date'),
    camera_id: t('funds.field.camera'),
    commune: t('funds.field.commune'),
    note: t('funds.field.note'),
    ref: t('funds.field.ref'),
    public: t('funds.field.public'),
  };
  if (!field) return t('funds.field.row');
  return names[field] ? `${names[field]} (${field})` : field;
}

// periodText writes a period of a series: 05/2024, or a year.
export function periodText(p) {
  return p.length === 7 ? `${p.slice(5)}/${p.slice(0, 4)}` : p;
}

const svgNS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// barChart draws one bar per period of values (đồng), counts beside them
// in each bar's title. It is as wide as it needs for bars of at least
// 8 px and scrolls inside its box on a phone rather than the page.
export function barChart(periods, values, counts) {
  const barW = 14;
  const gap = 4;
  const left = 24; // room for the first label, centred on its bar
  const top = 22;
  const height = 180;
  const axis = 34;
  const width = Math.max(320, left * 2 + periods.length * (barW + gap));
  const max = Math.max(1, ...values);
  const root = svg('svg', { viewBox: `0 0 ${width} ${top + height + axis}`, width, height: top + height + axis, role: 'img', class: 'bars' });
  root.append(svg('title', null, t('funds.chart.max', { amount: formatVND(max) })));
  for (const f of [0.5, 1]) {
    const y = top + height - f * height;
    root.append(svg('line', { x1: 0, x2: width, y1: y, y2: y, class: 'grid' }));
  }
  root.append(svg('text', { x: left, y: 14, class: 'max' }, formatVND(max)));
  // Enough labels to read the axis, never two on top of each other.
  const every = Math.max(1, Math.ceil(44 / (barW + gap)));
  periods.forEach((p, i) => {
    const v = values[i] || 0;
    const bh = v > 0 ? Math.max(2, (v / max) * height) : 0;
    const x = left + i * (barW + gap);
    const bar = svg('rect', { x, y: top + height - bh, width: barW, height: bh, class: 'vbar', 'data-period': p, 'data-value': v },
      svg('title', null, t('funds.chart.bar', { period: periodText(p), amount: formatVND(v), n: formatInt(counts[i] || 0) })));
    root.append(bar);
    if (i % every === 0) {
      root.append(svg('text', { x: x + barW / 2, y: top + height + 16, class: 'tick' }, periodText(p)));
    }
  });
  root.append(svg('line', { x1: 0, x2: width, y1: top + height, y2: top + height, class: 'axis' }));
  return h('div', { class: 'chart-wrap' }, root);
}
