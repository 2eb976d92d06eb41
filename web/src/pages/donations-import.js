// Nhập sao kê: a bank statement (CSV or .xlsx) is sent once as a dry run
// (POST /api/v1/donations/import?dry_run=true), which stores nothing and
// answers the rows that would be stored and those refused, with why;
// Confirm sends the same file for real, and the page shows what that
// import answered — which may differ when the ledger changed in between
// (another person imported the same statement): the real answer is the
// one shown.
import '../css/app.css';
import '../css/funds.css';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { fieldName } from '../lib/funds.js';
import { formatInt, formatVND } from '../lib/format.js';
import { ready, startShell } from '../lib/shell.js';

startShell();

const form = $('#import-form');
let file = null;
let preview = null;

const date = (d) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

function fileError(text) {
  const p = $('#file-error');
  p.textContent = text || '';
  p.hidden = !text;
  $('#file').setAttribute('aria-invalid', text ? 'true' : 'false');
}

function send(dryRun) {
  const query = { dry_run: dryRun ? 'true' : undefined, duplicates: $('#allow').checked ? 'allow' : undefined };
  // The file goes as it is; the daemon tells a workbook from a CSV by its
  // type, or its first bytes.
  return api('donations/import', { method: 'POST', body: file, query });
}

function stat(label, value, sub, cls = '') {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value ' + cls }, value), sub ? h('div', { class: 'sub' }, sub) : null);
}

function refusedRows(rejections) {
  return rejections.map((r) => h('tr', { dataset: { line: r.line } },
    h('td', { class: 'num' }, r.line ? formatInt(r.line) : t('common.na')),
    h('td', null, fieldName(r.field)),
    h('td', { class: 'reason' }, r.reason)));
}

function showPreview(p) {
  preview = p;
  $('#stored-title').textContent = t('funds.import.stored.title');
  $('#preview').hidden = false;
  $('#result').hidden = true;
  replace($('#preview-cards'),
    stat(t('funds.import.card.stored'), formatInt(p.created), formatVND(p.total_vnd), 'money'),
    stat(t('funds.import.card.refused'), formatInt(p.rejected), p.duplicates ? t('funds.import.card.duplicates', { n: formatInt(p.duplicates) }) : null, p.rejected ? 'neg' : ''));
  $('#confirm-box').hidden = false;
  $('#confirm').disabled = p.created === 0;
  $('#confirm').textContent = t('funds.import.confirm.n', { n: formatInt(p.created), amount: formatVND(p.total_vnd) });
  $('#confirm-text').textContent = p.created === 0 ? t('funds.import.nothing') : t('funds.import.confirm.text');
  $('#stored-count').textContent = `(${formatInt(p.created)})`;
  const more = $('#stored-more');
  more.hidden = p.rows_shown >= p.created;
  more.textContent = t('funds.import.stored.more', { shown: formatInt(p.rows_shown), n: formatInt(p.created) });
  replace($('#stored tbody'), p.rows.map((r) => h('tr', { dataset: { line: r.line } },
    h('td', { class: 'num' }, formatInt(r.line)),
    h('td', { class: 'nowrap' }, date(r.received_on)),
    h('th', { scope: 'row' }, r.donor),
    h('td', { class: 'num' }, formatVND(r.amount_vnd)),
    h('td', null, r.camera_id || t('donations.pool'), h('div', { class: 'sub' }, r.commune)),
    h('td', null, r.public ? t('donations.public.yes') : t('funds.import.public.no')))));
  $('#refused-count').textContent = `(${formatInt(p.rejected)})`;
  replace($('#refused tbody'), p.rejections.length ? refusedRows(p.rejections) : h('tr', null, h('td', { colspan: 3, class: 'muted' }, t('funds.import.refused.none'))));
}

function showResult(r) {
  $('#confirm-box').hidden = true;
  const box = $('#result');
  box.hidden = false;
  const changed = r.created !== preview.created || r.total_vnd !== preview.total_vnd || r.rejected !== preview.rejected;
  box.classList.toggle('changed', changed);
  replace($('#preview-cards'),
    stat(t('funds.import.card.done'), formatInt(r.created), formatVND(r.total_vnd), 'money'),
    stat(t('funds.import.card.refused'), formatInt(r.rejected), r.duplicates ? t('funds.import.card.duplicates', { n: formatInt(r.duplicates) }) : null, r.rejected ? 'neg' : ''));
  // The preview's rows are what was stored only when nothing changed in
  // between; otherwise the count above is the truth.
  $('#stored-title').textContent = changed ? t('funds.import.stored.preview') : t('funds.import.stored.done');
  const lines = [
    h('h2', null, t('funds.import.done.title')),
    h('p', { id: 'result-text' }, r.created
      ? t('funds.import.done', { n: formatInt(r.created), amount: formatVND(r.total_vnd), first: r.first_id, last: r.last_id })
      : t('funds.import.done.none')),
  ];
  if (changed) {
    lines.push(h('p', { class: 'notice', id: 'result-changed' }, t('funds.import.changed', {
      n: formatInt(preview.created), stored: formatInt(r.created), refused: formatInt(r.rejected),
    })));
    // The real import's own refusals replace the preview's.
    $('#refused-count').textContent = `(${formatInt(r.rejected)})`;
    replace($('#refused tbody'), r.rejections.length ? refusedRows(r.rejections) : h('tr', null, h('td', { colspan: 3, class: 'muted' }, t('funds.import.refused.none'))));
  }
  lines.push(h('p', null, h('a', { class: 'button', href: '/funding' }, t('funds.import.done.funding')), ' ', h('a', { class: 'button', href: '/donations' }, t('funds.import.done.ledger'))));
  replace(box, lines);
  box.scrollIntoView({ block: 'nearest' });
}

function failure(err) {
  if (err.status === 0) return t('error.network');
  if (err.field && err.field !== 'body') return t('funds.import.error.field', { field: fieldName(err.field), detail: err.message });
  return t('funds.import.error', { detail: err.message });
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  fileError('');
  file = $('#file').files[0] || null;
  if (!file) {
    fileError(t('funds.import.file.required'));
    return;
  }
  const btn = $('#preview-button');
  btn.disabled = true;
  btn.textContent = t('funds.import.checking');
  try {
    showPreview(await send(true));
  } catch (err) {
    $('#preview').hidden = true;
    fileError(failure(err));
  } finally {
    btn.disabled = false;
    btn.textContent = t('funds.import.preview');
  }
});

$('#file').addEventListener('change', () => {
  // A new file needs a new preview before anything is stored.
  $('#preview').hidden = true;
  preview = null;
  fileError('');
});
$('#allow').addEventListener('change', () => {
  $('#preview').hidden = true;
  preview = null;
});
$('#cancel').addEventListener('click', () => {
  $('#preview').hidden = true;
  preview = null;
  form.reset();
});

$('#confirm').addEventListener('click', async () => {
  if (!preview || !file) return;
  const btn = $('#confirm');
  btn.disabled = true;
  btn.textContent = t('funds.import.storing');
  try {
    showResult(await send(false));
  } catch (err) {
    // A conflict: the same statement was being imported at the same
    // time; nothing, or the rows before the conflict, was stored.
    const box = $('#result');
    box.hidden = false;
    box.classList.add('changed');
    replace(box, h('h2', null, t('funds.import.failed.title')), h('p', { id: 'result-text', class: 'form-error' }, failure(err)),
      h('p', null, t('funds.import.failed.again')));
    $('#confirm-box').hidden = true;
  }
});

ready();
