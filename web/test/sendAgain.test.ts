import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client';
import type { Message } from '../src/api/types';
import { isUnassigned } from '../src/lib/assignees';
import { canSendAgain, refusedCode, refusedForGood } from '../src/lib/sendAgain';

const failed = (over: Partial<Message>): Message =>
  ({ id: 'm1', conversation_id: 'c1', direction: 'out', type: 'text', content: { text: 'hi' }, status: 'failed', timestamp: '', ...over }) as Message;
const codes = [0, 131000, 130429];

describe('canSendAgain', () => {
  it('offers a retry only after failures a retry can mend', () => {
    expect(canSendAgain(failed({ error: { code: 131000, title: 'Something went wrong' } }), codes)).toBe(true);
    expect(canSendAgain(failed({ error: { code: 0, title: 'Gave up after repeated temporary failures' } }), codes)).toBe(true);
    expect(canSendAgain(failed({ error: { code: 131026, title: 'Message undeliverable' } }), codes)).toBe(false);
    expect(canSendAgain(failed({ error: { code: 132001, title: 'Template name does not exist' } }), codes)).toBe(false);
    expect(canSendAgain(failed({ type: 'image', error: { code: 131000, title: 'x' } }), codes)).toBe(false);
    expect(canSendAgain(failed({ status: 'sent' }), codes)).toBe(false);
  });
  it('offers a text refused for the closed window again once the window is open', () => {
    const closed = failed({ error: { code: 131047, title: 'Re-engagement message' } });
    expect(canSendAgain(closed, codes, false)).toBe(false);
    expect(canSendAgain(closed, null, false)).toBe(false);
    expect(canSendAgain(closed, codes, true)).toBe(true);
    expect(canSendAgain(failed({ type: 'template', error: { code: 131047, title: 'x' } }), codes, true)).toBe(false);
  });
  it('does not offer a retry for a local send the server refused for good', () => {
    expect(canSendAgain(failed({ id: 'local-1', type: 'document', error: { code: refusedCode, title: 'refused' } }), codes)).toBe(false);
    expect(canSendAgain(failed({ id: 'local-1', type: 'document', error: { code: 0, title: 'network' } }), codes)).toBe(true);
  });
  it('tells a refusal from a failure worth retrying', () => {
    expect(refusedForGood(new ApiError(415, 'invalid', 'type'))).toBe(true);
    expect(refusedForGood(new ApiError(413, 'too_large', 'size'))).toBe(true);
    expect(refusedForGood(new ApiError(429, 'rate_limited', 'later'))).toBe(false);
    expect(refusedForGood(new ApiError(503, 'unavailable', ''))).toBe(false);
    expect(refusedForGood(new ApiError(0, 'network', ''))).toBe(false);
  });
});

describe('isUnassigned', () => {
  it('counts only active assignees', () => {
    expect(isUnassigned({ assignees: [] })).toBe(true);
    expect(isUnassigned({ assignees: [{ id: 'u1', name: 'Gero', deactivated: true }] })).toBe(true);
    expect(isUnassigned({ assignees: [{ id: 'u1', name: 'Gero', deactivated: true }, { id: 'u2', name: 'Emil' }] })).toBe(false);
  });
});
