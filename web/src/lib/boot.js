// The page's starting state, rendered by the daemon into #boot: the
// user's language and its catalogue, the zone, the user, the CSRF token
// and the page's parameters. Every text the scripts show comes from the
// catalogue through t().
const el = document.getElementById('boot');
export const boot = el ? JSON.parse(el.textContent) : { lang: 'vi', zone: 'Asia/Ho_Chi_Minh', texts: {}, params: {} };

// t returns the text of key with {name} placeholders filled from params.
// A missing key shows as itself, so that it is seen and fixed.
export function t(key, params) {
  let s = boot.texts[key];
  if (s === undefined) return key;
  if (params) for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

// has reports whether the catalogue has key.
export function has(key) {
  return Object.prototype.hasOwnProperty.call(boot.texts, key);
}

export const role = boot.user ? boot.user.role : '';

// can reports whether the signed-in role is one of roles.
export function can(...roles) {
  return roles.includes(role);
}
