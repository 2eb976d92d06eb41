// Người dùng: the people who sign in to the console. An admin creates
// them (with a password made here and shown once, or typed), changes
// their role, resets their password (which ends their sessions), and
// disables or enables them. The API's refusals — the last admin cannot
// be demoted or disabled — are shown beside the control that asked.
import '../css/app.css';
import '../css/admin.css';
import { all, api } from '../lib/api.js';
import { boot, t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { flash, loadError, ready, startShell } from '../lib/shell.js';
import { clearErrors, confirmDialog, errorSlot, newPassword, roleOptions, secretBox, showError } from '../lib/admin.js';

startShell();

const form = $('#user-form');
const list = $('#users');
replace(form.role, roleOptions('police'));

// The password of a new user: made here, or typed.
function passwordMode(root, input) {
  const typed = root.querySelector('.typed');
  const sync = () => {
    const mode = root.querySelector('input[name=pwmode]:checked').value;
    typed.hidden = mode !== 'type';
    if (mode === 'type') input.focus();
  };
  for (const r of root.querySelectorAll('input[name=pwmode]')) r.addEventListener('change', sync);
  sync();
  return () => root.querySelector('input[name=pwmode]:checked').value;
}
const createMode = passwordMode(form, form.password);

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors(form);
  const generated = createMode() === 'generate';
  const password = generated ? newPassword() : form.password.value;
  const body = { name: form.name.value.trim(), full_name: form.full_name.value.trim(), role: form.role.value, password };
  const submit = form.querySelector('button[type=submit]');
  submit.disabled = true;
  try {
    const u = await api('users', { method: 'POST', body });
    replace($('#created'), generated
      ? secretBox({
        id: 'new-user-password',
        title: t('admin.users.created', { name: u.name }),
        secret: password,
        warning: t('admin.password.once'),
      })
      : h('p', { class: 'notice', role: 'status' }, t('admin.users.created.typed', { name: u.name })));
    form.reset();
    form.role.value = 'police';
    form.querySelector('.typed').hidden = true;
    await load();
    $('#created').scrollIntoView({ block: 'nearest' });
  } catch (err) {
    showError(form, err);
  } finally {
    submit.disabled = false;
  }
});

// card draws one user with its controls.
function card(u) {
  const me = boot.user && boot.user.name === u.name;
  const li = h('li', { class: 'user', dataset: { name: u.name, disabled: String(u.disabled) } });
  const roleSel = h('select', { class: 'role', 'aria-label': t('admin.role') }, roleOptions(u.role));
  const roleBtn = h('button', { class: 'button', type: 'button', 'data-action': 'role', disabled: true }, t('admin.users.role.change'));
  roleSel.addEventListener('change', () => (roleBtn.disabled = roleSel.value === u.role));
  roleBtn.addEventListener('click', () => change(li, u, { role: roleSel.value }, t('admin.users.role.changed', { name: u.name, role: t('role.' + roleSel.value) })));

  const disableBtn = h('button', { class: 'button' + (u.disabled ? '' : ' danger'), type: 'button', 'data-action': 'disable' },
    u.disabled ? t('admin.users.enable') : t('admin.users.disable'));
  disableBtn.addEventListener('click', async () => {
    if (!u.disabled) {
      const yes = await confirmDialog({
        title: t('admin.users.disable.confirm.title', { name: u.name }),
        text: me ? t('admin.users.disable.confirm.self') : t('admin.users.disable.confirm.text'),
        confirm: t('admin.users.disable'),
      });
      if (!yes) return;
    }
    const done = u.disabled ? t('admin.users.enabled', { name: u.name }) : t('admin.users.disabled', { name: u.name });
    change(li, u, { disabled: !u.disabled }, done);
  });

  const reset = resetPanel(li, u);
  const resetBtn = h('button', { class: 'button', type: 'button', 'data-action': 'reset', 'aria-expanded': 'false' }, t('admin.users.reset'));
  resetBtn.addEventListener('click', () => {
    reset.hidden = !reset.hidden;
    resetBtn.setAttribute('aria-expanded', String(!reset.hidden));
  });

  replace(li,
    h('div', { class: 'user-head' },
      h('strong', { class: 'user-full' }, u.full_name || u.name),
      h('span', { class: 'pill role-' + u.role }, t('role.' + u.role)),
      h('span', { class: 'pill ' + (u.disabled ? 'pill-off' : 'pill-on') }, u.disabled ? t('admin.users.state.disabled') : t('admin.users.state.active')),
      me ? h('span', { class: 'muted' }, t('admin.users.you')) : null),
    h('p', { class: 'user-meta muted' },
      h('code', { class: 'user-name' }, u.name), ' · ',
      t('admin.users.meta', { created: formatTime(u.created_at), by: u.created_by || '—', password: formatTime(u.password_changed_at) })),
    h('div', { class: 'user-controls' },
      h('div', { class: 'user-role' }, roleSel, roleBtn),
      resetBtn, disableBtn),
    errorSlot('role'),
    errorSlot('disabled'),
    errorSlot('full_name'),
    h('p', { class: 'field-error', 'data-error-for': 'form', role: 'alert', hidden: true }),
    reset,
    h('div', { class: 'user-once' }));
  return li;
}

// resetPanel is the form that sets a new password for u: made here or
// typed, then shown once. The API ends every session of u's.
let panels = 0;
function resetPanel(li, u) {
  const uid = 'reset-' + ++panels;
  const input = h('input', { id: uid, type: 'password', autocomplete: 'new-password', name: 'password' });
  const panel = h('form', { class: 'reset', hidden: true, novalidate: true },
    h('fieldset', { class: 'field pwmode' },
      h('legend', null, t('admin.users.reset.title', { name: u.name })),
      h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'pwmode', value: 'generate', checked: true }), ' ', t('admin.password.generate')),
      h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'pwmode', value: 'type' }), ' ', t('admin.password.type')),
      h('div', { class: 'typed', hidden: true },
        h('label', { class: 'sr', for: uid }, t('admin.users.password')), input,
        h('p', { class: 'hint muted' }, t('admin.password.hint'))),
      errorSlot('password', '#' + uid)),
    h('p', { class: 'muted' }, t('admin.users.reset.ends')),
    h('button', { class: 'button primary', type: 'submit', 'data-action': 'reset-confirm' }, t('admin.users.reset.submit')));
  const mode = passwordMode(panel, input);
  panel.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const generated = mode() === 'generate';
    const password = generated ? newPassword() : input.value;
    const fresh = await change(li, u, { password }, t('admin.users.reset.done', { name: u.name }), panel);
    if (fresh && generated) {
      replace(fresh.querySelector('.user-once'), secretBox({
        id: 'reset-password', title: t('admin.users.reset.shown', { name: u.name }), secret: password, warning: t('admin.password.once'),
      }));
    }
  });
  return panel;
}

// change sends a change of u and redraws its card; an error is shown
// beside the control that asked (within root, the card by default).
async function change(li, u, body, done, root = li) {
  clearErrors(li);
  for (const b of li.querySelectorAll('button')) b.disabled = true;
  try {
    const updated = await api('users/' + encodeURIComponent(u.name), { method: 'PATCH', body });
    const fresh = card(updated);
    li.replaceWith(fresh);
    flash(done);
    return fresh;
  } catch (err) {
    for (const b of li.querySelectorAll('button')) b.disabled = b.dataset.action === 'role' && li.querySelector('select.role').value === u.role;
    if (!showError(root, err) && root !== li) showError(li, err);
    return null;
  }
}

async function load() {
  try {
    const users = await all('users');
    $('#count').textContent = t('admin.users.count', { n: users.length });
    replace(list, users.map(card));
    ready();
  } catch (err) {
    loadError(err);
  }
}

load();
