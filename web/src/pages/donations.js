// Khoản ủng hộ: the ledger, filtered by commune, donor and dates
// (GET /api/v1/donations, a page at a time); a gift is entered by hand
// (POST /api/v1/donations); a gift recorded by mistake
// is deleted with a reason (DELETE /api/v1/donations/{id}?reason=, kept
// in the audit log); a donor's consent to be named on the public
// statement is switched on or off (PATCH /api/v1/donations/{id}); the
// list as filtered is exported as CSV or a workbook.
import '../css/app.css';
import '../css/funds.css';
import { all, api } from '../lib/api.js';
import { boot, t } from '../lib/boot.js';
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

// Entering one gift by hand: a gift of cash at the commune office, or a
// line the bank statement lacks (POST /api/v1/donations).
const addForm = $('#add-form');
const addFields = ['donor', 'amount_vnd', 'received_on', 'commune', 'camera_id', 'note', 'ref'];
const addInput = { donor: '#add-donor', amount_vnd: '#add-amount', received_on: '#add-date', commune: '#add-commune', camera_id: '#add-camera', note: '#add-note', ref: '#add-ref' };

function addError(field, text) {
  const id = addInput[field];
  if (!id) {
    const p = $('#add-error');
    p.textContent = text || '';
    p.hidden = !text;
    return;
  }
  const p = $(id + '-error');
  p.textContent = text || '';
  p.hidden = !text;
  $(id).setAttribute('aria-invalid', text ? 'true' : 'false');
}

// parseAmount reads đồng as people write them: 1000000, 1.000.000,
// 1 000 000 ₫; NaN for anything that could hold decimals. The daemon
// checks again.
function parseAmount(s) {
  const v = s.replace(/(₫|đồng|đ|vnđ|vnd)/gi, '').trim();
  if (/^\d+$/.test(v)) return Number(v);
  const m = /^\d{1,3}([.,\s\u00a0])\d{3}(\1\d{3})*$/.exec(v);
  return m ? Number(v.replace(/\D/g, '')) : NaN;
}

$('#add-commune').addEventListener('change', async () => {
  const cam = $('#add-camera');
  replace(cam, h('option', { value: '' }, t('donations.pool')));
  const commune = $('#add-commune').value;
  if (!commune) return;
  try {
    const cams = await all('cameras', { commune });
    for (const c of cams) cam.append(h('option', { value: c.id }, `${c.id} · ${c.name}`));
  } catch (err) {
    loadError(err);
  }
});

async function addGift(anyway) {
  for (const f of addFields) addError(f, '');
  addError('', '');
  $('#add-anyway').hidden = true;
  const gift = {
    donor: $('#add-donor').value.trim(), amount_vnd: parseAmount($('#add-amount').value), received_on: $('#add-date').value,
    commune: $('#add-commune').value, camera_id: $('#add-camera').value, note: $('#add-note').value.trim(), ref: $('#add-ref').value.trim(),
    public: $('#add-public').checked,
  };
  const wrong = [
    [!gift.donor, 'donor', t('donations.add.required')],
    [!(gift.amount_vnd > 0), 'amount_vnd', t('donations.add.amount.bad')],
    [!gift.received_on, 'received_on', t('donations.add.required')],
    [!gift.commune, 'commune', t('donations.add.required')],
  ].filter(([bad]) => bad);
  for (const [, field, text] of wrong) addError(field, text);
  if (wrong.length) return;
  const btn = $('#add-submit');
  btn.disabled = true;
  try {
    const d = await api('donations', { method: 'POST', body: gift, query: { duplicates: anyway ? 'allow' : undefined } });
    flash(t('donations.add.done', { id: d.id, donor: d.donor, amount: formatVND(d.amount_vnd) }));
    addForm.reset();
    replace($('#add-camera'), h('option', { value: '' }, t('donations.pool')));
    $('#add-date').value = today();
    load();
  } catch (err) {
    if (err.status === 409) {
      addError('', t('donations.add.duplicate', { id: err.problem.existing_id || '' }));
      $('#add-anyway').hidden = false;
    } else if (err.field && addInput[err.field]) {
      addError(err.field, t('donations.add.refused', { detail: err.message }));
    } else {
      addError('', t('donations.add.failed', { detail: err.message }));
    }
  } finally {
    btn.disabled = false;
  }
}

// today is the date in the daemon's zone, the latest a gift may have.
function today() {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: boot.zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date()).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

addForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  addGift(false);
});
$('#add-anyway').addEventListener('click', () => addGift(true));

async function start() {
  $('#add-date').value = today();
  $('#add-date').max = today();
  try {
    const communes = await all('funding', { group_by: 'commune' });
    for (const sel of [$('#commune'), $('#add-commune')]) {
      for (const c of communes) if (c.key) sel.append(h('option', { value: c.key }, c.key));
    }
    $('#commune').value = params.get('commune') || '';
  } catch (err) {
    loadError(err);
  }
  await load();
  ready();
}

start();
