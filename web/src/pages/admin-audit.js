// Nhật ký: the audit log, newest first, filtered by who, what, on what
// and when, with the changes each entry records. The filters are kept
// in the address, to share. A page of the API examines a bounded part of
// the log, so a rare filter may take several requests: they are made
// here until a screenful is found.
import '../css/app.css';
import '../css/admin.css';
import { api } from '../lib/api.js';
import { has, t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { loadError, ready, startShell } from '../lib/shell.js';
import { clearErrors, showError } from '../lib/admin.js';

startShell();

// What each action means, in the user's words. Actions not listed here
// (added later) are shown as they are.
const actions = {
  'camera.*': t('admin.audit.family.camera'),
  'camera.create': t('admin.audit.a.camera_create'),
  'camera.replace': t('admin.audit.a.camera_replace'),
  'camera.patch': t('admin.audit.a.camera_patch'),
  'camera.retire': t('admin.audit.a.camera_retire'),
  'camera.delete': t('admin.audit.a.camera_delete'),
  'camera.commune': t('admin.audit.a.camera_commune'),
  'camera.import.create': t('admin.audit.a.camera_import_create'),
  'camera.import.update': t('admin.audit.a.camera_import_update'),
  'layer.import': t('admin.audit.a.layer_import'),
  'incident.*': t('admin.audit.family.incident'),
  'incident.create': t('admin.audit.a.incident_create'),
  'incident.import': t('admin.audit.a.incident_import'),
  'incident.update': t('admin.audit.a.incident_update'),
  'incident.purge': t('admin.audit.a.incident_purge'),
  'clip.*': t('admin.audit.family.clip'),
  'clip.attach': t('admin.audit.a.clip_attach'),
  'clip.purge': t('admin.audit.a.clip_purge'),
  'donation.*': t('admin.audit.family.donation'),
  'donation.create': t('admin.audit.a.donation_create'),
  'donation.import': t('admin.audit.a.donation_import'),
  'donation.delete': t('admin.audit.a.donation_delete'),
  'user.*': t('admin.audit.family.user'),
  'user.create': t('admin.audit.a.user_create'),
  'user.update': t('admin.audit.a.user_update'),
  'session.*': t('admin.audit.family.session'),
  'session.create': t('admin.audit.a.session_create'),
  'session.delete': t('admin.audit.a.session_delete'),
  'token.*': t('admin.audit.family.token'),
  'token.create': t('admin.audit.a.token_create'),
  'token.revoke': t('admin.audit.a.token_revoke'),
  'backup.download': t('admin.audit.a.backup_download'),
};

const form = $('#audit-form');
const list = $('#audit');
const more = $('[data-action=more]');
const fields = ['actor', 'action', 'target', 'from', 'to'];
const screenful = 50;
let filters = {};
let cursor = '';
let shown = 0;

replace($('#actions'), Object.entries(actions).map(([a, label]) => h('option', { value: a }, label)));

// The filters in the address fill the form.
const params = new URLSearchParams(location.search);
for (const f of fields) if (params.get(f)) form[f].value = params.get(f);

function actionText(a) {
  return actions[a] || a;
}

function entry(e) {
  const changes = e.changes || [];
  return h('li', { class: 'entry', dataset: { seq: e.seq, action: e.action } },
    h('div', { class: 'entry-when' }, h('time', { datetime: e.at }, formatTime(e.at))),
    h('div', { class: 'entry-what' },
      h('strong', null, actionText(e.action)), ' ',
      h('code', { class: 'muted' }, e.action)),
    h('div', { class: 'entry-who' },
      h('span', { class: 'entry-actor' }, e.actor.name),
      e.actor.role ? h('span', { class: 'pill role-' + e.actor.role }, has('role.' + e.actor.role) ? t('role.' + e.actor.role) : e.actor.role) : null),
    e.target ? h('div', { class: 'entry-target' }, h('span', { class: 'muted' }, t('admin.audit.on')), ' ', h('span', { class: 'target' }, e.target)) : null,
    changes.length ? h('ul', { class: 'changes', 'aria-label': t('admin.audit.changes') }, changes.map((c) => h('li', null, c))) : null);
}

function status() {
  $('#audit-count').textContent = shown
    ? (cursor ? t('admin.audit.shown.more', { n: shown }) : t('admin.audit.shown', { n: shown }))
    : (cursor ? t('admin.audit.none.yet') : t('admin.audit.none'));
  more.hidden = !cursor;
}

// fetchMore reads pages until a screenful of entries has come, the log
// is read to its end, or ten requests were made. A new search meanwhile
// (gen moved on) drops what this one was reading.
let gen = 0;
async function fetchMore() {
  const my = gen;
  more.disabled = true;
  let got = 0;
  try {
    for (let i = 0; i < 10; i++) {
      const page = await api('audit', { query: { ...filters, limit: screenful, cursor } });
      if (my !== gen) return;
      list.append(...page.items.map(entry));
      got += page.items.length;
      shown += page.items.length;
      cursor = page.next_cursor || '';
      if (!cursor || got >= screenful) break;
    }
    clearErrors(form);
  } catch (err) {
    if (my !== gen) return;
    if (err.status === 400) showError(form, err, t('admin.audit.error'));
    else loadError(err);
  }
  more.disabled = false;
  status();
}

async function search() {
  filters = {};
  for (const f of fields) {
    const v = form[f].value.trim();
    if (v) filters[f] = v;
  }
  const q = new URLSearchParams(filters).toString();
  history.replaceState(null, '', location.pathname + (q ? '?' + q : ''));
  gen++;
  cursor = '';
  shown = 0;
  replace(list);
  await fetchMore();
  ready();
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  search();
});
$('[data-action=clear]').addEventListener('click', () => {
  form.reset();
  search();
});
more.addEventListener('click', fetchMore);

search();
