import { describe, expect, it } from 'vitest';
import { expiryFrom } from '../src/ui/Tokens';

describe('expiryFrom', () => {
  it('adds whole days to now', () => {
    const now = Date.UTC(2026, 0, 31, 12, 0, 0);
    expect(expiryFrom(30, now)).toBe('2026-03-02T12:00:00.000Z');
  });
  it('sends null for a token that never expires', () => {
    expect(expiryFrom(0)).toBeNull();
  });
});
