// Authentication challenges (RFC 7235 `WWW-Authenticate`) and the distribution token flow:
//   401 + `Basic realm="…"`                      → resend with `Authorization: Basic …`
//   401 + `Bearer realm="…",service="…",scope="…"` → GET realm?service=…&scope=… (with Basic
//     credentials when we have them) → {"token"|"access_token", "expires_in"} → `Authorization: Bearer …`

export interface Challenge {
  scheme: string; // lower-case: 'basic' | 'bearer' | …
  params: Record<string, string>;
}

/** Parses one or more challenges of a WWW-Authenticate header. */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = () => {
    const m = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(s.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  while (i < s.length) {
    skipWs();
    while (s[i] === ',') {
      i++;
      skipWs();
    }
    const scheme = token();
    if (!scheme) break;
    const ch: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(ch);
    for (;;) {
      skipWs();
      const save = i;
      const key = token();
      skipWs();
      if (!key || s[i] !== '=') {
        i = save;
        break;
      }
      i++;
      skipWs();
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i++];
        }
        i++;
      } else {
        value = token();
      }
      ch.params[key.toLowerCase()] = value;
      skipWs();
      if (s[i] === ',') {
        i++;
        continue;
      }
      break;
    }
  }
  return out;
}

/** `repository:<name>:<actions>` scopes for a request. */
export function repositoryScope(repository: string, actions: Array<'pull' | 'push' | 'delete' | '*'>): string {
  return `repository:${repository}:${actions.join(',')}`;
}
