// What the administration's pages share: errors shown beside the field
// the API names, secrets shown once with a copy button, passwords made
// in the browser, and a confirmation before what cannot be undone.
import { t } from './boot.js';
import { h, replace } from './dom.js';

// showError puts an API error beside the field it names: the element
// [data-error-for=FIELD] inside root, else [data-error-for=form]. The
// API's words are English; the lead before them is the user's language.
// It returns the element it used.
export function showError(root, err, lead = t('admin.error.lead')) {
  clearErrors(root);
  const detail = err && err.message ? err.message : String(err);
  let el = err && err.field ? root.querySelector(`[data-error-for="${CSS.escape(err.field)}"]`) : null;
  if (!el) el = root.querySelector('[data-error-for=form]');
  if (!el) return null;
  el.textContent = err && err.status === 0 ? t('error.network') : `${lead}: ${detail}`;
  el.hidden = false;
  const input = el.dataset.input ? root.querySelector(el.dataset.input) : null;
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
  return el;
}

// clearErrors hides every error inside root.
export function clearErrors(root) {
  for (const el of root.querySelectorAll('[data-error-for]')) {
    el.textContent = '';
    el.hidden = true;
  }
  for (const el of root.querySelectorAll('[aria-invalid=true]')) el.setAttribute('aria-invalid', 'false');
}

// errorSlot is an empty error line for field, bound to the input that
// sel finds (focused and marked invalid when the error shows).
export function errorSlot(field, sel) {
  return h('p', { class: 'field-error', 'data-error-for': field, 'data-input': sel || null, role: 'alert', hidden: true });
}

// The letters of generated passwords: no look-alikes (l, 1, o, 0, i).
const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';

// newPassword makes a password in the browser from its cryptographic
// random source: six groups of four letters and digits, about 119 bits,
// as `matthan user create` prints them.
export function newPassword() {
  const out = [];
  // Bytes at or above the largest multiple of the alphabet's length
  // are drawn again, so that every letter is as likely.
  const limit = 256 - (256 % alphabet.length);
  const buf = new Uint8Array(64);
  while (out.length < 24) {
    crypto.getRandomValues(buf);
    for (const b of buf) {
      if (b < limit && out.length < 24) out.push(alphabet[b % alphabet.length]);
    }
  }
  return out.join('').match(/.{4}/g).join('-');
}

// copyText puts text on the clipboard: the Clipboard API where the page
// may use it (HTTPS, localhost), else the selection of a hidden field.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      /* refused: try the old way */
    }
  }
  const area = h('textarea', { readonly: true, class: 'sr' }, text);
  document.body.append(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand('copy');
  } catch {
    done = false;
  }
  area.remove();
  return done;
}

// secretBox shows a secret once: the text to select, a copy button and
// a warning that it will not be shown again. id names the element that
// holds the secret (tests read it).
export function secretBox({ id, title, secret, warning, extra }) {
  const value = h('code', { id, class: 'secret-value', tabindex: '0' }, secret);
  const status = h('span', { class: 'copied', role: 'status', 'aria-live': 'polite' });
  const copy = h('button', {
    class: 'button primary', type: 'button', 'data-action': 'copy',
    onclick: async () => {
      const ok = await copyText(secret);
      status.textContent = ok ? t('admin.copy.done') : t('admin.copy.failed');
    },
  }, t('admin.copy'));
  return h('div', { class: 'secret-box', role: 'region', 'aria-label': title },
    h('h3', null, title),
    h('p', { class: 'secret-warning' }, warning),
    h('div', { class: 'secret-row' }, value, copy),
    status,
    extra || null);
}

// confirmDialog asks before something that cannot be undone, in a modal
// <dialog>; it resolves true when the user confirms.
export function confirmDialog({ title, text, confirm }) {
  return new Promise((resolve) => {
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' });
    const done = (answer) => {
      dlg.close();
      dlg.remove();
      resolve(answer);
    };
    replace(dlg,
      h('h2', { id: 'confirm-title' }, title),
      h('p', null, text),
      h('div', { class: 'confirm-actions' },
        h('button', { class: 'button', type: 'button', 'data-action': 'cancel', onclick: () => done(false) }, t('admin.cancel')),
        h('button', { class: 'button danger', type: 'button', 'data-action': 'confirm', onclick: () => done(true) }, confirm)));
    dlg.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      done(false);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

// roleOptions are the <option>s of the four roles, selected names the
// one chosen.
export function roleOptions(selected) {
  return ['police', 'planner', 'fundraiser', 'admin'].map((r) => h('option', { value: r, selected: r === selected }, t('role.' + r)));
}
