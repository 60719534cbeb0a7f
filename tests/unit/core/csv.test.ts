import { describe, expect, it } from 'vitest';
import {
  csvField,
  toCsv,
  toZoneLines,
  type ExportableTemplate,
} from '../../../electron/core/export/csv.ts';

/** A strict RFC 4180 parser, to read exports back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else if (ch === '"' || ch === '\n' || ch === '\r')
      throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
    else field += ch;
  }
  if (field !== '' || row.length) throw new Error('missing final CRLF');
  return rows;
}

const template = (id: string, commonName: string): ExportableTemplate => ({
  id,
  commonName,
  status: 'pending',
  challengeRecords: [
    {
      base: 'example.com',
      name: '_acme-challenge.example.com',
      value: 'k1.validation.test',
      ttl: 3600,
    },
  ],
});

describe('csvField()', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', `"'\rCR"`],
    ['a,b', '"a,b"'],
    ['a"b', '"a""b"'],
    ['line1\nline2', '"line1\nline2"'],
    ['Ünïcode', 'Ünïcode'],
    ['_acme-challenge.example.com', '_acme-challenge.example.com'],
  ])('spreadsheet-safe %j → %j', (value, expected) => {
    expect(csvField(value, 'spreadsheet')).toBe(expected);
  });

  it('adds no apostrophe in raw mode but still quotes', () => {
    expect(csvField('=1+2', 'raw')).toBe('=1+2');
    expect(csvField('a,b', 'raw')).toBe('"a,b"');
  });
});

describe('toCsv()', () => {
  it('writes the header, one row per challenge record, CRLF line ends and a BOM for spreadsheets', () => {
    const { text, rows } = toCsv([template('t1', 'xn--bcher-kva.example')], 'spreadsheet');
    expect(rows).toBe(1);
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(parseCsv(text.slice(1))).toEqual([
      ['Template', 'Common Name', 'Type', 'Name', 'Value', 'TTL', 'Status'],
      [
        't1',
        'bücher.example',
        'CNAME',
        '_acme-challenge.example.com',
        'k1.validation.test',
        '3600',
        'Pending Verification',
      ],
    ]);
  });

  it('round-trips dangerous values, apostrophe aside', () => {
    const nasty = ['=cmd|calc', 'a,b', 'say "hi"', 'two\r\nlines', '@x', '-1'];
    const templates = nasty.map((value, i) => ({ ...template(`t${i}`, 'example.com'), id: value }));
    const parsed = parseCsv(toCsv(templates, 'spreadsheet').text.slice(1));
    expect(parsed.slice(1).map((row) => row[0])).toEqual(
      nasty.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)),
    );
    const raw = parseCsv(toCsv(templates, 'raw').text);
    expect(raw.slice(1).map((row) => row[0])).toEqual(nasty);
  });

  it('writes only the header when there is nothing to export', () => {
    expect(toCsv([], 'raw')).toEqual({
      text: 'Template,Common Name,Type,Name,Value,TTL,Status\r\n',
      rows: 0,
    });
  });
});

describe('toZoneLines()', () => {
  it('writes fully qualified CNAME lines with a comment per template', () => {
    expect(toZoneLines([template('t1', 'example.com')])).toEqual({
      text: '; example.com (template t1)\n_acme-challenge.example.com.\t3600\tIN\tCNAME\tk1.validation.test.\n',
      rows: 1,
    });
  });
});
