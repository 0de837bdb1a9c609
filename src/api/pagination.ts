/**
 * Keyset pagination: a page is the rows after the last one the client saw,
 * found through an index, so deep pages cost what the first one does and rows
 * added meanwhile neither repeat nor go missing. The cursor is opaque to
 * clients: base64url of the sort key of the page's last row.
 */
import { ApiRequestError } from '../errors';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 500;

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export function encodeCursor(key: readonly number[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor holds; a cursor this API did not give out is a 400. */
export function decodeCursor(cursor: string, length: number): number[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== length || !key.every((part) => Number.isSafeInteger(part))) {
    throw new ApiRequestError('query parameter cursor: not a cursor this API gave out (pass nextCursor from the previous page unchanged)');
  }
  return key as number[];
}

/** Rows fetched with `limit + 1`: the page, and a cursor when the extra row shows there is more. */
export function pageOf<Row, Item>(rows: Row[], limit: number, keyOf: (row: Row) => number[], toItem: (row: Row) => Item): Page<Item> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { items: shown.map(toItem), nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
