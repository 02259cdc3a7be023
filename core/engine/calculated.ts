// Calculated properties (`@{Name='x'; Expression={ $_.Size / 1MB }}`) as the format room and the
// cmdlets take them: script blocks become functions of the object, run in the caller's scope.

import type { CmdletContext } from './cmdlet';
import { ScriptBlock } from './scriptblock';
import { Hashtable, toDisplayString } from './values';
import { isPromise } from './pipeline';

/** Turns -Property arguments into what core/format's resolveProperties takes. */
export function calculatedPropertyArgs(args: unknown[], ctx: CmdletContext): (string | Hashtable)[] {
  return args.map((a) => {
    if (!(a instanceof Hashtable)) return toDisplayString(a);
    const h = new Hashtable();
    for (const [k, v] of a.entries()) {
      if (v instanceof ScriptBlock) {
        h.set(k, (o: unknown) => {
          const out = ctx.invoke(v, { dollarUnder: o });
          return isPromise(out) ? out.then(single) : single(out);
        });
      } else h.set(k, v);
    }
    return h;
  });
}

function single(out: unknown[]): unknown {
  return out.length === 0 ? null : out.length === 1 ? out[0] : out;
}
