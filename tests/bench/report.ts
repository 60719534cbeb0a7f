/**
 * The benchmark's one table and its JSON twin. Each figure carries Certdesk's value, lego's
 * where lego does the same work, their ratio, and the target from issue 5 with met/missed.
 * Targets are reported, never enforced: a benchmark does not fail on timing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { format } from 'prettier';
import type { MachineFacts } from './stats.ts';

/** The unit a figure is measured in. */
export type Unit = 'ms' | 'MiB' | 'frames' | 'ms CPU';

/** One line of the table. */
export interface Figure {
  /** Stable key for the JSON, e.g. `one-certificate`. */
  key: string;
  /** What was measured, as the table shows it. */
  label: string;
  unit: Unit;
  /** Certdesk's value; NaN when it could not be measured (see `note`). */
  certdesk: number;
  /** lego's value for the same work, when lego does it. */
  lego?: number;
  /** Issue 5's target for this figure and whether this run met it. */
  target?: { text: string; met: boolean };
  /** How it was measured, or why it is missing. */
  note?: string;
  /** The individual measurements behind a median. */
  samples?: { certdesk?: number[]; lego?: number[] };
}

/** Everything a run produced, as written to results/latest.json. */
export interface BenchResult {
  /** ISO 8601 time the run finished. */
  date: string;
  machine: MachineFacts;
  /** 1-minute load average at the end (other work on a shared machine skews figures). */
  loadAtEnd: number;
  /** lego's version line, or null when it was not installed. */
  lego: string | null;
  figures: Figure[];
}

/** Certdesk / lego, when both exist. */
export function ratioOf(f: Figure): number | undefined {
  if (f.lego === undefined || !Number.isFinite(f.lego) || f.lego === 0) return undefined;
  return f.certdesk / f.lego;
}

/** A value in its unit, readably: seconds above 10 s, one decimal below 100. */
export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined) return '';
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'ms' && value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (unit === 'ms' && value >= 1_000) return `${(value / 1000).toFixed(2)} s`;
  if (unit === 'frames') return `${value}`;
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${unit}`;
}

function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '' : ratio.toFixed(3);
}

/** The table as Markdown (it reads well in a terminal too). */
export function formatTable(figures: readonly Figure[]): string {
  const header = ['figure', 'Certdesk', 'lego', 'ratio', 'target', 'result'];
  const rows = figures.map((f) => [
    f.label,
    formatValue(f.certdesk, f.unit),
    formatValue(f.lego, f.unit),
    formatRatio(ratioOf(f)),
    f.target?.text ?? '',
    f.target ? (f.target.met ? 'met' : 'MISSED') : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The notes under the table: how each figure was taken. */
export function formatNotes(figures: readonly Figure[]): string {
  return figures
    .filter((f) => f.note)
    .map((f) => `- ${f.label}: ${f.note}`)
    .join('\n');
}

/**
 * Writes `result` as JSON to `path`, creating its folder; NaN (a figure that could not be
 * taken) becomes null. Formatted by Prettier, so the file passes the format check of `npm test`.
 */
export async function writeResult(path: string, result: BenchResult): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const replacer = (_key: string, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v;
  const text = await format(JSON.stringify(result, replacer), { parser: 'json', printWidth: 100 });
  await writeFile(path, text);
}
