import { describe, expect, it } from 'vitest';
import { checkFile, mimeOf } from '../src/lib/files';

const MB = 1024 * 1024;

describe('attachment checks', () => {
  it('sends JPEG and PNG as images up to 5 MB', () => {
    expect(checkFile('a.jpg', 'image/jpeg', 5 * MB)).toEqual({ ok: true, kind: 'image' });
    expect(checkFile('a.png', 'image/png', 5 * MB + 1)).toEqual({ ok: false, reason: 'too_large', kind: 'image', maxBytes: 5 * MB });
  });
  it('sends MP4 and 3GPP as video up to 16 MB', () => {
    expect(checkFile('v.mp4', 'video/mp4', 16 * MB)).toEqual({ ok: true, kind: 'video' });
    expect(checkFile('v.3gp', 'video/3gpp', 16 * MB + 1).ok).toBe(false);
  });
  it('accepts the audio types up to 16 MB', () => {
    for (const t of ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg']) {
      expect(checkFile('x', t, MB)).toEqual({ ok: true, kind: 'audio' });
    }
    expect(checkFile('x.ogg', 'audio/ogg; codecs=opus', MB)).toEqual({ ok: true, kind: 'audio' });
    expect(checkFile('x.mp3', 'audio/mpeg', 17 * MB).ok).toBe(false);
  });
  it('sends WebP as a sticker up to 100 KB', () => {
    expect(checkFile('s.webp', 'image/webp', 100 * 1024)).toEqual({ ok: true, kind: 'sticker' });
    expect(checkFile('s.webp', 'image/webp', 100 * 1024 + 1)).toEqual({ ok: false, reason: 'too_large', kind: 'sticker', maxBytes: 100 * 1024 });
  });
  it('sends anything else as a document up to 100 MB', () => {
    expect(checkFile('r.pdf', 'application/pdf', 100 * MB)).toEqual({ ok: true, kind: 'document' });
    expect(checkFile('a.gif', 'image/gif', MB)).toEqual({ ok: true, kind: 'document' });
    expect(checkFile('big.zip', 'application/zip', 100 * MB + 1).ok).toBe(false);
  });
  it('refuses empty files', () => {
    expect(checkFile('e.txt', 'text/plain', 0)).toMatchObject({ ok: false, reason: 'empty' });
  });
  it('guesses the type from the extension when the browser gives none', () => {
    expect(mimeOf('Foto.JPG', '')).toBe('image/jpeg');
    expect(mimeOf('voice.opus', '')).toBe('audio/ogg');
    expect(mimeOf('x.unknown', '')).toBe('application/octet-stream');
  });
});
