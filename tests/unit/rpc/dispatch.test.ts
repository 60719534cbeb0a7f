import { describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS, INVOKE_METHODS, type InvokeMethod } from '../../../shared/channels.ts';
import type { CoreHandlers } from '../../../shared/contract.ts';
import { CertdeskError } from '../../../electron/core/errors.ts';
import { createLogger, memorySink } from '../../../electron/core/log.ts';
import { createDispatcher } from '../../../electron/rpc/dispatch.ts';

function spyHandlers() {
  const handlers = Object.fromEntries(
    INVOKE_METHODS.map((m) => [m, vi.fn(async () => ({ from: m }))]),
  );
  return handlers as unknown as CoreHandlers & Record<InvokeMethod, ReturnType<typeof vi.fn>>;
}

const validTemplate = { commonName: 'example.com', altNames: [], keyType: 'ecdsa-p256' };

/** A valid request for each method, so each bad variant below differs in one way only. */
const VALID: Record<InvokeMethod, unknown> = {
  getAppInfo: undefined,
  dismissNotice: { id: 'n1' },
  getSettings: {},
  saveSettings: { ca: { preset: 'letsencrypt' }, resolver: { kind: 'system' } },
  listTemplates: undefined,
  createTemplate: validTemplate,
  deleteTemplate: { id: '0b6c1f9e-8a7d-4f3e-9c2b-1a2b3c4d5e6f' },
  retryTemplate: { id: '0b6c1f9e-8a7d-4f3e-9c2b-1a2b3c4d5e6f' },
  checkTemplateNow: { id: '0b6c1f9e-8a7d-4f3e-9c2b-1a2b3c4d5e6f' },
  getTemplateDetails: { id: '0b6c1f9e-8a7d-4f3e-9c2b-1a2b3c4d5e6f' },
  exportCsv: { mode: 'spreadsheet' },
  getZoneLines: {},
  openExternal: { url: 'https://letsencrypt.org/docs/' },
  listSites: undefined,
  saveSite: { name: 'Shop', hosts: ['shop.example.com'], folder: '/srv/certs/shop' },
  deleteSite: { id: '0b6c1f9e-8a7d-4f3e-9c2b-1a2b3c4d5e6f' },
  linkTemplateToSite: {
    siteId: '0b6c1f9e-8a7d-4f3e-9c2b-1a2b3c4d5e6f',
    templateId: '1b6c1f9e-8a7d-4f3e-9c2b-1a2b3c4d5e6f',
  },
  deploySiteNow: { id: '0b6c1f9e-8a7d-4f3e-9c2b-1a2b3c4d5e6f' },
};

const HUGE = 'x'.repeat(1024 * 1024);

/** Payloads no channel may accept. */
const BAD_FOR_EVERY_METHOD: unknown[] = [
  'a string',
  42,
  [],
  { unexpected: true },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  new Date(),
];

describe('createDispatcher()', () => {
  it.each(INVOKE_METHODS)('passes a valid %s request to its handler', async (method) => {
    const handlers = spyHandlers();
    const dispatch = createDispatcher(handlers, createLogger([]));
    const result = await dispatch(INVOKE_CHANNELS[method], VALID[method]);
    expect(result).toEqual({ ok: true, value: { from: method } });
    expect(handlers[method]).toHaveBeenCalledTimes(1);
  });

  it.each(INVOKE_METHODS)(
    'refuses malformed %s payloads before any core code runs',
    async (method) => {
      const handlers = spyHandlers();
      const dispatch = createDispatcher(handlers, createLogger([]));
      for (const payload of BAD_FOR_EVERY_METHOD) {
        const result = await dispatch(INVOKE_CHANNELS[method], payload);
        expect(result, `${method} accepted ${JSON.stringify(payload)}`).toMatchObject({
          ok: false,
          error: { code: 'invalid-input' },
        });
      }
      expect(handlers[method]).not.toHaveBeenCalled();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it.each([
    ['createTemplate', { ...validTemplate, commonName: HUGE }],
    ['createTemplate', { ...validTemplate, extra: 1 }],
    ['createTemplate', { ...validTemplate, altNames: 'example.org' }],
    ['createTemplate', { ...validTemplate, keyType: 'rsa-1024' }],
    ['deleteTemplate', { id: '../../etc/passwd' }],
    ['deleteTemplate', { id: 7 }],
    ['exportCsv', { mode: 'formulas' }],
    ['exportCsv', { mode: 'raw', templateIds: ['UPPER'] }],
    [
      'saveSettings',
      { ca: { preset: 'letsencrypt' }, resolver: { kind: 'custom', host: 'x', port: 70000 } },
    ],
    ['saveSettings', { ca: { preset: 'evil-ca' }, resolver: { kind: 'system' } }],
    ['openExternal', { url: HUGE }],
    ['saveSite', { name: 'Shop', hosts: ['shop.example.com'], folder: 'relative/path' }],
    ['saveSite', { name: 'Shop', hosts: [], folder: '/srv/x' }],
    [
      'saveSite',
      { name: 'Shop', hosts: ['a.example.com'], folder: '/srv/x', postDeploy: 'nginx -s reload' },
    ],
  ] as [InvokeMethod, unknown][])('refuses bad %s request #%#', async (method, payload) => {
    const handlers = spyHandlers();
    const result = await createDispatcher(handlers, createLogger([]))(
      INVOKE_CHANNELS[method],
      payload,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(handlers[method]).not.toHaveBeenCalled();
  });

  it('names the field and the rule when a template is refused', async () => {
    const handlers = spyHandlers();
    const result = await createDispatcher(handlers, createLogger([]))(
      INVOKE_CHANNELS.createTemplate,
      {
        ...validTemplate,
        commonName: 'a.*.example.com',
        altNames: ['ok.example.com', '127.0.0.1'],
      },
    );
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'invalid-input',
        issues: [
          { field: 'commonName', message: expect.stringMatching(/leftmost/) },
          { field: 'altNames.1', message: expect.stringMatching(/IP address/) },
        ],
      },
    });
  });

  it('hands the core normalized names', async () => {
    const handlers = spyHandlers();
    await createDispatcher(handlers, createLogger([]))(INVOKE_CHANNELS.createTemplate, {
      ...validTemplate,
      commonName: 'Bücher.Example.',
    });
    expect(handlers.createTemplate).toHaveBeenCalledWith(
      expect.objectContaining({ commonName: 'xn--bcher-kva.example' }),
    );
  });

  it('refuses unknown channels', async () => {
    const handlers = spyHandlers();
    const result = await createDispatcher(handlers, createLogger([]))(
      'certdesk:read-private-key',
      {},
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
  });

  it('answers a CertdeskError with its code and sentence', async () => {
    const handlers = spyHandlers();
    handlers.deleteTemplate.mockRejectedValueOnce(
      new CertdeskError({
        code: 'keychain-locked',
        message: 'The OS keychain is locked.',
        name: 'example.com',
      }),
    );
    const result = await createDispatcher(handlers, createLogger([]))(
      INVOKE_CHANNELS.deleteTemplate,
      VALID.deleteTemplate,
    );
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'keychain-locked',
        message: 'The OS keychain is locked.',
        name: 'example.com',
      },
    });
  });

  it('hides the text of unexpected errors from the renderer but logs it', async () => {
    const canary = 'CANARY-tsig-secret-8f3a';
    const handlers = spyHandlers();
    handlers.listTemplates.mockRejectedValueOnce(
      Object.assign(new Error(`boom ${canary}`), { config: { headers: { 'X-Api-Key': canary } } }),
    );
    const lines: string[] = [];
    const result = await createDispatcher(handlers, createLogger([memorySink(lines)]))(
      INVOKE_CHANNELS.listTemplates,
      undefined,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain(canary);
    expect(Object.keys((result as { error: object }).error).sort()).toEqual(['code', 'message']);
    expect(lines.join('\n')).toContain('request failed unexpectedly');
  });
});
