/**
 * CNAME records as CSV for the DNS team (RFC 4180: fields with comma, quote, CR or LF are
 * quoted, quotes doubled, CRLF line ends; UTF-8). In spreadsheet-safe mode a cell that a
 * spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`, tab or carriage
 * return) gets a leading apostrophe, and the file starts with a byte-order mark so Excel reads
 * UTF-8. Raw mode is for DNS tooling: values are written as they are, no BOM.
 */
import { displayName } from '../../../shared/names.ts';
import { STATUS_LABELS, type ChallengeRecord, type TemplateStatus } from '../../../shared/types.ts';

export type CsvMode = 'spreadsheet' | 'raw';

export const CSV_HEADER = ['Template', 'Common Name', 'Type', 'Name', 'Value', 'TTL', 'Status'];

/** What one template contributes to an export. */
export interface ExportableTemplate {
  id: string;
  commonName: string;
  status: TemplateStatus;
  challengeRecords: ChallengeRecord[];
}

const FORMULA_START = /^[=+\-@\t\r]/;
/** Lower-case letters-digits-hyphen labels (a leading `*.` allowed) with no `xn--` label. */
const PLAIN_ASCII_NAME = /^(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*$/;

/**
 * displayName() for an export, without its cost where it can change nothing: a lower-case
 * LDH name with no `xn--` label is its own Unicode form, and converting 10,000 of those with
 * UTS #46 took ~250 ms, more than the whole export may take.
 */
export function exportName(ascii: string): string {
  return PLAIN_ASCII_NAME.test(ascii) && !ascii.includes('xn--') ? ascii : displayName(ascii);
}
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, neutralized (spreadsheet mode) and quoted as RFC 4180 requires. */
export function csvField(value: string, mode: CsvMode): string {
  const safe = mode === 'spreadsheet' && FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line, without its line end. */
export function csvLine(fields: string[], mode: CsvMode): string {
  return fields.map((field) => csvField(field, mode)).join(',');
}

/** The rows of an export: one per challenge record, templates in the given order. */
export function exportRows(templates: Iterable<ExportableTemplate>): string[][] {
  const rows: string[][] = [];
  for (const template of templates) {
    const commonName = exportName(template.commonName);
    const status = STATUS_LABELS[template.status];
    for (const record of template.challengeRecords) {
      rows.push([
        template.id,
        commonName,
        'CNAME',
        record.name,
        record.value,
        String(record.ttl),
        status,
      ]);
    }
  }
  return rows;
}

/** The whole file. */
export function toCsv(
  templates: Iterable<ExportableTemplate>,
  mode: CsvMode,
): { text: string; rows: number } {
  const rows = exportRows(templates);
  const lines = [csvLine(CSV_HEADER, mode), ...rows.map((row) => csvLine(row, mode))];
  const bom = mode === 'spreadsheet' ? '\uFEFF' : '';
  return { text: `${bom}${lines.join('\r\n')}\r\n`, rows: rows.length };
}

/** The same records as BIND zone-file lines, ready to paste into the administrator's zone. */
export function toZoneLines(templates: Iterable<ExportableTemplate>): {
  text: string;
  rows: number;
} {
  const lines: string[] = [];
  let rows = 0;
  for (const template of templates) {
    lines.push(`; ${exportName(template.commonName)} (template ${template.id})`);
    for (const record of template.challengeRecords) {
      lines.push(`${record.name}.\t${record.ttl}\tIN\tCNAME\t${record.value}.`);
      rows += 1;
    }
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', rows };
}

/** Default file name of an export, dated so successive exports do not collide. */
export function exportFileName(now: Date): string {
  return `certdesk-cname-records-${now.toISOString().slice(0, 10)}.csv`;
}
