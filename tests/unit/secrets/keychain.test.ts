/**
 * The keychain door's own rules, with a stand-in for keytar's native calls (the real keychain
 * is exercised by the integration tests): every call is bounded in time, a locked or missing
 * keychain is an error and never "no secret", and Windows' entry size is known.
 */
import { describe, expect, it } from 'vitest';
import {
  createKeytarStore,
  WINDOWS_MAX_SECRET_BYTES,
  type KeytarLike,
} from '../../../electron/core/secrets/keychain.ts';

function keytar(overrides: Partial<KeytarLike>): KeytarLike {
  const never = () => new Promise<never>(() => undefined);
  return {
    getPassword: never,
    setPassword: never,
    deletePassword: never,
    findCredentials: never,
    ...overrides,
  };
}

describe('createKeytarStore()', () => {
  it('gives up on a keychain that never answers (an unseen unlock prompt) with keychain-timeout', async () => {
    const store = createKeytarStore({ service: 's', keytar: keytar({}), timeoutMs: 50 });
    await expect(store.get('a')).rejects.toMatchObject({
      code: 'keychain-timeout',
      retryable: true,
    });
    await expect(store.set('a', 'secret')).rejects.toMatchObject({
      code: 'keychain-timeout',
      message: expect.stringMatching(/unlock/),
    });
  });

  it('reports a locked collection as keychain-locked, not as a missing secret', async () => {
    const store = createKeytarStore({
      service: 's',
      keytar: keytar({
        getPassword: async () =>
          Promise.reject(new Error('Cannot create an item in a locked collection')),
      }),
    });
    await expect(store.get('a')).rejects.toMatchObject({ code: 'keychain-locked' });
  });

  it('reports a missing Secret Service as keychain-unavailable, without echoing the secret', async () => {
    const secret = 'CANARY-very-secret-value';
    const store = createKeytarStore({
      service: 's',
      keytar: keytar({
        setPassword: async () =>
          Promise.reject(
            new Error('The name org.freedesktop.secrets was not provided by any .service files'),
          ),
      }),
    });
    const error = (await store.set('a', secret).then(
      () => new Error('stored'),
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ code: 'keychain-unavailable' });
    expect(
      JSON.stringify({ message: error.message, detail: (error as { detail?: string }).detail }),
    ).not.toContain(secret);
  });

  it('reads a missing entry as null and lists entries by prefix', async () => {
    const store = createKeytarStore({
      service: 's',
      keytar: keytar({
        getPassword: async () => null,
        findCredentials: async () => [
          { account: 'template:1:key', password: 'x' },
          { account: 'settings:tsig', password: 'y' },
        ],
      }),
    });
    expect(await store.get('nothing')).toBeNull();
    expect(await store.list('template:')).toEqual(['template:1:key']);
  });

  it('knows that a Windows Credential Manager entry holds 2,560 bytes', () => {
    expect(
      createKeytarStore({ service: 's', keytar: keytar({}), platform: 'win32' }).maxSecretBytes,
    ).toBe(WINDOWS_MAX_SECRET_BYTES);
    expect(
      createKeytarStore({ service: 's', keytar: keytar({}), platform: 'linux' }).maxSecretBytes,
    ).toBeGreaterThan(1_000_000);
  });
});
