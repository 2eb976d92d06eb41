// Mã truy cập: the API tokens of machines and scripts. An admin creates
// one with a name, a role and an expiry, and sees its secret this once,
// with a copy button; the list shows when each was last used and when it
// expires; a token is revoked after a confirmation, and the next request
// with it is refused.
import '../css/app.css';
import '../css/admin.css';
import { all, api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatTime, fromLocalInput } from '../lib/format.js';
import { flash, loadError, ready, startShell } from '../lib/shell.js';
import { clearErrors, confirmDialog, roleOptions, secretBox, showError } from '../lib/admin.js';

startShell();

const form = $('#token-form');
const list = $('#tokens');
replace(form.role, roleOptions('police'));

form.expiry.addEventListener('change', () => {
  $('#token-date-field').hidden = form.expiry.value !== 'date';
  if (form.expiry.value === 'date') form.date.focus();
});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  const body = { name: form.name.value.trim(), role: form.role.value };
  const expiry = form.expiry.value;
  if (expiry === 'date') {
    if (!form.date.value) {
      showError(form, { field: 'expires_at', message: t('admin.tokens.expiry.required') }, t('admin.error.lead'));
      return;
    }
    // The end of the chosen day, in the daemon's zone.
    body.expires_at = fromLocalInput(form.date.value + 'T23:59');
  } else if (expiry !== 'never') {
    body.expires_in = expiry;
  }
  const submit = form.querySelector('button[type=submit]');
  submit.disabled = true;
  try {
    const tok = await api('tokens', { method: 'POST', body });
    replace($('#created'), secretBox({
      id: 'token-secret',
      title: t('admin.tokens.created', { name: tok.name }),
      secret: tok.token,
      warning: t('admin.tokens.once'),
      extra: h('p', { class: 'muted' }, t('admin.tokens.usage'), ' ', h('code', null, 'Authorization: Bearer …')),
    }));
    form.reset();
    form.role.value = 'police';
    $('#token-date-field').hidden = true;
    await load();
    $('#created').scrollIntoView({ block: 'nearest' });
  } catch (err) {
    showError(form, err);
  } finally {
    submit.disabled = false;
  }
});

// expiryText says when a token stops working.
function expiryText(tok) {
  if (!tok.expires_at) return t('admin.tokens.expires.never');
  if (new Date(tok.expires_at).getTime() <= Date.now()) return t('admin.tokens.expired', { time: formatTime(tok.expires_at) });
  return t('admin.tokens.expires', { time: formatTime(tok.expires_at) });
}

function card(tok) {
  const expired = tok.expires_at && new Date(tok.expires_at).getTime() <= Date.now();
  const revoke = h('button', { class: 'button danger', type: 'button', 'data-action': 'revoke' }, t('admin.tokens.revoke'));
  const li = h('li', { class: 'token' + (expired ? ' expired' : ''), dataset: { id: tok.id, name: tok.name } },
    h('div', { class: 'user-head' },
      h('strong', null, tok.name),
      h('span', { class: 'pill role-' + tok.role }, t('role.' + tok.role)),
      expired ? h('span', { class: 'pill pill-off' }, t('admin.tokens.state.expired')) : null),
    h('dl', { class: 'facts' },
      h('dt', null, t('admin.tokens.id')), h('dd', null, h('code', null, tok.id)),
      h('dt', null, t('admin.tokens.created.at')), h('dd', null, t('admin.tokens.created.by', { time: formatTime(tok.created_at), by: tok.created_by || '—' })),
      h('dt', null, t('admin.tokens.lastused')), h('dd', { class: 'last-used' }, tok.last_used_at ? formatTime(tok.last_used_at) : t('admin.tokens.never')),
      h('dt', null, t('admin.tokens.expiry')), h('dd', { class: 'expiry' }, expiryText(tok))),
    h('p', { class: 'field-error', 'data-error-for': 'form', role: 'alert', hidden: true }),
    h('div', { class: 'user-controls' }, revoke));
  revoke.addEventListener('click', async () => {
    const yes = await confirmDialog({
      title: t('admin.tokens.revoke.confirm.title', { name: tok.name }),
      text: t('admin.tokens.revoke.confirm.text'),
      confirm: t('admin.tokens.revoke'),
    });
    if (!yes) return;
    revoke.disabled = true;
    try {
      await api('tokens/' + encodeURIComponent(tok.id), { method: 'DELETE' });
      li.remove();
      flash(t('admin.tokens.revoked', { name: tok.name }));
      count();
    } catch (err) {
      revoke.disabled = false;
      showError(li, err);
    }
  });
  return li;
}

function count() {
  const n = list.children.length;
  $('#count').textContent = n ? t('admin.tokens.count', { n }) : t('admin.tokens.none');
}

async function load() {
  try {
    const tokens = await all('tokens');
    // Newest first: the one just made is at the top.
    tokens.reverse();
    replace(list, tokens.map(card));
    count();
    ready();
  } catch (err) {
    loadError(err);
  }
}

load();
