// What the evidence pages share: the names of categories and custody
// actions, sizes and lengths of clips, an incident as a card, and errors
// shown beside the field the API names.
import { boot, t } from './boot.js';
import { h } from './dom.js';
import { formatInt, formatTime, stateText } from './format.js';

// categories are the API's, in its order.
export const categories = ['theft', 'robbery', 'assault', 'traffic', 'vandalism', 'other', 'drugs', 'fighting', 'fraud', 'missing_person'];
export const handlings = ['criminal', 'administrative', 'education', 'none'];

// categoryText names a category; written out, so that every text is
// found in the catalogue by its key.
export function categoryText(c) {
  const names = {
    theft: t('evidence.category.theft'),
    robbery: t('evidence.category.robbery'),
    assault: t('evidence.category.assault'),
    traffic: t('evidence.category.traffic'),
    vandalism: t('evidence.category.vandalism'),
    other: t('evidence.category.other'),
    drugs: t('evidence.category.drugs'),
    fighting: t('evidence.category.fighting'),
    fraud: t('evidence.category.fraud'),
    missing_person: t('evidence.category.missing_person'),
  };
  return names[c] || c;
}

export function handlingText(x) {
  return t('handling.' + (x || 'none'));
}

// actionText names what was done with a clip, in its chain of custody.
export function actionText(a) {
  const names = {
    create: t('evidence.custody.create'),
    download: t('evidence.custody.download'),
    export: t('evidence.custody.export'),
    verify: t('evidence.custody.verify'),
    view: t('evidence.custody.view'),
  };
  return names[a] || a;
}

// verifyText says what a verification found.
export function verifyText(result) {
  const names = {
    match: t('evidence.verify.match'),
    mismatch: t('evidence.verify.mismatch'),
    missing: t('evidence.verify.missing'),
  };
  return names[result] || result;
}

// formatBytes writes a size the way a phone's file manager does:
// 1,2 MB (decimal units).
export function formatBytes(n) {
  if (n === null || n === undefined) return t('common.na');
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const s = i === 0 ? formatInt(v) : v.toFixed(v < 10 ? 1 : 0).replace('.', t('evidence.decimal'));
  return `${s} ${units[i]}`;
}

// formatLength writes a clip's length in seconds as 0:30 or 1:02:03.
export function formatLength(seconds) {
  if (!seconds && seconds !== 0) return t('common.na');
  const s = Math.round(seconds);
  const pad = (x) => String(x).padStart(2, '0');
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  return hh ? `${hh}:${pad(mm)}:${pad(s % 60)}` : `${mm}:${pad(s % 60)}`;
}

const clock = new Intl.DateTimeFormat('en-GB', { timeZone: boot.zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });

// formatClock writes the time of day to the second, in the zone: a
// recording's start and end.
export function formatClock(v) {
  return v ? clock.format(new Date(v)) : t('common.na');
}

// windowText writes an incident's time window: 24/11/2026 21:40 – 22:10.
export function windowText(start, end) {
  const a = formatTime(start);
  const b = formatTime(end);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a} – ${b.slice(11)}` : `${a} – ${b}`;
}

// statePill shows a camera's health state, as the map's panel does
// (without loading the map's code).
export function statePill(state) {
  return h('span', { class: `state state-${state || 'unknown'}` }, stateText(state));
}

export function holdBadge() {
  return h('span', { class: 'badge badge-hold' }, t('evidence.hold.badge'));
}

// incidentCard is one incident in a list: when, what, which case, which
// cameras, how it was handled, its clips and whether it is held.
export function incidentCard(in_) {
  const href = `/incidents/${encodeURIComponent(in_.id)}`;
  return h('li', { class: 'inc-card', dataset: { id: in_.id, category: in_.category } },
    h('div', { class: 'top' },
      h('span', { class: 'badge cat-' + in_.category }, categoryText(in_.category)),
      in_.hold ? holdBadge() : null),
    h('p', { class: 'when' }, h('a', { href }, windowText(in_.start, in_.end))),
    h('p', { class: 'what' }, in_.case_ref ? h('strong', null, in_.case_ref) : h('span', { class: 'muted' }, t('evidence.nocase')),
      ' · ', handlingText(in_.handling),
      in_.subjects ? ' · ' + t('evidence.subjects.n', { n: formatInt(in_.subjects) }) : ''),
    h('p', { class: 'where muted' }, in_.camera_ids.join(', ')),
    in_.note ? h('p', { class: 'note' }, in_.note) : null,
    h('p', { class: 'foot muted' }, in_.id, ' · ', in_.clips && in_.clips.length ? t('evidence.clips.n', { n: in_.clips.length }) : t('evidence.clips.zero')));
}

// showFieldErrors puts an API error beside the field it names (an
// element #NAME-error inside form), or in the form's own error line; it
// returns the element it wrote in.
export function showFieldError(form, err) {
  for (const el of form.querySelectorAll('.field-error, .form-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (!err) return null;
  const detail = err.status === 0 ? t('error.network') : err.message;
  const field = (err.field || '').split(/[.[]/)[0];
  const box = field && form.querySelector(`#${CSS.escape(field)}-error`);
  if (box) {
    // Beside its field, the message need not name it again.
    box.textContent = t('evidence.error.field', { detail: detail.startsWith(err.field + ': ') ? detail.slice(err.field.length + 2) : detail });
    box.hidden = false;
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
    return box;
  }
  const line = form.querySelector('.form-error');
  if (line) {
    line.textContent = t('evidence.error.form', { detail });
    line.hidden = false;
  }
  return line;
}

// detailFields builds the fields of an incident that a person decides —
// category, handling, case reference, suspects, note — filled with v
// (an incident, or {} for a new one), each with its error line.
export function detailFields(v) {
  const field = (name, label, input) => h('div', { class: 'field' },
    h('label', { for: 'd-' + name }, label), input, h('p', { class: 'field-error', id: name + '-error', hidden: true }));
  const select = (name, values, text, value) => {
    const s = h('select', { id: 'd-' + name, name, 'aria-describedby': name + '-error' }, values.map((x) => h('option', { value: x }, text(x))));
    s.value = value;
    return s;
  };
  const note = h('textarea', { id: 'd-note', name: 'note', rows: 4, maxlength: 4000, 'aria-describedby': 'note-error' });
  note.value = v.note || '';
  return [
    h('div', { class: 'row' },
      field('category', t('evidence.field.category'), select('category', categories, categoryText, v.category || 'theft')),
      field('handling', t('evidence.field.handling'), select('handling', handlings, handlingText, v.handling || 'none'))),
    h('div', { class: 'row' },
      field('case_ref', t('evidence.field.case_ref'), h('input', { id: 'd-case_ref', name: 'case_ref', value: v.case_ref || '', maxlength: 100, autocomplete: 'off', spellcheck: 'false', placeholder: 'CA-CG/2026/044', 'aria-describedby': 'case_ref-error' })),
      field('subjects', t('evidence.field.subjects'), h('input', { id: 'd-subjects', name: 'subjects', type: 'number', min: 0, max: 10000, step: 1, inputmode: 'numeric', value: v.subjects ?? 0, 'aria-describedby': 'subjects-error' }))),
    field('note', t('evidence.field.note'), note),
  ];
}

// detailValues reads detailFields back as the API takes them.
export function detailValues(form) {
  const n = form.subjects.value.trim();
  return {
    category: form.category.value,
    handling: form.handling.value,
    case_ref: form.case_ref.value.trim(),
    subjects: n === '' ? 0 : Number(n),
    note: form.note.value,
  };
}
