import type { ApiErrorBody } from './types';

/** ApiError is a failed API call: the server's code and sentence, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds to wait, from Retry-After (429), else 0. */
  readonly retryAfter: number;

  constructor(status: number, code: string, message: string, retryAfter = 0) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** setUnauthorizedHandler is told when a signed-in call answers 401 (session ended elsewhere). */
export function setUnauthorizedHandler(h: UnauthorizedHandler | null): void {
  onUnauthorized = h;
}

export interface RequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Do not report 401 to the global handler (login, setup, /me probe). */
  quiet401?: boolean;
  /** Let the request outlive the page (a draft saved as the tab closes). */
  keepalive?: boolean;
}

function parseRetryAfter(v: string | null): number {
  if (!v) return 0;
  const n = Number.parseInt(v, 10);
  if (Number.isFinite(n) && n > 0) return n;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : 0;
}

/** errorFromBody builds an ApiError from a response's status, body text and Retry-After. */
export function errorFromBody(status: number, text: string, retryAfter: string | null): ApiError {
  let code = status === 404 ? 'not_found' : 'internal';
  let message = '';
  try {
    const body = JSON.parse(text) as Partial<ApiErrorBody>;
    if (body.error && typeof body.error.code === 'string') {
      code = body.error.code;
      message = typeof body.error.message === 'string' ? body.error.message : '';
    }
  } catch {
    // Not JSON: a proxy error page or an endpoint that does not exist yet.
  }
  return new ApiError(status, code, message, parseRetryAfter(retryAfter));
}

/** request calls the JSON API with the session cookie and returns the decoded body (undefined for 204). */
export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (opts.signal) init.signal = opts.signal;
  if (opts.keepalive) init.keepalive = true;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', '');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!res.ok) {
    const err = errorFromBody(res.status, text, res.headers.get('Retry-After'));
    if (res.status === 401 && !opts.quiet401 && onUnauthorized) onUnauthorized();
    throw err;
  }
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'internal', '');
  }
}

export interface Download {
  blob: Blob;
  /** From Content-Disposition; '' when the server named no file. */
  filename: string;
}

/**
 * download GETs a file with the session cookie. Unlike a plain link, a
 * refusal (403, 404) comes back as an ApiError the caller can show, instead
 * of a failed or nonsensical download in the browser's download bar.
 */
export async function download(path: string, opts: RequestOptions = {}): Promise<Download> {
  const init: RequestInit = { method: 'GET', headers: { ...opts.headers }, credentials: 'same-origin', cache: 'no-store' };
  if (opts.signal) init.signal = opts.signal;
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', '');
  }
  if (!res.ok) {
    const err = errorFromBody(res.status, await res.text(), res.headers.get('Retry-After'));
    if (res.status === 401 && !opts.quiet401 && onUnauthorized) onUnauthorized();
    throw err;
  }
  let blob: Blob;
  try {
    blob = await res.blob();
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', '');
  }
  return { blob, filename: filenameFromDisposition(res.headers.get('Content-Disposition')) };
}

/**
 * filenameFromDisposition reads the file name of a Content-Disposition
 * header (RFC 6266): filename* (UTF-8, percent-encoded) wins over filename.
 * Directory parts are dropped, so a name can never point elsewhere.
 */
export function filenameFromDisposition(header: string | null): string {
  if (!header) return '';
  let name = '';
  const star = /filename\*\s*=\s*([^;]+)/i.exec(header);
  if (star?.[1]) {
    const v = star[1].trim().replace(/^"(.*)"$/, '$1');
    const m = /^([\w-]+)'[^']*'(.*)$/.exec(v);
    try {
      name = decodeURIComponent(m ? (m[2] ?? '') : v);
    } catch {
      name = '';
    }
  }
  if (!name) {
    const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
    name = plain ? (plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : (plain[2] ?? '')) : '';
  }
  return name.split(/[\\/]/).pop()?.trim() ?? '';
}

export interface Upload<T> {
  promise: Promise<T>;
  abort: () => void;
}

/** upload POSTs multipart form data, reporting progress from 0 to 1. fetch cannot report upload progress, XHR can. */
export function upload<T>(
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
  headers: Record<string, string> = {},
): Upload<T> {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable && ev.total > 0) onProgress(ev.loaded / ev.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
        } catch {
          reject(new ApiError(xhr.status, 'internal', ''));
        }
        return;
      }
      if (xhr.status === 401 && onUnauthorized) onUnauthorized();
      reject(errorFromBody(xhr.status, xhr.responseText, xhr.getResponseHeader('Retry-After')));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', ''));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

/** query builds "?a=b&c=d" from the non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}
