// Registry errors: they name the registry, repository and reference concerned and carry the
// registry's own error code and message (distribution spec "Error Codes"). They never contain
// credentials, tokens or Authorization headers.

export interface RegistryErrorInit {
  message?: string;
  registry?: string;
  repository?: string;
  reference?: string;
  /** What was being done, e.g. 'GET manifest', 'upload blob'. */
  operation?: string;
  status?: number;
  /** The registry's code (MANIFEST_UNKNOWN, UNAUTHORIZED, BLOB_UNKNOWN, …) or ours (INVALID_REFERENCE, DIGEST_MISMATCH, CONNECTION). */
  code?: string;
  /** The registry's message for `code`. */
  registryMessage?: string;
}

export class RegistryError extends Error {
  readonly registry?: string;
  readonly repository?: string;
  readonly reference?: string;
  readonly operation?: string;
  readonly status?: number;
  readonly code?: string;
  readonly registryMessage?: string;

  constructor(init: RegistryErrorInit) {
    super(init.message ?? RegistryError.compose(init));
    this.name = 'RegistryError';
    this.registry = init.registry;
    this.repository = init.repository;
    this.reference = init.reference;
    this.operation = init.operation;
    this.status = init.status;
    this.code = init.code;
    this.registryMessage = init.registryMessage;
  }

  /** `<operation> <registry>/<repository>:<reference>: <CODE>: <message> (HTTP <status>)` */
  static compose(i: RegistryErrorInit): string {
    let target = i.registry ?? '';
    if (i.repository) target += `${target ? '/' : ''}${i.repository}`;
    if (i.reference) target += i.reference.startsWith('sha256:') ? `@${i.reference}` : `:${i.reference}`;
    const head = [i.operation, target].filter(Boolean).join(' ');
    const what = [i.code, i.registryMessage].filter(Boolean).join(': ');
    return `${head}${head ? ': ' : ''}${what || 'request failed'}${i.status ? ` (HTTP ${i.status})` : ''}`;
  }
}

/** Error bodies per the distribution spec: {"errors":[{"code","message","detail"}]}. */
export function parseErrorBody(text: string): { code?: string; message?: string } {
  try {
    const o = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const e = Array.isArray(o.errors) ? o.errors[0] : undefined;
    if (e) return { code: typeof e.code === 'string' ? e.code : undefined, message: typeof e.message === 'string' ? e.message : undefined };
  } catch {
    /* not JSON */
  }
  const t = text.trim();
  return t ? { message: t.length > 200 ? `${t.slice(0, 200)}…` : t } : {};
}
