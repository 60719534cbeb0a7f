import { describe, expect, it } from 'vitest';
import type { TemplateView } from '../../../shared/types.ts';
import type { Alert, TraySummary } from '../../../electron/core/notify/alerts.ts';
import { createNotifier } from '../../../electron/core/notify/notifier.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-01T00:00:00Z');

function issued(
  serial: string,
  notBefore: number,
  lifetime: number,
  extra: Partial<TemplateView> = {},
): TemplateView {
  return {
    id: 't1',
    commonName: 'shop.example.com',
    altNames: [],
    keyType: 'ecdsa-p256',
    createdAt: new Date(T0).toISOString(),
    status: 'issued',
    challengeRecords: [],
    latestCertificate: {
      id: serial,
      issuedAt: new Date(notBefore).toISOString(),
      commonName: 'shop.example.com',
      altNames: [],
      issuer: 'Test CA',
      serial,
      notBefore: new Date(notBefore).toISOString(),
      notAfter: new Date(notBefore + lifetime).toISOString(),
      fingerprintSha256: serial,
      keyType: 'ecdsa-p256',
    },
    ...extra,
  };
}

function setup(initial: TemplateView[]) {
  let now = T0;
  const alerts: Alert[][] = [];
  const trays: TraySummary[] = [];
  const notifier = createNotifier({ list: () => initial, now: () => new Date(now) });
  notifier.onAlerts((a) => alerts.push(a));
  notifier.onTray((t) => trays.push(t));
  return { notifier, alerts, trays, advance: (ms: number) => (now += ms) };
}

describe('createNotifier()', () => {
  it('announces a renewal with the new certificate', () => {
    const { notifier, alerts } = setup([issued('S1', T0, 90 * DAY)]);
    notifier.handle({ name: 'templateChanged', payload: issued('S2', T0 + 60 * DAY, 90 * DAY) });
    expect(alerts.flat()).toEqual([
      expect.objectContaining({
        kind: 'renewed',
        level: 'info',
        title: 'shop.example.com renewed',
      }),
    ]);
  });

  it('announces a failed renewal once, with the reason and the next attempt, and turns the tray', () => {
    const { notifier, alerts, trays } = setup([issued('S1', T0, 90 * DAY)]);
    const failure = {
      code: 'dns-tsig-badsig',
      message: 'The DNS server refused our signature.',
      at: new Date(T0).toISOString(),
      nextAttemptAt: new Date(T0 + HOUR).toISOString(),
    };
    notifier.handle({ name: 'templateChanged', payload: issued('S1', T0, 90 * DAY, { failure }) });
    notifier.handle({ name: 'templateChanged', payload: issued('S1', T0, 90 * DAY, { failure }) });
    expect(alerts.flat()).toHaveLength(1);
    expect(alerts[0]?.[0]?.body).toMatch(
      /refused our signature.*Next attempt: 2026-12-01 01:00 UTC/,
    );
    expect(trays.at(-1)?.state).toBe('attention');
  });

  it('warns a 6-day certificate hours before expiry when no renewal happened', () => {
    const { notifier, alerts, advance } = setup([issued('S1', T0, 6 * DAY)]);
    advance(3 * DAY);
    notifier.tick();
    expect(alerts).toEqual([]);
    advance(2 * DAY + 3 * HOUR);
    notifier.tick();
    expect(alerts.flat()[0]).toMatchObject({ kind: 'expiring', level: 'warning' });
    expect(alerts.flat()[0]?.body).toMatch(/hour\(s\) left/);
  });

  it('forgets deleted templates', () => {
    const { notifier } = setup([
      issued('S1', T0, 6 * DAY, { status: 'failed', failure: { code: 'x', message: 'x', at: '' } }),
    ]);
    expect(notifier.tray().state).toBe('failing');
    notifier.handle({ name: 'templateRemoved', payload: { id: 't1' } });
    expect(notifier.tray().state).toBe('ok');
  });
});

describe('challenge record changes', () => {
  it('warns once when a challenge record of an issued template stops resolving, and marks the tray', () => {
    const { notifier, alerts } = setup([issued('S1', T0, 90 * DAY)]);
    const warning =
      'Create _acme-challenge.shop.example.com CNAME k1.validation.example. at your DNS provider.';
    notifier.handle({
      name: 'templateChanged',
      payload: issued('S1', T0, 90 * DAY, { cnameWarning: warning }),
    });
    notifier.handle({
      name: 'templateChanged',
      payload: issued('S1', T0, 90 * DAY, { cnameWarning: warning }),
    });
    expect(alerts.flat()).toEqual([
      expect.objectContaining({ kind: 'cname-changed', level: 'warning' }),
    ]);
    expect(alerts.flat()[0]?.body).toMatch(/next renewal will fail/);
    expect(notifier.tray().items[0]?.label).toBe('shop.example.com: challenge record changed');
  });
});
