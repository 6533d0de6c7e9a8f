import type { MediaLimit } from '../api/types';

/** MediaLimit is one row of the server's table (GET /api/v1/media/limits): a kind, its MIME types and size limit. */
export type { MediaLimit };

/** The kinds of attachment WhatsApp accepts, as the send endpoint names them. */
export type AttachmentKind = MediaLimit['kind'];

export type FileCheck =
  | { ok: true; kind: AttachmentKind; mime: string }
  | { ok: false; reason: 'type'; mime: string }
  | { ok: false; reason: 'empty' | 'too_large'; kind: AttachmentKind; maxBytes: number; mime: string };

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
  txt: 'text/plain',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** mimeOf returns a file's MIME type, guessing from the extension when the browser gives none. */
export function mimeOf(name: string, type: string): string {
  const t = type.split(';')[0]?.trim().toLowerCase() ?? '';
  if (t) return t;
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return extTypes[ext] ?? 'application/octet-stream';
}

/**
 * checkFile decides how a file is sent and whether the server (and
 * WhatsApp) would take it, by the server's own table: the first kind that
 * lists the file's type, within its size limit. A type no kind lists is
 * refused when picked, not after Send.
 */
export function checkFile(name: string, type: string, size: number, limits: MediaLimit[]): FileCheck {
  const mime = mimeOf(name, type);
  const rule = limits.find((r) => r.mime_types.includes(mime));
  if (!rule) return { ok: false, reason: 'type', mime };
  if (size <= 0) return { ok: false, reason: 'empty', kind: rule.kind, maxBytes: rule.max_bytes, mime };
  if (size > rule.max_bytes) return { ok: false, reason: 'too_large', kind: rule.kind, maxBytes: rule.max_bytes, mime };
  return { ok: true, kind: rule.kind, mime };
}

/** acceptAttribute is the file picker's accept attribute for a table: its MIME types. */
export function acceptAttribute(limits: MediaLimit[]): string {
  return [...new Set(limits.flatMap((l) => l.mime_types))].join(',');
}
