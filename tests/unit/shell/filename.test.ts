import { describe, expect, it } from 'vitest';
import { FALLBACK_FILE_NAME, sanitizeFileName } from '../../../electron/shell/filename.ts';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

// [suggestion, safe name]
const TABLE: [string, string][] = [
  ['certdesk-cname-records-2026-01-31.csv', 'certdesk-cname-records-2026-01-31.csv'],
  ['../../.bashrc', '_._.bashrc'],
  ['..', FALLBACK_FILE_NAME],
  ['.', FALLBACK_FILE_NAME],
  ['...', FALLBACK_FILE_NAME],
  ['.hidden.csv', 'hidden.csv'],
  ['a/b.csv', 'a_b.csv'],
  ['/etc/passwd', '_etc_passwd'],
  ['C:\\Windows\\x', 'C__Windows_x'],
  ['\\\\server\\share\\x', '__server_share_x'],
  ['CON.csv', '_CON.csv'],
  ['con', '_con'],
  ['nul.tar.gz', '_nul.tar.gz'],
  ['LPT1.txt', '_LPT1.txt'],
  ['COM9.csv', '_COM9.csv'],
  ['COM¹.csv', '_COM¹.csv'],
  ['CONSOLE.csv', 'CONSOLE.csv'],
  ['name.csv ', 'name.csv'],
  ['name.csv...', 'name.csv'],
  ['name.csv. . .', 'name.csv'],
  ['  name.csv', 'name.csv'],
  ['*.example.com.csv', '_wildcard_.example.com.csv'],
  ['bad\u0000name\u001f\u007f.csv', 'badname.csv'],
  ['line\r\nbreak.csv', 'linebreak.csv'],
  ['invoice\u202egpj.exe', 'invoicegpj.exe'],
  ['zero\u200bwidth.csv', 'zerowidth.csv'],
  ['a:b|c?d"e<f>g.csv', 'a_b_c_d_e_f_g.csv'],
  ['bücher.example.csv', 'bücher.example.csv'],
  ['', FALLBACK_FILE_NAME],
  ['   ', FALLBACK_FILE_NAME],
  ['\u0000\u0001', FALLBACK_FILE_NAME],
];

describe('export file names (RELIABILITY I4)', () => {
  for (const [input, expected] of TABLE) {
    it(`turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
      expect(sanitizeFileName(input)).toBe(expected);
    });
  }

  it('keeps the extension and stays within 255 bytes for a 300-byte name', () => {
    const name = sanitizeFileName(`${'a'.repeat(300)}.csv`);
    expect(bytes(name)).toBe(255);
    expect(name.endsWith('.csv')).toBe(true);
  });

  it('cuts multi-byte names on whole characters, never leaving a broken one', () => {
    for (const unit of ['é', '證', '😀']) {
      const name = sanitizeFileName(`${unit.repeat(200)}.csv`);
      expect(bytes(name)).toBeLessThanOrEqual(255);
      expect(name.endsWith('.csv')).toBe(true);
      expect(name).not.toContain('\ufffd');
      expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
    }
  });

  it('falls back for values that are not strings', () => {
    for (const value of [undefined, null, 42, {}, ['a.csv']]) {
      expect(sanitizeFileName(value)).toBe(FALLBACK_FILE_NAME);
    }
  });

  it('produces a plain name: no separator, no dot segment, no leading dot', () => {
    for (const [input] of TABLE) {
      const name = sanitizeFileName(input);
      expect(name).not.toMatch(/[/\\]/);
      expect(name.startsWith('.')).toBe(false);
      expect(name).not.toContain('..');
      expect(name).not.toMatch(/[. ]$/);
    }
  });

  it('is idempotent', () => {
    const inputs = [
      ...TABLE.map(([input]) => input),
      `${'a'.repeat(300)}.csv`,
      `${'😀'.repeat(200)}.csv`,
    ];
    for (const input of inputs) {
      const once = sanitizeFileName(input);
      expect(sanitizeFileName(once), input).toBe(once);
    }
  });
});
