// Khoản ủng hộ: the ledger, filtered by commune, donor and dates
// (GET /api/v1/donations, a page at a time); a gift recorded by mistake
// is deleted with a reason (DELETE /api/v1/donations/{id}?reason=, kept
// in the audit log); a donor's consent to be named on the public
// statement is switched on or off (PATCH /api/v1/donations/{id}); the
// list as filtered is exported as CSV or a workbook.
import '../css/app.css';
import '../css/funds.css';
import { all, api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { fieldName } from '../lib/funds.js';
import { formatInt, formatVND } from '../lib/format.js';
import { clearFlash, flash, loadError, ready, startShell } from '../lib/shell.js';

startShell();

const pageSize = 100;
const form = $('#filters');
const params = new URLSearchParams(location.search);
for (const k of ['donor', 'from', 'to']) $('#' + k).value = params.get(k) || '';
let next = '';
let seq = 0;

function filter() {
  return { commune: $('#commune').value, donor: $('#donor').value.trim(), from: $('#from').value, to: $('#to').value };
}

function keepInAddress(f) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : ''));
  $('#export-csv').href = `/api/v1/donations?${q}${q.toString() ? '&' : ''}format=csv&bom=true`;
  $('#export-xlsx').href = `/api/v1/donations?${q}${q.toString() ? '&' : ''}format=xlsx`;
}

// date writes received_on (YYYY-MM-DD) day first.
const date = (d) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

function row(d) {
  const consent = h('input', { type: 'checkbox', checked: d.public, 'aria-label': t('donations.public.label', { donor: d.donor }) });
  consent.addEventListener('change', () => setConsent(d, consent));
  return h('tr', { dataset: { id: d.id } },
    h('td', { class: 'nowrap' }, date(d.received_on)),
    h('th', { scope: 'row' }, d.donor, h('div', { class: 'sub' }, d.id)),
    h('td', { class: 'num' }, formatVND(d.amount_vnd)),
    h('td', null, d.camera_id || t('donations.pool'), h('div', { class: 'sub' }, d.commune)),
    h('td', { class: 'note' }, d.note || ''),
    h('td', { class: 'nowrap' }, d.ref || ''),
    h('td', null, h('label', { class: 'consent' }, consent, h('span', null, t('donations.public.yes')))),
    h('td', { class: 'actions no-print' }, h('button', { type: 'button', class: 'button danger', dataset: { action: 'delete' }, onclick: () => askDelete(d) }, t('donations.delete'))));
}

async function setConsent(d, box) {
  box.disabled = true;
  try {
    const got = await api(`donations/${encodeURIComponent(d.id)}`, { method: 'PATCH', body: { public: box.checked } });
    d.public = got.public;
    flash(got.public ? t('donations.public.on', { donor: d.donor }) : t('donations.public.off', { donor: d.donor }));
  } catch (err) {
    box.checked = d.public;
    flash(t('donations.public.error', { detail: err.message }), 'error');
  } finally {
    box.disabled = false;
  }
}

async function load() {
  const my = ++seq;
  const f = filter();
  keepInAddress(f);
  const fe = $('#filter-error');
  fe.hidden = true;
  let page;
  try {
    page = await api('donations', { query: { ...f, limit: pageSize } });
  } catch (err) {
    if (my !== seq) return;
    if (err.status === 400 && err.field) {
      fe.textContent = t('donations.filter.error', { field: fieldName(err.field), detail: err.message });
      fe.hidden = false;
      return;
    }
    loadError(err);
    return;
  }
  if (my !== seq) return;
  clearFlash();
  replace($('#list tbody'), page.items.map(row));
  more(page);
}

function more(page) {
  next = page.next_cursor || '';
  $('#more').hidden = !next;
  const n = document.querySelectorAll('#list tbody tr').length;
  $('#count').textContent = n === 0 ? t('donations.none') : next ? t('donations.count.more', { n: formatInt(n) }) : t('donations.count', { n: formatInt(n) });
}

$('#more').addEventListener('click', async () => {
  const my = seq;
  try {
    const page = await api('donations', { query: { ...filter(), limit: pageSize, cursor: next } });
    if (my !== seq) return;
    $('#list tbody').append(...page.items.map(row));
    more(page);
  } catch (err) {
    loadError(err);
  }
});

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  load();
});
$('#commune').addEventListener('change', load);

// Deleting a gift: a reason is required, and kept with the whole record
// in the audit log.
const dialog = $('#delete');
let doomed = null;

function reasonError(text) {
  const p = $('#reason-error');
  p.textContent = text || '';
  p.hidden = !text;
  $('#reason').setAttribute('aria-invalid', text ? 'true' : 'false');
}

function askDelete(d) {
  doomed = d;
  replace($('#delete-gift'), h('strong', null, d.donor), ` · ${formatVND(d.amount_vnd)} · ${date(d.received_on)} · ${d.camera_id || t('donations.pool')} · ${d.id}`);
  $('#reason').value = '';
  reasonError('');
  dialog.showModal();
  $('#reason').focus();
}

$('#delete-cancel').addEventListener('click', () => dialog.close());
$('#delete-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const reason = $('#reason').value.trim();
  if (!reason) {
    reasonError(t('donations.delete.required'));
    return;
  }
  const btn = $('#delete-confirm');
  btn.disabled = true;
  try {
    await api(`donations/${encodeURIComponent(doomed.id)}`, { method: 'DELETE', query: { reason } });
    dialog.close();
    const tr = document.querySelector(`#list tbody tr[data-id="${CSS.escape(doomed.id)}"]`);
    if (tr) tr.remove();
    flash(t('donations.deleted', { id: doomed.id, donor: doomed.donor, amount: formatVND(doomed.amount_vnd) }));
    more({ next_cursor: next });
  } catch (err) {
    if (err.field === 'reason') reasonError(t('donations.delete.refused', { detail: err.message }));
    else reasonError(t('donations.delete.failed', { detail: err.message }));
  } finally {
    btn.disabled = false;
  }
});

async function start() {
  try {
    const communes = await all('funding', { group_by: 'commune' });
    const sel = $('#commune');
    for (const c of communes) if (c.key) sel.append(h('option', { value: c.key }, c.key));
    sel.value = params.get('commune') || '';
  } catch (err) {
    loadError(err);
  }
  await load();
  ready();
}

start();
