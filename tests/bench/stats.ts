/**
 * Measuring for the benchmark: medians and percentiles of timings, the machine and its load
 * while a figure was taken, and CPU profiles of measured windows. No figure here is ever
 * asserted on; they are printed.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

/** Sorted copy of `values`, ascending. */
function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The median of `values`; NaN when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = sorted(values);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The `p`th percentile (0-100) by nearest rank; NaN when there are no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = sorted(values);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1] as number;
}

/** The largest value; NaN when there are none. */
export function max(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values);
}

/** Milliseconds since `start` (a performance.now() reading). */
export function since(start: number): number {
  return performance.now() - start;
}

/** The machine a run was taken on, for the JSON and the README. */
export interface MachineFacts {
  /** Logical CPUs Node sees. */
  cores: number;
  /** Model string of the first CPU. */
  cpuModel: string;
  /** Total memory in MiB. */
  memoryMiB: number;
  /** Node version, e.g. v20.20.2. */
  node: string;
  /** 1-minute load average when the run started. */
  loadAtStart: number;
}

/** Facts about this machine now. */
export function machineFacts(): MachineFacts {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    loadAtStart: loadavg()[0] ?? 0,
  };
}

/** The 1-minute load average now (noise indicator; other engineers share these machines). */
export function loadNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/** Resident set size of process `pid` in MiB, from /proc; NaN when it cannot be read. */
export async function rssOfPid(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}

/*
 * CPU profiles of exactly the measured window, for finding where a slow figure spends its
 * time. Off unless BENCH_CPU_PROF names a folder; then each window is written there as
 * `<label>-<pid>.cpuprofile` (open it in Chrome DevTools, Performance tab). Profiling slows
 * the window down, so figures from a profiled run are not figures to report.
 */

/** A running profile; `stop` writes it (and does nothing when profiling is off). */
export interface WindowProfile {
  stop(): Promise<void>;
}

/**
 * Starts profiling the window called `label`, if BENCH_CPU_PROF is set, sampling every
 * `intervalUs` microseconds (coarser for long windows, where sampling costs more).
 */
export async function profileWindow(label: string, intervalUs = 100): Promise<WindowProfile> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${label}-${process.pid}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
