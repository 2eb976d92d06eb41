import '../css/app.css';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $ } from '../lib/dom.js';
import { ready } from '../lib/shell.js';

const form = $('#login-form');
const submit = form.querySelector('button[type=submit]');

if (new URLSearchParams(location.search).get('ended')) $('#login-ended').hidden = false;
ready();

function fieldError(name, text) {
  const p = $(`#${name}-error`);
  const input = $(`#${name}`);
  p.textContent = text || '';
  p.hidden = !text;
  input.setAttribute('aria-invalid', text ? 'true' : 'false');
}

function formError(text) {
  const p = $('#form-error');
  p.textContent = text || '';
  p.hidden = !text;
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = form.name.value.trim();
  const password = form.password.value;
  fieldError('name', name ? '' : t('login.error.required', { field: t('login.name').toLowerCase() }));
  fieldError('password', password ? '' : t('login.error.required', { field: t('login.password').toLowerCase() }));
  formError('');
  if (!name) return form.name.focus();
  if (!password) return form.password.focus();
  submit.disabled = true;
  submit.textContent = t('login.busy');
  try {
    await api('session', { method: 'POST', body: { name, password } });
    location.assign(form.dataset.next || '/');
    return;
  } catch (err) {
    if (err.status === 429) formError(t('login.error.throttled', { seconds: err.retryAfter || 60 }));
    else if (err.status === 0) formError(t('login.error.network'));
    else if (err.status === 401 && err.field === 'name') formError(t('login.error.disabled'));
    else if (err.status === 401) {
      fieldError('password', t('login.error.wrong'));
      form.password.select();
    } else formError(err.message);
  }
  submit.disabled = false;
  submit.textContent = t('login.submit');
});
