// Formatting the Vietnamese way: money as 1.300.000.000 ₫, numbers with
// dots between thousands, times in the daemon's zone.
import { boot, t, has } from './boot.js';

const groupSep = boot.lang === 'vi' ? '.' : ',';
const decimalSep = boot.lang === 'vi' ? ',' : '.';

// formatInt writes a whole number with thousands separators.
export function formatInt(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return t('common.na');
  const neg = n < 0;
  const s = String(Math.abs(Math.trunc(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += '.';
    out += s[i];
  }
  // Vietnamese groups with dots; English with commas.
  if (groupSep !== '.') out = out.split('.').join(groupSep);
  return (neg ? '-' : '') + out;
}

// formatVND writes an amount of đồng: 1.300.000.000 ₫, in every language
// (it is how the money is written in the commune's own papers).
export function formatVND(n) {
  if (n === null || n === undefined) return t('common.na');
  const neg = n < 0;
  const s = String(Math.abs(Math.trunc(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += '.';
    out += s[i];
  }
  return (neg ? '-' : '') + out + ' ₫';
}

// formatPercent writes a ratio (0..1) as a percentage with one decimal.
export function formatPercent(r, digits = 1) {
  if (r === null || r === undefined || Number.isNaN(r)) return t('common.na');
  const s = (r * 100).toFixed(digits).replace('.', decimalSep);
  return t('common.percent', { n: s });
}

const dtf = new Intl.DateTimeFormat('en-US', {
  timeZone: boot.zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

// wall returns the fields of d's wall-clock time in the zone.
function wall(d) {
  const o = {};
  for (const p of dtf.formatToParts(d)) o[p.type] = p.value;
  return o;
}

// formatTime writes a time in the zone, day first: 24/11/2026 21:40.
export function formatTime(v) {
  const d = toDate(v);
  if (!d) return t('common.na');
  const p = wall(d);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

// formatDate writes a date in the zone: 24/11/2026.
export function formatDate(v) {
  const d = toDate(v);
  if (!d) return t('common.na');
  const p = wall(d);
  return `${p.day}/${p.month}/${p.year}`;
}

function toDate(v) {
  if (!v) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

// offsetAt returns the zone's offset from UTC at the instant ms, in
// minutes.
function offsetAt(ms) {
  const p = wall(new Date(ms));
  const asUTC = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUTC - Math.floor(ms / 1000) * 1000) / 60000);
}

// localInput returns the value of a datetime-local input showing d in the
// zone: 2026-11-24T21:40.
export function localInput(d) {
  const p = wall(d);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// fromLocalInput reads a datetime-local value as a wall-clock time in
// the zone and returns it in RFC 3339 with the zone's offset, as the API
// takes it.
export function fromLocalInput(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(s || '');
  if (!m) return '';
  const w = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  const off = offsetAt(w - offsetAt(w) * 60000);
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  const pad = (n) => String(n).padStart(2, '0');
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

// formatDuration writes a length of time in words: 3 giờ 20 phút.
export function formatDuration(ms) {
  if (ms === null || ms === undefined || ms < 0) return t('common.na');
  const min = Math.floor(ms / 60000);
  if (min < 60) return t('duration.minutes', { n: Math.max(min, 1) });
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? t('duration.hoursminutes', { h, m: min % 60 }) : t('duration.hours', { n: h });
  const d = Math.floor(h / 24);
  return h % 24 ? t('duration.dayshours', { d, h: h % 24 }) : t('duration.days', { n: d });
}

// stateText names a health state; reasonText says a probe's reason in
// plain words.
export function stateText(state) {
  return t('state.' + (state || 'unknown'));
}

export function reasonText(reason) {
  if (!reason) return t('reason.never');
  if (has('reason.' + reason)) return t('reason.' + reason);
  const m = /^status_(\d{3})$/.exec(reason);
  if (m) return t('reason.status', { code: m[1] });
  return reason;
}

// roadText names a road class.
export function roadText(rc) {
  return has('road.' + rc) ? t('road.' + rc) : rc;
}
