// The console is a client of /api/v1 like any tool: the session cookie
// goes with every request (same origin), and every request that changes
// something carries the session's CSRF token.
import { boot } from './boot.js';

// ApiError is a problem answered by the API (RFC 9457), or a network
// failure (status 0).
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.field = problem.field || '';
  }
}

// api calls the API and returns the parsed JSON (or the Response, with
// raw: true). A 401 means the session ended: the page goes to sign-in and
// comes back here afterwards.
export async function api(path, { method = 'GET', body, query, raw = false, headers = {}, signal } = {}) {
  let url = path.startsWith('/') ? path : '/api/v1/' + path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
    const s = q.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const h = { Accept: 'application/json', ...headers };
  if (method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = boot.csrf || '';
  let b = body;
  if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob) && typeof body !== 'string') {
    h['Content-Type'] = 'application/json';
    b = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, { method, headers: h, body: b, credentials: 'same-origin', signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'network', detail: String(e.message || e) });
  }
  if (res.status === 401 && boot.user) {
    const next = location.pathname + location.search + location.hash;
    location.assign('/login?ended=1&next=' + encodeURIComponent(next));
    throw new ApiError(401, { title: 'unauthorized' });
  }
  if (!res.ok) {
    let problem = { title: res.statusText };
    try {
      problem = await res.json();
    } catch {
      /* not JSON */
    }
    const err = new ApiError(res.status, problem);
    err.retryAfter = Number(res.headers.get('Retry-After')) || 0;
    throw err;
  }
  if (raw) return res;
  if (res.status === 204) return null;
  return res.json();
}

// all follows next_cursor through every page of a list.
export async function all(path, query = {}) {
  const items = [];
  let cursor = '';
  for (;;) {
    const page = await api(path, { query: { ...query, limit: 1000, cursor } });
    items.push(...page.items);
    if (!page.next_cursor) return items;
    cursor = page.next_cursor;
  }
}
