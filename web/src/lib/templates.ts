import type { Template, TemplateComponent } from '../api/types';

// Template parameters are keyed the way the server expects them
// (internal/whatsapp.Placeholder): "header.<name>" and "body.<name>" for text
// placeholders ({{1}} or {{first_name}}; header and body are numbered
// independently), "header" for a media header (a media id or an https link),
// and "button.<index>.<name>" for the suffix of a URL button.

/** Placeholder is one value a template needs, in the order the server sends them. */
export interface Placeholder {
  key: string;
  component: 'header' | 'body' | 'button';
  /** "1", "first_name", or the media format ("image", "video", "document") of a media header. */
  name: string;
  /** Set for a media header. */
  media?: boolean;
  /** Button index, for button placeholders. */
  index?: number;
}

const placeholderRE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** placeholdersIn returns the distinct placeholder names of a text, in order of first appearance. */
export function placeholdersIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(placeholderRE)) {
    const key = m[1];
    if (key !== undefined && !out.includes(key)) out.push(key);
  }
  return out;
}

const is = (c: TemplateComponent, type: string) => (c.type ?? '').toUpperCase() === type;

/** templatePlaceholders lists every value a template needs: header, then body, then URL buttons. */
export function templatePlaceholders(t: Template): Placeholder[] {
  const out: Placeholder[] = [];
  const seen = new Set<string>();
  const add = (p: Placeholder) => {
    if (seen.has(p.key)) return;
    seen.add(p.key);
    out.push(p);
  };
  const comps = t.components ?? [];
  for (const c of comps.filter((c) => is(c, 'HEADER'))) {
    const f = (c.format ?? '').toUpperCase();
    if (f === 'IMAGE' || f === 'VIDEO' || f === 'DOCUMENT') {
      add({ key: 'header', component: 'header', name: f.toLowerCase(), media: true });
    } else {
      for (const name of placeholdersIn(c.text ?? '')) add({ key: `header.${name}`, component: 'header', name });
    }
  }
  for (const c of comps.filter((c) => is(c, 'BODY'))) {
    for (const name of placeholdersIn(c.text ?? '')) add({ key: `body.${name}`, component: 'body', name });
  }
  for (const c of comps.filter((c) => is(c, 'BUTTONS'))) {
    (c.buttons ?? []).forEach((b, i) => {
      if ((b.type ?? '').toUpperCase() !== 'URL') return;
      for (const name of placeholdersIn(b.url ?? '')) add({ key: `button.${i}.${name}`, component: 'button', name, index: i });
    });
  }
  return out;
}

/** fillText replaces a component's placeholders with values; missing ones stay visible as {{name}}. */
export function fillText(text: string, component: 'header' | 'body', values: Record<string, string>): string {
  return text.replace(placeholderRE, (whole, name: string) => {
    const v = values[`${component}.${name}`];
    return v !== undefined && v.trim() !== '' ? v : whole;
  });
}

/** parameterMap is the request's parameters: one trimmed entry per placeholder key. */
export function parameterMap(t: Template, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of templatePlaceholders(t)) out[p.key] = (values[p.key] ?? '').trim();
  return out;
}

/** missingParameters lists the placeholder keys without a value. */
export function missingParameters(t: Template, values: Record<string, string>): string[] {
  return templatePlaceholders(t)
    .map((p) => p.key)
    .filter((k) => !(values[k] ?? '').trim());
}

/** previewTemplate renders the header, body and footer with values filled in. */
export function previewTemplate(t: Template, values: Record<string, string>): { type: string; text: string }[] {
  const out: { type: string; text: string }[] = [];
  for (const c of t.components ?? []) {
    if (!c.text || is(c, 'BUTTONS')) continue;
    const type = (c.type ?? '').toUpperCase();
    const text = type === 'HEADER' ? fillText(c.text, 'header', values) : type === 'BODY' ? fillText(c.text, 'body', values) : c.text;
    out.push({ type, text });
  }
  return out;
}

/** buttonLabels lists the template's buttons, for the preview. */
export function buttonLabels(t: Template): string[] {
  return (t.components ?? []).filter((c) => is(c, 'BUTTONS')).flatMap((c) => (c.buttons ?? []).map((b) => b.text));
}

/** sendable reports whether a template may be sent (approved, or no status given). */
export function sendable(t: Template): boolean {
  return !t.status || t.status.toUpperCase() === 'APPROVED';
}
