// Interactive messages the business sends (reply buttons, lists, a link
// button) and Meta's limits on them, checked here as the user types so the
// builder can count down and say what is wrong; the server checks the same
// rules again (switchboard.InteractiveSend.Validate) before anything goes
// to WhatsApp. The numbers are Meta's; docs/whatsapp.md names the sources.

import type { InteractiveSend } from '../api/types';

export const limits = {
  header: 60,
  footer: 60,
  body: 1024,
  listBody: 4096,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listButton: 20,
  sections: 10,
  rows: 10,
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  displayText: 20,
  url: 2000,
} as const;

export type Kind = InteractiveSend['kind'];

/** chars counts characters as WhatsApp does (code points, not UTF-16 units). */
export function chars(s: string): number {
  return Array.from(s).length;
}

/** Problem names what is wrong, as an i18n key with values. */
export interface Problem {
  key:
    | 'ia.p.body'
    | 'ia.p.tooLong'
    | 'ia.p.buttons'
    | 'ia.p.buttonEmpty'
    | 'ia.p.duplicate'
    | 'ia.p.listButton'
    | 'ia.p.sections'
    | 'ia.p.rows'
    | 'ia.p.rowEmpty'
    | 'ia.p.sectionTitle'
    | 'ia.p.link'
    | 'ia.p.https';
  vars?: Record<string, string | number>;
}

/** bodyLimit is the body's limit for the kind. */
export function bodyLimit(kind: Kind): number {
  return kind === 'list' ? limits.listBody : limits.body;
}

function over(field: string, v: string, max: number): Problem | null {
  return chars(v.trim()) > max ? { key: 'ia.p.tooLong', vars: { field, max } } : null;
}

/** httpsURL reports whether s is an absolute https URL with a host and no user information. */
export function httpsURL(s: string): boolean {
  try {
    const u = new URL(s.trim());
    return u.protocol === 'https:' && u.hostname !== '' && u.username === '' && u.password === '' && !/\s/.test(s.trim());
  } catch {
    return false;
  }
}

/** problems lists what keeps the message from being sent, in form order; empty means it can go. */
export function problems(m: InteractiveSend): Problem[] {
  const out: Problem[] = [];
  const push = (p: Problem | null) => {
    if (p) out.push(p);
  };
  push(over('header', m.header ?? '', limits.header));
  if (!m.body.trim()) out.push({ key: 'ia.p.body' });
  push(over('body', m.body, bodyLimit(m.kind)));
  push(over('footer', m.footer ?? '', limits.footer));
  if (m.kind === 'button') {
    const bs = m.buttons ?? [];
    if (bs.length < 1 || bs.length > limits.buttons) out.push({ key: 'ia.p.buttons', vars: { max: limits.buttons } });
    const titles = new Set<string>();
    const ids = new Set<string>();
    bs.forEach((b, i) => {
      if (!b.title.trim() || !b.id.trim()) out.push({ key: 'ia.p.buttonEmpty', vars: { n: i + 1 } });
      push(over('buttonTitle', b.title, limits.buttonTitle));
      push(over('buttonId', b.id, limits.buttonId));
      if (b.title.trim() && titles.has(b.title.trim())) out.push({ key: 'ia.p.duplicate', vars: { value: b.title.trim() } });
      if (b.id.trim() && ids.has(b.id.trim())) out.push({ key: 'ia.p.duplicate', vars: { value: b.id.trim() } });
      titles.add(b.title.trim());
      ids.add(b.id.trim());
    });
  } else if (m.kind === 'list') {
    if (!(m.list_button ?? '').trim()) out.push({ key: 'ia.p.listButton' });
    push(over('listButton', m.list_button ?? '', limits.listButton));
    const ss = m.sections ?? [];
    if (ss.length < 1 || ss.length > limits.sections) out.push({ key: 'ia.p.sections', vars: { max: limits.sections } });
    let rows = 0;
    const ids = new Set<string>();
    ss.forEach((s, i) => {
      if (ss.length > 1 && !(s.title ?? '').trim()) out.push({ key: 'ia.p.sectionTitle', vars: { n: i + 1 } });
      push(over('sectionTitle', s.title ?? '', limits.sectionTitle));
      rows += s.rows.length;
      if (s.rows.length === 0) out.push({ key: 'ia.p.rows', vars: { max: limits.rows } });
      s.rows.forEach((r) => {
        if (!r.title.trim() || !r.id.trim()) out.push({ key: 'ia.p.rowEmpty' });
        push(over('rowTitle', r.title, limits.rowTitle));
        push(over('rowDescription', r.description ?? '', limits.rowDescription));
        push(over('rowId', r.id, limits.rowId));
        if (r.id.trim() && ids.has(r.id.trim())) out.push({ key: 'ia.p.duplicate', vars: { value: r.id.trim() } });
        ids.add(r.id.trim());
      });
    });
    if (rows > limits.rows) out.push({ key: 'ia.p.rows', vars: { max: limits.rows } });
  } else {
    if (!(m.display_text ?? '').trim() || !(m.url ?? '').trim()) out.push({ key: 'ia.p.link' });
    push(over('displayText', m.display_text ?? '', limits.displayText));
    if ((m.url ?? '').trim() && !httpsURL(m.url ?? '')) out.push({ key: 'ia.p.https' });
  }
  return out;
}

/** clean drops the fields the kind does not use and empty optional texts, as the closed API schema wants. */
export function clean(m: InteractiveSend): InteractiveSend {
  const out: InteractiveSend = { kind: m.kind, body: m.body.trim() };
  if (m.header?.trim()) out.header = m.header.trim();
  if (m.footer?.trim()) out.footer = m.footer.trim();
  if (m.kind === 'button') out.buttons = (m.buttons ?? []).map((b) => ({ id: b.id.trim(), title: b.title.trim() }));
  if (m.kind === 'list') {
    out.list_button = (m.list_button ?? '').trim();
    out.sections = (m.sections ?? []).map((s) => ({
      ...(s.title?.trim() ? { title: s.title.trim() } : {}),
      rows: s.rows.map((r) => ({ id: r.id.trim(), title: r.title.trim(), ...(r.description?.trim() ? { description: r.description.trim() } : {}) })),
    }));
  }
  if (m.kind === 'cta_url') {
    out.display_text = (m.display_text ?? '').trim();
    out.url = (m.url ?? '').trim();
  }
  return out;
}

/** slug makes a reply id from a title ("Tomorrow 9:00" -> "tomorrow-9-00"), unique among taken. */
export function slug(title: string, taken: Set<string>): string {
  const base =
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'option';
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}
