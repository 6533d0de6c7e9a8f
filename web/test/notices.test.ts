import { describe, expect, it } from 'vitest';
import { expireNotices, maxNotices, nextExpiry, noticeLifetime, pushNotice, resumeNotices, wantMessageNotice, type Notice } from '../src/lib/notices';

describe('notices', () => {
  it('group by conversation: a newer notice replaces the older one, counts it and moves to the end', () => {
    let list: Notice[] = [];
    list = pushNotice(list, { text: 'Greta: hallo', group: 'conv:a' }, 1, 0);
    list = pushNotice(list, { text: 'Bernd: tag', group: 'conv:b' }, 2, 0);
    list = pushNotice(list, { text: 'Greta: noch da?', group: 'conv:a' }, 3, 100);
    expect(list.map((x) => [x.text, x.count])).toEqual([
      ['Bernd: tag', 1],
      ['Greta: noch da?', 2],
    ]);
    expect(list[1]?.deadline).toBe(100 + noticeLifetime('info'));
  });

  it('keeps at most a few notices, the newest', () => {
    let list: Notice[] = [];
    for (let i = 0; i < 10; i++) list = pushNotice(list, { text: `n${i}` }, i, 0);
    expect(list.length).toBe(maxNotices);
    expect(list[list.length - 1]?.text).toBe('n9');
  });

  it('expire at their deadline, errors later, and a pause pushes every deadline back', () => {
    let list: Notice[] = [];
    list = pushNotice(list, { text: 'ok' }, 1, 0);
    list = pushNotice(list, { text: 'bad', tone: 'error' }, 2, 0);
    expect(nextExpiry(list)).toBe(noticeLifetime('info'));
    expect(expireNotices(list, noticeLifetime('info') - 1)).toBe(list);
    expect(expireNotices(list, noticeLifetime('info')).map((x) => x.text)).toEqual(['bad']);
    const resumed = resumeNotices(list, 60_000);
    expect(expireNotices(resumed, noticeLifetime('error') + 1).length).toBe(2);
    expect(nextExpiry([])).toBe(0);
  });

  it('follow the per-user setting: all, mine, none', () => {
    expect(wantMessageNotice('all', false)).toBe(true);
    expect(wantMessageNotice('mine', false)).toBe(false);
    expect(wantMessageNotice('mine', true)).toBe(true);
    expect(wantMessageNotice('none', true)).toBe(false);
  });
});
