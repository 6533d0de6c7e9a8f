import { describe, expect, it } from 'vitest';
import { acceptAttribute, checkFile, mimeOf, type MediaLimit } from '../src/lib/files';

const MB = 1024 * 1024;

// What GET /api/v1/media/limits answers (internal/whatsapp/media.go).
const limits: MediaLimit[] = [
  { kind: 'image', mime_types: ['image/jpeg', 'image/png'], max_bytes: 5 * MB },
  { kind: 'video', mime_types: ['video/mp4', 'video/3gpp', 'video/3gp'], max_bytes: 16 * MB },
  { kind: 'audio', mime_types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], max_bytes: 16 * MB },
  { kind: 'document', mime_types: ['text/plain', 'application/pdf', 'application/msword'], max_bytes: 100 * MB },
  { kind: 'sticker', mime_types: ['image/webp'], max_bytes: 500 * 1024 },
];

describe('attachment checks against the server table', () => {
  it('sends JPEG and PNG as images up to their limit', () => {
    expect(checkFile('a.jpg', 'image/jpeg', 5 * MB, limits)).toEqual({ ok: true, kind: 'image', mime: 'image/jpeg' });
    expect(checkFile('a.png', 'image/png', 5 * MB + 1, limits)).toEqual({ ok: false, reason: 'too_large', kind: 'image', maxBytes: 5 * MB, mime: 'image/png' });
  });
  it('takes audio with parameters by its base type', () => {
    expect(checkFile('x.ogg', 'audio/ogg; codecs=opus', MB, limits)).toMatchObject({ ok: true, kind: 'audio' });
    expect(checkFile('x.mp3', 'audio/mpeg', 17 * MB, limits).ok).toBe(false);
  });
  it('sends WebP as a sticker', () => {
    expect(checkFile('s.webp', 'image/webp', 100 * 1024, limits)).toMatchObject({ ok: true, kind: 'sticker' });
  });
  it('refuses a type no kind lists when it is picked (issue 13: an .exe, a GIF, a ZIP)', () => {
    expect(checkFile('setup.exe', 'application/x-msdownload', MB, limits)).toEqual({ ok: false, reason: 'type', mime: 'application/x-msdownload' });
    expect(checkFile('a.gif', 'image/gif', MB, limits)).toMatchObject({ ok: false, reason: 'type' });
    expect(checkFile('x.unknown', '', MB, limits)).toMatchObject({ ok: false, reason: 'type', mime: 'application/octet-stream' });
  });
  it('sends PDFs as documents and refuses empty files', () => {
    expect(checkFile('r.pdf', 'application/pdf', 100 * MB, limits)).toMatchObject({ ok: true, kind: 'document' });
    expect(checkFile('e.txt', 'text/plain', 0, limits)).toMatchObject({ ok: false, reason: 'empty' });
  });
  it('guesses the type from the extension when the browser gives none', () => {
    expect(mimeOf('Foto.JPG', '')).toBe('image/jpeg');
    expect(mimeOf('voice.opus', '')).toBe('audio/ogg');
    expect(mimeOf('Bericht.pdf', '')).toBe('application/pdf');
    expect(mimeOf('x.unknown', '')).toBe('application/octet-stream');
  });
  it('offers the table’s types in the picker', () => {
    expect(acceptAttribute(limits).split(',')).toContain('application/pdf');
    expect(acceptAttribute(limits).split(',')).not.toContain('application/x-msdownload');
  });
});
