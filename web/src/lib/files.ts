/** The kinds of attachment WhatsApp accepts, as the send endpoint names them. */
export type AttachmentKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

export interface FileRule {
  kind: AttachmentKind;
  /** MIME types; empty means any. */
  types: string[];
  maxBytes: number;
}

const MB = 1024 * 1024;

/** WhatsApp Cloud API media limits. Order matters: the first rule whose type matches wins. */
export const fileRules: FileRule[] = [
  { kind: 'sticker', types: ['image/webp'], maxBytes: 100 * 1024 },
  { kind: 'image', types: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  { kind: 'video', types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
  {
    kind: 'audio',
    types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
    maxBytes: 16 * MB,
  },
  { kind: 'document', types: [], maxBytes: 100 * MB },
];

/** accept is the file picker's accept attribute: everything, since any file can go as a document. */
export const acceptAttribute = '*/*';

export type FileCheck =
  | { ok: true; kind: AttachmentKind }
  | { ok: false; reason: 'empty' | 'too_large'; kind: AttachmentKind; maxBytes: number };

const extTypes: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  aac: 'audio/aac',
  amr: 'audio/amr',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
};

/** mimeOf returns a file's MIME type, guessing from the extension when the browser gives none. */
export function mimeOf(name: string, type: string): string {
  const t = type.split(';')[0]?.trim().toLowerCase() ?? '';
  if (t) return t;
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return extTypes[ext] ?? 'application/octet-stream';
}

/**
 * checkFile decides how a file is sent and whether WhatsApp would take it.
 * A file of a type WhatsApp does not take as media (a GIF, a PDF) goes as a
 * document; media over their limit are refused rather than silently sent as
 * documents, so the person decides.
 */
export function checkFile(name: string, type: string, size: number): FileCheck {
  const mime = mimeOf(name, type);
  const rule = fileRules.find((r) => r.types.length === 0 || r.types.includes(mime)) as FileRule;
  if (size <= 0) return { ok: false, reason: 'empty', kind: rule.kind, maxBytes: rule.maxBytes };
  if (size > rule.maxBytes) return { ok: false, reason: 'too_large', kind: rule.kind, maxBytes: rule.maxBytes };
  return { ok: true, kind: rule.kind };
}
