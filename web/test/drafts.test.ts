import { describe, expect, it } from 'vitest';
import { drafts } from '../src/lib/drafts';

describe('drafts', () => {
  it('are kept per user and conversation', () => {
    drafts.set('u1', 'a', 'für A');
    drafts.set('u1', 'b', 'für B');
    expect(drafts.get('u1', 'a')).toBe('für A');
    expect(drafts.get('u1', 'b')).toBe('für B');
    expect(drafts.get('u2', 'a')).toBe('');
    drafts.set('u1', 'a', '');
    expect(drafts.get('u1', 'a')).toBe('');
  });

  it('restore puts an unsent reply back ahead of newer text, once', () => {
    drafts.restore('u1', 'c', 'Antwort');
    expect(drafts.get('u1', 'c')).toBe('Antwort');
    drafts.restore('u1', 'c', 'Antwort');
    expect(drafts.get('u1', 'c')).toBe('Antwort');
    drafts.set('u1', 'd', 'neu');
    drafts.restore('u1', 'd', 'alt');
    expect(drafts.get('u1', 'd')).toBe('alt\nneu');
  });
});
