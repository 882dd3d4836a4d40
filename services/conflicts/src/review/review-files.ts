import path from 'node:path';

/** Where the review page is served. */
export const REVIEW_PATH = '/review';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file of the built page a request URL names, relative to the page's folder:
 * `index.html` for `/review` and `/review/`, else the path after `/review/`. Null for a
 * URL outside the page or one that tries to leave its folder (`..`, an encoded slash or
 * backslash, a NUL, a malformed escape), so nothing outside it is ever read.
 */
export function reviewFile(url: string): string | null {
  const pathname = url.split(/[?#]/, 1)[0];
  if (pathname === REVIEW_PATH || pathname === `${REVIEW_PATH}/`) return 'index.html';
  if (!pathname.startsWith(`${REVIEW_PATH}/`)) return null;
  const segments = pathname.slice(REVIEW_PATH.length + 1).split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) return null;
    decoded.push(name);
  }
  return decoded.join('/');
}

/** The content type of a file of the page, by its extension. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Vite names built assets by their content hash: they never change, so browsers may keep them. */
export function cacheControlOf(file: string): string {
  return file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}
