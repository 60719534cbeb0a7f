import { describe, expect, it } from 'vitest';
import {
  AlertGate,
  expiryAlert,
  expiryLevel,
  traySummary,
  type Alert,
} from '../../../electron/core/notify/alerts.ts';
import type { TemplateView } from '../../../shared/types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2026-12-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function template(id: string, lifetimeMs: number, extra: Partial<TemplateView> = {}): TemplateView {
  return {
    id,
    commonName: `${id}.example.com`,
    altNames: [],
    keyType: 'ecdsa-p256',
    createdAt: T0.toISOString(),
    status: 'issued',
    challengeRecords: [],
    latestCertificate: {
      id: `c-${id}`,
      issuedAt: T0.toISOString(),
      commonName: `${id}.example.com`,
      altNames: [],
      issuer: 'Test CA',
      serial: `S${id}`,
      notBefore: T0.toISOString(),
      notAfter: at(lifetimeMs).toISOString(),
      fingerprintSha256: 'AA',
      keyType: 'ecdsa-p256',
    },
    ...extra,
  };
}

describe('expiryLevel()', () => {
  it.each([
    ['90-day certificate, 60 days in', 90 * DAY, 60 * DAY, -1],
    ['90-day certificate, 18 days left', 90 * DAY, 72 * DAY, 0],
    ['90-day certificate, 4 days left', 90 * DAY, 86 * DAY, 2],
    ['45-day certificate, 4 days left', 45 * DAY, 41 * DAY, 1],
    ['6-day certificate, 4 days in', 6 * DAY, 4 * DAY, -1],
    ['6-day certificate, 28 hours left', 6 * DAY, 6 * DAY - 28 * HOUR, 0],
    ['6-day certificate, 2 hours left', 6 * DAY, 6 * DAY - 2 * HOUR, 3],
    ['expired', 6 * DAY, 7 * DAY, 3],
  ])('%s', (_label, lifetime, elapsed, level) => {
    expect(expiryLevel(T0, at(lifetime), at(elapsed))).toBe(level);
  });
});

describe('expiryAlert()', () => {
  it('warns a 6-day certificate in hours and a 90-day one in days', () => {
    const short = expiryAlert(template('s', 6 * DAY), at(6 * DAY - 20 * HOUR));
    expect(short?.body).toMatch(/20 hour\(s\) left/);
    const long = expiryAlert(template('l', 90 * DAY), at(80 * DAY));
    expect(long?.body).toMatch(/10 day\(s\) left/);
  });

  it('escalates to an error in the last thresholds and names the last failure', () => {
    const t = template('x', 90 * DAY, {
      failure: {
        code: 'dns-tsig-badsig',
        message: 'the DNS server refused the signature',
        at: T0.toISOString(),
      },
    });
    const alert = expiryAlert(t, at(88 * DAY));
    expect(alert).toMatchObject({ level: 'error', kind: 'expiring' });
    expect(alert?.body).toContain('the DNS server refused the signature');
  });

  it('is silent while a certificate has most of its life ahead', () => {
    expect(expiryAlert(template('x', 90 * DAY), at(30 * DAY))).toBeNull();
  });
});

describe('traySummary()', () => {
  it('is ok when every certificate is comfortably valid', () => {
    expect(traySummary([template('a', 90 * DAY)], at(DAY))).toEqual({ state: 'ok', items: [] });
  });

  it('needs attention for a failure that will retry, and fails for one that will not', () => {
    const retrying = template('r', 90 * DAY, {
      status: 'failed',
      failure: {
        code: 'ca-unavailable',
        message: 'x',
        at: T0.toISOString(),
        nextAttemptAt: at(HOUR).toISOString(),
      },
    });
    expect(traySummary([retrying], at(DAY)).state).toBe('attention');
    const stuck = template('s', 90 * DAY, {
      status: 'failed',
      failure: { code: 'ca-rejected-identifier', message: 'x', at: T0.toISOString() },
    });
    const summary = traySummary([retrying, stuck], at(DAY));
    expect(summary.state).toBe('failing');
    expect(summary.items.map((i) => i.templateId)).toEqual(['s', 'r']);
  });

  it('fails when a certificate is in its last thresholds unrenewed', () => {
    expect(traySummary([template('e', 6 * DAY)], at(6 * DAY - 3 * HOUR)).state).toBe('failing');
  });
});

describe('AlertGate', () => {
  const alert = (templateId: string, key: string, level: Alert['level'] = 'warning'): Alert => ({
    key,
    kind: 'renewal-failed',
    templateId,
    level,
    title: key,
    body: key,
  });

  it('shows the same news once', () => {
    const gate = new AlertGate();
    expect(gate.admit([alert('a', 'k1')], at(0))).toHaveLength(1);
    expect(gate.admit([alert('a', 'k1')], at(2 * HOUR))).toHaveLength(0);
  });

  it('keeps one template to one notification an hour unless it is an error', () => {
    const gate = new AlertGate();
    gate.admit([alert('a', 'k1')], at(0));
    expect(gate.admit([alert('a', 'k2')], at(10 * 60_000))).toHaveLength(0);
    expect(gate.admit([alert('a', 'k3', 'error')], at(11 * 60_000))).toHaveLength(1);
    expect(gate.admit([alert('a', 'k4')], at(2 * HOUR))).toHaveLength(1);
  });

  it('folds a burst of failures into one summary instead of flooding the desktop', () => {
    const gate = new AlertGate();
    const many = Array.from({ length: 12 }, (_, i) => alert(`t${i}`, `k${i}`));
    const shown = gate.admit(many, at(0));
    expect(shown).toHaveLength(6);
    expect(shown.at(-1)?.title).toBe('7 more certificate(s) need attention');
  });
});
