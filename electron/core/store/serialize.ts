/**
 * The store's JSON text, made without re-serializing what did not change. The durable store
 * never changes an object it holds (drafts.ts replaces changed objects by copies), so the text
 * of an array element (a template, an account) is the same for as long as the element is the
 * same object. Re-serializing a 10,000-template document took ~40 ms per saved step; joining
 * the remembered texts of the unchanged templates takes a few.
 *
 * Use it only for documents whose objects are never changed in place; for anything else use
 * JSON.stringify, which this matches byte for byte on plain JSON data (key order, `undefined`
 * and function members left out of objects and written as null in arrays).
 */

const texts = new WeakMap<object, string>();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** One array element's text, remembered for objects. */
function elementText(item: unknown): string {
  if (typeof item !== 'object' || item === null) return JSON.stringify(item) ?? 'null';
  let text = texts.get(item);
  if (text === undefined) {
    text = JSON.stringify(item) ?? 'null';
    texts.set(item, text);
  }
  return text;
}

function arrayText(items: unknown[]): string {
  if (hasToJson(items)) return JSON.stringify(items);
  return `[${items.map(elementText).join(',')}]`;
}

/**
 * JSON.stringify(doc) for a document that is a plain object: its array members are written
 * from the remembered text of each element that was written before as the same object.
 */
export function stringifyDocument(doc: unknown): string {
  if (!isPlainObject(doc) || hasToJson(doc)) return JSON.stringify(doc);
  const members: string[] = [];
  for (const key of Object.keys(doc)) {
    const value = doc[key];
    const text = Array.isArray(value) ? arrayText(value) : JSON.stringify(value);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}
