// The search box of the maps: cameras by id or name, communes by name,
// both without accents ("cho gao" finds "Chợ Gạo"), as the API matches.
import { api } from './api.js';
import { t } from './boot.js';
import { h, replace } from './dom.js';

export function attachSearch(input, list, { onCamera, onCommune }) {
  let seq = 0;
  let timer = 0;
  const close = () => (list.hidden = true);
  async function run() {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) return close();
    const [cams, communes] = await Promise.all([
      api('cameras', { query: { q, limit: 8 } }).catch(() => ({ items: [] })),
      api('communes', { query: { q, limit: 5 } }).catch(() => ({ items: [] })),
    ]);
    if (mine !== seq) return;
    const items = [
      ...communes.items.map((c) => h('li', null, h('button', { type: 'button', onclick: () => { close(); onCommune(c); } }, c.name, h('span', { class: 'kind' }, t('common.commune'))))),
      ...cams.items.map((c) => h('li', null, h('button', { type: 'button', onclick: () => { close(); onCamera(c); } }, `${c.id} · ${c.name}`, h('span', { class: 'kind' }, c.commune || '')))),
    ];
    replace(list, items.length ? items : h('li', { class: 'muted' }, h('button', { type: 'button', disabled: true }, t('common.noresults'))));
    list.hidden = false;
  }
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') close();
    if (ev.key === 'Enter') {
      ev.preventDefault();
      const first = list.querySelector('button:not([disabled])');
      if (first) first.click();
    }
  });
  document.addEventListener('click', (ev) => {
    if (!list.contains(ev.target) && ev.target !== input) close();
  });
}
