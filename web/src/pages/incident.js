// One incident: what, when, which cameras, the case, how it was handled;
// its legal hold; its evidence clips with their hashes, sizes, lengths,
// formats and chains of custody. A clip is watched or downloaded only
// after a reason is typed, and the reason is logged before the first
// byte (POST /api/v1/clips/{id}/playback, GET /api/v1/clips/{id}?reason=);
// a clip is checked against its hash on demand. New evidence comes by
// upload, with a progress bar, or is recorded now from a camera that is
// up.
import '../css/app.css';
import '../css/evidence.css';
import { all, api } from '../lib/api.js';
import { boot, t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import {
  actionText, categoryText, detailFields, formatClock, detailValues, formatBytes, formatLength, handlingText, holdBadge, showFieldError, statePill, verifyText, windowText,
} from '../lib/evidence.js';
import { formatInt, formatTime, reasonText } from '../lib/format.js';
import { flash, loadError, ready, startShell } from '../lib/shell.js';

startShell();

const id = boot.params.id;
const enc = encodeURIComponent(id);
let inc = null;

async function load() {
  let clips;
  try {
    [inc, clips] = await Promise.all([api(`incidents/${enc}`), api(`incidents/${enc}/clips`)]);
  } catch (err) {
    replace($('#inc-body'), h('p', { class: 'form-error' }, t('error.load', { detail: err.message })));
    if (err.status !== 404) loadError(err);
    return;
  }
  renderIncident();
  renderClips(clips.items);
  await renderCapture();
  if (new URLSearchParams(location.search).get('created')) {
    flash(t('evidence.new.done', { id }));
    history.replaceState(null, '', `/incidents/${enc}`);
  }
  ready();
}

// --- The incident ---------------------------------------------------

function renderIncident() {
  replace($('#inc-title'), categoryText(inc.category), ' · ', windowText(inc.start, inc.end));
  replace($('#inc-sub'), inc.id, inc.case_ref ? ` · ${inc.case_ref}` : '', inc.hold ? [' ', holdBadge()] : null);
  const cams = h('ul', { class: 'inline-list' }, inc.camera_ids.map((c) => h('li', null, h('a', { href: `/cameras/${encodeURIComponent(c)}` }, c))));
  const facts = h('dl', { class: 'facts' },
    h('dt', null, t('evidence.field.window')), h('dd', { id: 'f-window' }, windowText(inc.start, inc.end)),
    h('dt', null, t('evidence.field.cameras')), h('dd', null, cams),
    h('dt', null, t('evidence.field.category')), h('dd', null, categoryText(inc.category)),
    h('dt', null, t('evidence.field.case_ref')), h('dd', null, inc.case_ref || t('common.na')),
    h('dt', null, t('evidence.field.subjects')), h('dd', null, formatInt(inc.subjects)),
    h('dt', null, t('evidence.field.handling')), h('dd', null, handlingText(inc.handling)),
    h('dt', null, t('evidence.field.note')), h('dd', { class: 'note' }, inc.note || t('common.na')),
    h('dt', null, t('evidence.field.created')), h('dd', null, t('evidence.by', { name: inc.created_by.name, time: formatTime(inc.created_at) })));
  replace($('#inc-body'),
    h('div', { class: 'card' }, facts, editForm()),
    holdCard());
}

function holdCard() {
  const btn = h('button', { type: 'button', class: 'button' + (inc.hold ? '' : ' primary'), id: 'hold-toggle' },
    inc.hold ? t('evidence.hold.lift') : t('evidence.hold.set'));
  btn.addEventListener('click', async () => {
    if (!window.confirm(inc.hold ? t('evidence.hold.confirmlift') : t('evidence.hold.confirmset'))) return;
    btn.disabled = true;
    try {
      inc = await api(`incidents/${enc}`, { method: 'PATCH', body: { hold: !inc.hold } });
      renderIncident();
      flash(inc.hold ? t('evidence.hold.done') : t('evidence.hold.lifted'));
    } catch (err) {
      btn.disabled = false;
      flash(t('error.load', { detail: err.message }), 'error');
    }
  });
  return h('div', { class: 'card hold-card' + (inc.hold ? ' held' : ''), id: 'hold' },
    h('h2', null, t('evidence.hold.title')),
    h('p', { id: 'hold-status' }, inc.hold ? t('evidence.hold.on') : t('evidence.hold.off')),
    btn);
}

function editForm() {
  const form = h('form', { id: 'edit-form', novalidate: true },
    detailFields(inc),
    h('p', { class: 'form-error', role: 'alert', hidden: true }),
    h('button', { class: 'button primary', type: 'submit' }, t('evidence.edit.save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showFieldError(form, null);
    try {
      inc = await api(`incidents/${enc}`, { method: 'PATCH', body: detailValues(form) });
      renderIncident();
      flash(t('evidence.edit.done'));
    } catch (err) {
      showFieldError(form, err);
    }
  });
  return h('details', { class: 'edit no-print' }, h('summary', null, t('evidence.edit.title')), form);
}

// --- Clips ----------------------------------------------------------

function renderClips(clips) {
  replace($('#clips'), clips.length ? clips.map(clipCard) : h('li', { class: 'muted empty' }, t('evidence.clips.none')));
}

async function reloadClips() {
  const res = await api(`incidents/${enc}/clips`);
  renderClips(res.items);
}

function clipTitle(c) {
  if (c.source === 'capture') return t('evidence.clip.captured', { camera: c.camera_id || '' });
  return c.filename || t('evidence.clip.uploaded');
}

function clipFormat(c) {
  if (!c.inspected) return t('evidence.clip.unknownformat');
  const codec = (c.codec || '').toUpperCase().replace('H264', 'H.264').replace('H265', 'H.265');
  return c.width ? `${codec} · ${c.width}×${c.height}` : codec;
}

function clipCard(c) {
  const li = h('li', { class: 'clip-card', dataset: { id: c.id } });
  const player = h('div', { class: 'player', hidden: true });
  const custody = h('div', { class: 'custody' });
  const verifyLine = h('p', { class: 'verify-line', hidden: true, role: 'status' });
  const reasonForm = reasonFormFor(c, player, custody);
  const verifyBtn = h('button', { type: 'button', class: 'button', dataset: { action: 'verify' } }, t('evidence.verify.button'));
  verifyBtn.addEventListener('click', async () => {
    verifyBtn.disabled = true;
    try {
      const res = await api(`clips/${c.id}/verify`);
      verifyLine.className = 'verify-line verify-' + res.result;
      verifyLine.textContent = verifyText(res.result) + (res.result === 'match' ? ' ' + t('evidence.verify.bytes', { size: formatBytes(res.bytes) }) : '');
      verifyLine.hidden = false;
      await loadCustody(c, custody);
    } catch (err) {
      verifyLine.className = 'verify-line verify-mismatch';
      verifyLine.textContent = t('error.load', { detail: err.message });
      verifyLine.hidden = false;
    }
    verifyBtn.disabled = false;
  });
  const openBtn = h('button', { type: 'button', class: 'button primary', dataset: { action: 'open' } }, t('evidence.clip.open'));
  openBtn.addEventListener('click', () => {
    reasonForm.hidden = false;
    reasonForm.reason.focus();
  });
  replace(li,
    h('h3', null, clipTitle(c)),
    h('dl', { class: 'facts' },
      h('dt', null, 'SHA-256'), h('dd', null, h('code', { class: 'sha' }, c.sha256)),
      h('dt', null, t('evidence.clip.size')), h('dd', { class: 'size' }, formatBytes(c.bytes)),
      h('dt', null, t('evidence.clip.length')), h('dd', { class: 'length' }, c.inspected ? formatLength(c.duration) : t('common.na')),
      h('dt', null, t('evidence.clip.format')), h('dd', { class: 'format' }, clipFormat(c)),
      h('dt', null, t('evidence.clip.source')), h('dd', null, c.source === 'capture'
        ? t('evidence.clip.capturedat', { camera: c.camera_id, day: formatTime(c.captured_from).slice(0, 10), from: formatClock(c.captured_from), to: formatClock(c.captured_to) })
        : t('evidence.clip.uploadedby', { name: c.created_by.name })),
      h('dt', null, t('evidence.clip.stored')), h('dd', null, formatTime(c.created_at))),
    c.inspected ? null : h('p', { class: 'notice' }, t('evidence.clip.notreadable', { detail: c.inspect_error || '' })),
    h('div', { class: 'clip-actions no-print' }, openBtn, verifyBtn),
    reasonForm, player, verifyLine,
    h('h4', null, t('evidence.custody.title')), custody);
  loadCustody(c, custody);
  return li;
}

// reasonFormFor asks why the clip is opened, then plays it here or
// downloads it: the reason is logged before a byte is sent.
function reasonFormFor(c, player, custody) {
  const input = h('input', { name: 'reason', id: `reason-${c.id}`, maxlength: 500, autocomplete: 'off', required: true, placeholder: t('evidence.reason.placeholder'), 'aria-describedby': `reason-${c.id}-error` });
  const err = h('p', { class: 'field-error', id: `reason-${c.id}-error`, hidden: true });
  const play = h('button', { class: 'button primary', type: 'submit', value: 'play', dataset: { action: 'play' } }, t('evidence.reason.play'));
  const download = h('button', { class: 'button', type: 'button', dataset: { action: 'download' } }, t('evidence.reason.download'));
  const cancel = h('button', { class: 'button', type: 'button' }, t('evidence.reason.cancel'));
  const form = h('form', { class: 'reason-form no-print', novalidate: true, hidden: true },
    h('div', { class: 'field' }, h('label', { for: `reason-${c.id}` }, t('evidence.reason.label')), input, err,
      h('p', { class: 'muted hint' }, t('evidence.reason.hint'))),
    h('div', { class: 'row actions' }, c.inspected ? play : null, download, cancel));
  cancel.addEventListener('click', () => {
    form.hidden = true;
  });
  const fail = (text) => {
    err.textContent = text;
    err.hidden = !text;
    input.setAttribute('aria-invalid', text ? 'true' : 'false');
  };
  // reasonGiven returns the reason typed, or "" after saying it is
  // required.
  const reasonGiven = () => {
    const reason = input.value.trim();
    fail(reason ? '' : t('evidence.reason.required'));
    if (!reason) input.focus();
    return reason;
  };
  // A download is a link with the download attribute: the browser saves
  // the answer as a file, streamed, whatever its size, and the page is
  // not navigated away. The route logs the reason first.
  const save = () => {
    const reason = reasonGiven();
    if (!reason) return;
    const a = h('a', { href: `/api/v1/clips/${c.id}?reason=${encodeURIComponent(reason)}`, download: '', hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    form.hidden = true;
    setTimeout(() => loadCustody(c, custody), 1500);
  };
  download.addEventListener('click', save);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!c.inspected) {
      save(); // Enter, on a clip no browser plays
      return;
    }
    const reason = reasonGiven();
    if (!reason) return;
    play.disabled = true;
    try {
      const g = await api(`clips/${c.id}/playback`, { method: 'POST', body: { reason } });
      const video = h('video', { controls: true, playsinline: true, preload: 'auto', src: g.url });
      video.addEventListener('error', () => {
        const gone = video.error && video.error.code === 2; // MEDIA_ERR_NETWORK: the grant ended
        replace(player, h('p', { class: 'form-error' }, gone ? t('evidence.player.ended') : t('evidence.player.error')));
      });
      replace(player, video, h('p', { class: 'muted' }, t('evidence.player.logged', { reason })));
      player.hidden = false;
      form.hidden = true;
      input.value = '';
      video.play().catch(() => { /* the controls remain: a tap plays */ });
      await loadCustody(c, custody);
    } catch (e) {
      fail(e.field === 'reason' ? t('evidence.error.field', { detail: e.message }) : t('error.load', { detail: e.message }));
    }
    play.disabled = false;
  });
  return form;
}

// custodyReason says an entry's why in words: the reason a person typed,
// or what the daemon did.
function custodyReason(e) {
  if (e.action === 'verify') return verifyText(e.result);
  let m = /^stored as evidence of incident (.+)$/.exec(e.reason || '');
  if (m) return t('evidence.custody.stored', { id: m[1] });
  m = /^attached to incident (.+) as well$/.exec(e.reason || '');
  if (m) return t('evidence.custody.attached', { id: m[1] });
  return e.reason || '';
}

// loadCustody shows a clip's chain in box, oldest first, an entry a line:
// when and what, who, and why (or what a check found). Loads can overlap
// (the reload after a download, another after a check): only the latest
// one asked for draws, so an older answer never replaces a newer chain.
async function loadCustody(c, box) {
  const asked = (box.loads = (box.loads || 0) + 1);
  try {
    const items = await all(`clips/${c.id}/custody`);
    if (asked !== box.loads) return;
    replace(box, h('ol', { class: 'custody-list' }, items.map((e) => h('li', { dataset: { action: e.action, seq: e.seq, result: e.result || '' } },
      h('div', { class: 'head' }, h('span', { class: 'what' }, actionText(e.action)), h('span', { class: 'at' }, formatTime(e.at))),
      h('div', { class: 'by' }, t('evidence.custody.by', { name: e.actor.name, role: t('role.' + e.actor.role) })),
      h('div', { class: 'why' }, custodyReason(e))))));
  } catch (err) {
    if (asked === box.loads) replace(box, h('p', { class: 'form-error' }, t('error.load', { detail: err.message })));
  }
}

// --- New evidence ---------------------------------------------------

const uploadForm = $('#upload-form');
uploadForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  showFieldError(uploadForm, null);
  $('#upload-done').hidden = true;
  const file = uploadForm.file.files[0];
  if (!file) {
    showFieldError(uploadForm, { message: t('evidence.upload.nofile'), field: 'file' });
    return;
  }
  upload(file);
});

function setProgress(ratio, text) {
  const pct = Math.floor(ratio * 100);
  $('#upload-bar').value = pct;
  $('#upload-pct').textContent = text || t('common.percent', { n: pct });
}

// upload sends the file as the request's body, streamed from disk by the
// browser, with the session's CSRF token; XMLHttpRequest reports how
// much has gone, which fetch cannot.
function upload(file) {
  const submit = $('#upload-submit');
  submit.disabled = true;
  $('#upload-progress').hidden = false;
  setProgress(0);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', `/api/v1/incidents/${enc}/clips?filename=${encodeURIComponent(file.name)}`);
  xhr.setRequestHeader('X-CSRF-Token', boot.csrf || '');
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.setRequestHeader('Content-Type', file.type === 'video/mp4' ? 'video/mp4' : 'application/octet-stream');
  xhr.upload.addEventListener('progress', (e) => {
    if (e.lengthComputable) setProgress(e.loaded / e.total);
  });
  xhr.upload.addEventListener('load', () => setProgress(1, t('evidence.upload.checking')));
  xhr.addEventListener('load', async () => {
    submit.disabled = false;
    let body = {};
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      /* not JSON */
    }
    if (xhr.status === 401) {
      location.assign('/login?ended=1&next=' + encodeURIComponent(location.pathname));
      return;
    }
    if (xhr.status !== 201) {
      setProgress(0, '');
      $('#upload-progress').hidden = true;
      const field = body.field === 'body' || body.field === 'Content-Type' ? 'file' : body.field;
      showFieldError(uploadForm, { status: xhr.status, message: body.detail || xhr.statusText, field });
      return;
    }
    setProgress(1);
    const done = $('#upload-done');
    replace(done, t('evidence.upload.done'), ' ', h('code', { class: 'sha', id: 'upload-sha' }, body.sha256));
    done.hidden = false;
    uploadForm.file.value = '';
    await reloadClips();
  });
  xhr.addEventListener('error', () => {
    submit.disabled = false;
    $('#upload-progress').hidden = true;
    showFieldError(uploadForm, { status: 0, message: '', field: 'file' });
  });
  xhr.send(file);
}

// renderCapture offers a recording from each of the incident's cameras
// that the poller has found up; the others say why not.
async function renderCapture() {
  const list = $('#capture-list');
  const rows = await Promise.all(inc.camera_ids.map(async (cid) => {
    const e = encodeURIComponent(cid);
    const [cam, hv] = await Promise.all([api(`cameras/${e}`).catch(() => null), api(`cameras/${e}/health`).catch(() => null)]);
    return { cid, cam, hv };
  }));
  replace(list, rows.map(({ cid, cam, hv }) => {
    const state = hv ? hv.state : 'unknown';
    const li = h('li', { dataset: { id: cid, state } },
      h('div', { class: 'top' }, h('strong', null, cid), statePill(state)),
      cam && cam.name ? h('div', { class: 'muted' }, cam.name) : null);
    if (state !== 'up') {
      li.append(h('p', { class: 'muted' }, t('evidence.capture.notup'),
        hv && hv.since ? ' ' + t('common.since', { time: formatTime(hv.since) }) + '. ' : ' ', hv ? reasonText(hv.reason) : ''));
      return li;
    }
    const secs = h('select', { name: 'seconds', 'aria-label': t('evidence.capture.seconds') },
      [5, 10, 30, 60, 120, 300].map((n) => h('option', { value: n }, t('evidence.capture.n', { n }))));
    secs.value = '30';
    const btn = h('button', { type: 'button', class: 'button primary', dataset: { action: 'capture' } }, t('evidence.capture.button'));
    const out = h('p', { class: 'capture-out', role: 'status', hidden: true });
    btn.addEventListener('click', async () => {
      const n = Number(secs.value);
      btn.disabled = true;
      secs.disabled = true;
      out.className = 'capture-out muted';
      out.textContent = t('evidence.capture.busy', { n });
      out.hidden = false;
      try {
        const clip = await api(`incidents/${enc}/clips`, { method: 'POST', body: { camera_id: cid, capture_seconds: n } });
        out.className = 'capture-out notice';
        replace(out, t('evidence.upload.done'), ' ', h('code', { class: 'sha' }, clip.sha256));
        await reloadClips();
      } catch (err) {
        out.className = 'capture-out form-error';
        out.textContent = t('evidence.capture.failed', { detail: err.message });
      }
      btn.disabled = false;
      secs.disabled = false;
    });
    li.append(h('div', { class: 'row capture-row' }, secs, btn), out);
    return li;
  }));
}

load();
