// How a property value becomes the text of a table cell or list entry (pwsh's
// PSObjectHelper.SmartToString): enumerables as `{a, b}` limited by $FormatEnumerationLimit,
// everything else by its string conversion.
import { Hashtable, PSObject, formatDate, formatNumber } from '../engine/values';

/** $FormatEnumerationLimit's default. */
export const DEFAULT_ENUMERATION_LIMIT = 4;

/** The text of a value inside a cell. `limit` < 0 means no limit (as pwsh). */
export function formatCell(value: unknown, limit: number = DEFAULT_ENUMERATION_LIMIT): string {
  if (Array.isArray(value)) return enumerate(value, limit);
  // pwsh enumerates dictionaries in cells; each entry shows by its display name, the key.
  if (value instanceof Hashtable) return enumerate(value.keys(), limit);
  return elementName(value);
}

function enumerate(items: unknown[], limit: number): string {
  let s = '{';
  for (let i = 0; i < items.length; i++) {
    if (limit >= 0 && i === limit) {
      s += '...';
      break;
    }
    if (i > 0) s += ', ';
    s += elementName(items[i]);
  }
  return s + '}';
}

/** ToString of one value, as a cell or an element of an enumerated cell shows it. */
function elementName(value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return value.toString();
    case 'function':
      return '';
  }
  if (value instanceof Date) return formatDate(value);
  // A nested array's .NET ToString is its type name.
  if (Array.isArray(value)) return 'System.Object[]';
  if (value instanceof PSObject) return value.toString();
  return String(value);
}

/** Numbers are right-aligned in tables without a view (pwsh decides from the first object). */
export function isNumeric(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'bigint';
}
