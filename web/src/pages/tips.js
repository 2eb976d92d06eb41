// Tin báo: the hotline's tips (GET /api/v1/tips/counts, GET /api/v1/tips)
// — the district's second table by outcome and channel, then the tips
// themselves, newest first, filtered by outcome, channel, category and
// commune. No informant is on this page: the API answers only whether a
// tip has one (sealed to the police chiefs' keys), and revealing it is
// done with a chief's key, not in the console.
import '../css/app.css';
import '../css/evidence.css';
import { api } from '../lib/api.js';
import { t } from '../lib/boot.js';
import { $, h, replace } from '../lib/dom.js';
import { categories, categoryText, showFieldError } from '../lib/evidence.js';
import { formatInt, formatTime } from '../lib/format.js';
import { loadError, ready, startShell } from '../lib/shell.js';

startShell();

const outcomes = ['criminal', 'administrative', 'education', 'unfounded', 'pending'];
const channels = ['hotline', 'in_person', 'message', 'other'];
const form = $('#filters');
const list = $('#list');
const more = $('#more');
const pageSize = 20;

// Written out, so that every text is found in the catalogue by its key.
function outcomeText(o) {
  const names = {
    criminal: t('tips.outcome.criminal'),
    administrative: t('tips.outcome.administrative'),
    education: t('tips.outcome.education'),
    unfounded: t('tips.outcome.unfounded'),
    pending: t('tips.outcome.pending'),
  };
  return names[o] || o;
}

function channelText(c) {
  const names = {
    hotline: t('tips.channel.hotline'),
    in_person: t('tips.channel.in_person'),
    message: t('tips.channel.message'),
    other: t('tips.channel.other'),
  };
  return names[c] || c;
}

for (const o of outcomes) form.outcome.append(h('option', { value: o }, outcomeText(o)));
for (const c of channels) form.channel.append(h('option', { value: c }, channelText(c)));
for (const c of categories) form.category.append(h('option', { value: c }, categoryText(c)));

function stat(label, value, id) {
  return h('div', { class: 'stat', dataset: { stat: id } }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

function renderCounts(c) {
  const by = Object.fromEntries(c.by_outcome.map((o) => [o.outcome, o]));
  replace($('#cards'),
    stat(t('tips.count.total'), formatInt(c.tips), 'tips'),
    stat(t('tips.outcome.criminal'), t('tips.cases.people', { n: formatInt(by.criminal.tips), p: formatInt(by.criminal.people) }), 'criminal'),
    stat(t('tips.outcome.administrative'), t('tips.cases.people', { n: formatInt(by.administrative.tips), p: formatInt(by.administrative.people) }), 'administrative'),
    stat(t('tips.outcome.education'), t('tips.people.n', { n: formatInt(by.education.people) }), 'education'));
  replace($('#outcomes tbody'), ...c.by_outcome.map((o) => h('tr', { dataset: { outcome: o.outcome } },
    h('td', null, outcomeText(o.outcome)), h('td', { class: 'num' }, formatInt(o.tips)), h('td', { class: 'num' }, formatInt(o.people)))));
  replace($('#outcomes tfoot'), h('tr', null,
    h('th', null, t('evidence.counts.total')), h('th', { class: 'num' }, formatInt(c.tips)), h('th', { class: 'num' }, formatInt(c.people))));
  replace($('#channels tbody'), ...c.by_channel.map((ch) => h('tr', { dataset: { channel: ch.channel } },
    h('td', null, channelText(ch.channel)), h('td', { class: 'num' }, formatInt(ch.tips)))));
}

// tipCard is one tip in the list: when and how it came, what it is
// about and where, what came of it.
function tipCard(tip) {
  const where = [tip.commune, tip.place].filter(Boolean).join(' · ');
  return h('li', { class: 'inc-card tip-card', dataset: { id: tip.id, outcome: tip.outcome } },
    h('div', { class: 'top' },
      h('span', { class: 'badge cat-' + tip.category }, categoryText(tip.category)),
      h('span', { class: 'badge' }, channelText(tip.channel)),
      tip.hold ? h('span', { class: 'badge badge-hold' }, t('evidence.hold.badge')) : null),
    h('p', { class: 'when' }, formatTime(tip.received_at)),
    h('p', { class: 'what' }, h('strong', null, outcomeText(tip.outcome)),
      tip.people ? ' · ' + t('tips.people.n', { n: formatInt(tip.people) }) : '',
      tip.incident_ids.length ? [' · ', ...tip.incident_ids.flatMap((id, i) => [i ? ', ' : '', h('a', { href: `/incidents/${encodeURIComponent(id)}` }, id)])] : ''),
    where ? h('p', { class: 'where muted' }, where) : null,
    h('p', { class: 'note' }, tip.summary),
    h('p', { class: 'foot muted' }, tip.id, ' · ', tip.has_informant ? t('tips.informant.sealed') : t('tips.informant.none')));
}

function query() {
  const q = { limit: pageSize };
  for (const name of ['outcome', 'channel', 'category', 'commune']) if (form[name].value) q[name] = form[name].value;
  return q;
}

let cursor = '';
let shown = 0;

async function load(append) {
  more.disabled = true;
  try {
    const page = await api('tips', { query: { ...query(), cursor: append ? cursor : '' } });
    if (!append) {
      list.replaceChildren();
      shown = 0;
    }
    list.append(...page.items.map(tipCard));
    shown += page.items.length;
    cursor = page.next_cursor || '';
    more.hidden = !cursor;
    $('#count').textContent = shown === 0 ? t('tips.list.none') : cursor ? t('tips.list.countmore', { n: formatInt(shown) }) : t('tips.list.count', { n: formatInt(shown) });
    showFieldError(form, null);
  } catch (err) {
    if (err.status === 400) showFieldError(form, { status: err.status, message: err.message, field: err.field });
    else loadError(err);
  }
  more.disabled = false;
}

async function communes() {
  try {
    const res = await api('communes', { query: { limit: 1000 } });
    const names = res.items.map((c) => c.name).sort((a, b) => a.localeCompare(b, 'vi'));
    for (const n of names) form.commune.append(h('option', { value: n }, n));
  } catch {
    /* the filter then offers every commune only */
  }
}

form.addEventListener('change', () => load(false));
more.addEventListener('click', () => load(true));

async function start() {
  communes();
  replace($('#count'), t('common.loading'));
  try {
    renderCounts(await api('tips/counts'));
  } catch (err) {
    loadError(err);
  }
  await load(false);
  ready();
}
start();
