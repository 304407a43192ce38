// The one CSV writer: every CSV newsdesk writes goes through it, so no cell can become a spreadsheet formula.
import { createRequire } from 'node:module';
import type { stringify as stringifyType } from 'csv-stringify/sync';

// Loaded on the first export: a process that never writes a CSV does not carry the library.
const load = createRequire(import.meta.url);
let stringify: typeof stringifyType | undefined;

/** Characters that make Excel, LibreOffice or Sheets read a cell as a formula (or as a DDE command). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as text, with a leading apostrophe when it would otherwise start a formula (OWASP's advice). */
export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Rows as CSV text (RFC 4180 quoting), every cell neutralised. */
export function csvRows(rows: readonly (readonly unknown[])[]): string {
  stringify ??= (load('csv-stringify/sync') as { stringify: typeof stringifyType }).stringify;
  return stringify(rows.map((r) => r.map(csvCell)));
}

/** Reverses csvCell on import: a leading apostrophe before a formula character is the writer's, not the data's. */
export function csvUncell(text: string): string {
  return text.length > 1 && text[0] === "'" && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
