import { describe, expect, it } from 'vitest';
import { base64urlFromBuffer, bufferFromBase64url, credentialJSON, creationOptions, requestOptions } from '../src/lib/webauthn';

const bytes = (b: ArrayBuffer) => Array.from(new Uint8Array(b));

describe('base64url', () => {
  it('round-trips every byte value and length', () => {
    for (let n = 0; n < 40; n++) {
      const src = new Uint8Array(n).map((_, i) => (i * 37 + n * 11) % 256);
      const s = base64urlFromBuffer(src.buffer);
      expect(s).not.toMatch(/[+/=]/);
      expect(bytes(bufferFromBase64url(s))).toEqual(Array.from(src));
    }
  });
  it('uses the URL alphabet and accepts padding', () => {
    expect(base64urlFromBuffer(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    expect(bytes(bufferFromBase64url('-_-_'))).toEqual([0xfb, 0xff, 0xbf]);
    expect(bytes(bufferFromBase64url('AQ=='))).toEqual([1]);
    expect(bytes(bufferFromBase64url('AQ'))).toEqual([1]);
  });
  it('encodes a view of part of a buffer', () => {
    const all = new Uint8Array([9, 1, 2, 3, 9]);
    expect(base64urlFromBuffer(all.subarray(1, 4))).toBe(base64urlFromBuffer(new Uint8Array([1, 2, 3]).buffer));
  });
});

describe('options and credentials', () => {
  it('decodes the binary fields of the options', () => {
    const c = creationOptions({
      rp: { id: 'localhost', name: 'Switchboard' },
      user: { id: 'dXNlcg', name: 'ada', displayName: 'Ada' },
      challenge: 'AAEC',
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      timeout: 300000,
      excludeCredentials: [{ type: 'public-key', id: 'BQY', transports: ['internal'] }],
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      attestation: 'none',
    });
    expect(bytes(c.user.id as ArrayBuffer)).toEqual([117, 115, 101, 114]);
    expect(bytes(c.challenge as ArrayBuffer)).toEqual([0, 1, 2]);
    const ex = c.excludeCredentials?.[0];
    expect(bytes(ex?.id as ArrayBuffer)).toEqual([5, 6]);
    expect(ex?.transports).toEqual(['internal']);
    const r = requestOptions({ challenge: 'AAEC', timeout: 1, rpId: 'localhost', allowCredentials: [{ type: 'public-key', id: 'BQY' }], userVerification: 'preferred' });
    expect(r.rpId).toBe('localhost');
    expect(r.allowCredentials?.[0]?.transports).toBeUndefined();
    expect(r.allowCredentials).toHaveLength(1);
  });
  it('encodes an assertion', () => {
    const j = credentialJSON({
      id: 'BQY',
      rawId: new Uint8Array([5, 6]).buffer,
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: new Uint8Array([123, 125]).buffer,
        authenticatorData: new Uint8Array([1]).buffer,
        signature: new Uint8Array([2]).buffer,
        userHandle: null,
      },
    });
    expect(j).toEqual({
      id: 'BQY',
      rawId: 'BQY',
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: { clientDataJSON: 'e30', authenticatorData: 'AQ', signature: 'Ag' },
    });
  });
});
