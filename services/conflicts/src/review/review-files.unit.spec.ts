import { cacheControlOf, contentTypeOf, reviewFile } from './review-files';

describe('the files of the review page a URL names', () => {
  it('serves index.html at /review and /review/, with or without a query', () => {
    expect(reviewFile('/review')).toBe('index.html');
    expect(reviewFile('/review/')).toBe('index.html');
    expect(reviewFile('/review/?app=main')).toBe('index.html');
    expect(reviewFile('/review#/queue')).toBe('index.html');
  });

  it('maps paths under /review/ to files of the page', () => {
    expect(reviewFile('/review/assets/index-Ab12.js')).toBe('assets/index-Ab12.js');
    expect(reviewFile('/review/assets/a%20b.css?v=1')).toBe('assets/a b.css');
  });

  it('names nothing outside the page', () => {
    for (const url of ['/', '/reviewer', '/review.html', '/api/main/_conflicts', '/reviewassets/x.js']) expect(reviewFile(url)).toBeNull();
  });

  it('refuses every way out of its folder', () => {
    for (const url of [
      '/review/../package.json',
      '/review/assets/../../package.json',
      '/review/%2e%2e/package.json',
      '/review/assets/%2E%2E/%2E%2E/package.json',
      '/review/..%2fpackage.json',
      '/review/..%5cpackage.json',
      '/review/assets%2f..%2f..%2fpackage.json',
      '/review//etc/passwd',
      '/review/%00index.html',
      '/review/%E0%A4%A',
      '/review/./index.html',
      '/review/assets/',
    ]) {
      expect({ url, file: reviewFile(url) }).toEqual({ url, file: null });
    }
  });

  it('gives each kind of file its content type, and hashed assets a long cache', () => {
    expect(contentTypeOf('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('assets/index-Ab12.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('assets/index-Ab12.CSS')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('favicon.svg')).toBe('image/svg+xml');
    expect(contentTypeOf('blob.bin')).toBe('application/octet-stream');
    expect(cacheControlOf('assets/index-Ab12.js')).toContain('immutable');
    expect(cacheControlOf('index.html')).toBe('no-cache');
  });
});
