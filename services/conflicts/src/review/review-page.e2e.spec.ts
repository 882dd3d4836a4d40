import { copyFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, launchChromium, projectRoot, screenshotPath, startTakes, type TakesProcesses } from '@takes/testing';

// What the page.evaluate callbacks read in the browser (this project has Node's types, not the DOM's).
interface PageElement {
  getAttribute(name: string): string | null;
  matches(selector: string): boolean;
}
declare const document: { activeElement: PageElement | null };
declare const sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
declare function getComputedStyle(element: PageElement): { outlineStyle: string };

/**
 * The review page in Debian's Chromium, against every service as a process: the page is
 * served by the conflicts service and calls the gateway on its own port (CORS). The
 * reviewer is not an admin: they may read and update inspections only.
 */
const REVIEWER = { email: 'reviewer@localhost', password: 'review-the-takes' };

const inspection = {
  name: 'inspection',
  table: 'inspections',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'site', type: 'string', required: true },
    { name: 'pressure', type: 'decimal', precision: 2, nullable: true },
    { name: 'notes', type: 'string', nullable: true },
    { name: 'status', type: 'string', enum: ['draft', 'done'], default: 'draft' },
  ],
};
// The reviewer has no permission on audits: their contested records never show.
const audit = { name: 'audit', table: 'audits', fields: [{ name: 'id', type: 'uuid' }, { name: 'pressure', type: 'decimal', precision: 2, nullable: true }] };

interface Take {
  event_id: string;
  value: unknown;
  current: boolean;
  contested: boolean;
  picked: boolean;
  device: string | null;
  user: { id: string };
}

describe('the review page (Chromium, every service as a process)', () => {
  let takes: TakesProcesses;
  let admin: string;
  let reviewer: string;
  let browser: Browser;
  let context: BrowserContext;
  /** Errors the page threw and requests that failed during a test: none is expected. */
  let failures: string[];

  beforeAll(async () => {
    takes = await startTakes('review_page_e2e', { TAKES_RATE_LIMIT: '100000' });
    admin = await takes.login();
    for (const entity of [inspection, audit]) expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: entity })).status).toBe(201);
    expect((await takes.api('POST', '/api/main/_admin/users', { token: admin, body: { ...REVIEWER, roles: ['reviewer'] } })).status).toBe(201);
    for (const action of ['read', 'update']) {
      expect((await takes.api('POST', '/api/main/_admin/permissions', { token: admin, body: { entity: 'inspection', action, roles: ['reviewer'] } })).status).toBe(201);
    }
    reviewer = await takes.login('main', REVIEWER.email, REVIEWER.password);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await takes?.close();
  });
  beforeEach(async () => {
    failures = [];
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  });
  afterEach(async () => {
    await context.close();
    expect(failures).toEqual([]);
  });

  /** A write as a device sends it: If-Match names the version it had. */
  async function write(method: string, path: string, body: object, device: string, ifMatch?: number) {
    const headers: Record<string, string> = { 'X-Takes-Device': device, ...(ifMatch ? { 'If-Match': `"${ifMatch}"` } : {}) };
    const answer = await takes.api(method, path, { token: admin, body, headers });
    expect(answer.status).toBeLessThan(300);
    return answer.body;
  }

  /**
   * The README's first session: a record at version 2, then an offline edit made on
   * version 1 from another device, so pressure (changed on both sides) is contested and
   * the later submit (39) holds. More devices add contests of notes. In the queue once
   * the reviewer's queue lists it.
   */
  async function contestedRecord(entity = 'inspection', extraDevices = false): Promise<string> {
    const { data } = await write('POST', `/api/main/${entity}`, entity === 'inspection' ? { site: 'north compressor', pressure: 41.5 } : { pressure: 41.5 }, 'office-pc');
    const id = data.id as string;
    await write('PUT', `/api/main/${entity}/${id}`, { pressure: 40, ...(extraDevices ? { notes: 'valve A replaced' } : {}) }, 'tablet-1', 1);
    const merged = await write('PUT', `/api/main/${entity}/${id}`, { pressure: 39, ...(extraDevices ? { notes: 'valve A checked', site: 'north compressor, bay 2' } : {}) }, 'tablet-7', 1);
    expect(merged.meta).toMatchObject({ outcome: 'merged', version: 3 });
    if (extraDevices) await write('PUT', `/api/main/${entity}/${id}`, { notes: 'valve A leaking' }, 'laptop-3', 1);
    if (entity === 'inspection') {
      await eventually(async () => {
        const queue = await takes.api('GET', '/api/main/_conflicts?entity=inspection&per_page=100', { token: reviewer });
        expect(queue.body.data.map((item: { id: string }) => item.id)).toContain(id);
      });
    }
    return id;
  }

  async function pressureTakes(id: string): Promise<Take[]> {
    const history = await takes.api('GET', `/api/main/inspection/${id}/history`, { token: reviewer });
    return history.body.data.find((field: { field: string }) => field.field === '/pressure').takes;
  }

  async function pressure(id: string): Promise<unknown> {
    return (await takes.api('GET', `/api/main/inspection/${id}`, { token: reviewer })).body.data.pressure;
  }

  async function openPage(): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('requestfailed', (failed) => failures.push(`${failed.url()} ${failed.failure()?.errorText}`));
    await page.goto(`${takes.conflictsUrl}/review/`);
    return page;
  }

  const status = (page: Page, text: string) => page.locator('#status', { hasText: text }).waitFor();
  const takeOf = (page: Page, field: string, value: string) => page.locator(`button.take[data-field="${field}"]`, { has: page.locator('.take-value', { hasText: new RegExp(`^(✓ )?${value}$`) }) });
  const focused = (page: Page) => page.evaluate(() => ({ label: document.activeElement?.getAttribute('aria-label') ?? '', outline: getComputedStyle(document.activeElement!).outlineStyle }));

  /** Presses Tab until the focused element matches the selector (keyboard only). */
  async function tabTo(page: Page, selector: string, most = 40): Promise<void> {
    for (let i = 0; i < most; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`${most} presses of Tab never reached ${selector}`);
  }

  it('is served at /review and /review/ with its assets and the gateway URL, and nothing outside its folder', async () => {
    for (const url of ['/review', '/review/']) {
      const page = await fetch(`${takes.conflictsUrl}${url}`);
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      const html = await page.text();
      const script = /<script type="module" crossorigin src="([^"]+)"/.exec(html)![1];
      const asset = await fetch(`${takes.conflictsUrl}${script}`);
      expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    }
    expect(await (await fetch(`${takes.conflictsUrl}/review/config.json`)).json()).toEqual({ api_url: takes.baseUrl });
    // Raw paths, as a hostile client sends them (fetch would resolve the dots itself).
    for (const raw of ['/review/../package.json', '/review/%2e%2e/package.json', '/review/assets/..%2f..%2f..%2fpackage.json', '/review/..%5c..%5cpackage.json', '/review/missing.js']) {
      const answer = await rawGet(takes.conflicts.httpPort, raw);
      expect({ raw, status: answer.status, code: JSON.parse(answer.body).error.code }).toEqual({ raw, status: 404, code: 'NOT_FOUND' });
    }
  });

  it('a reviewer logs in, opens a contested record from the queue, sees both takes of pressure and picks one with the mouse', async () => {
    const id = await contestedRecord('inspection', true);
    const hidden = await contestedRecord('audit');
    const page = await openPage();
    await page.getByLabel('App').fill('main');
    await page.getByLabel('Email').fill(REVIEWER.email);
    await page.getByLabel('Password').fill(REVIEWER.password);
    await page.getByRole('button', { name: 'Log in' }).click();

    // The queue's filters: only laptop-3 took part in this record's contests (as the client names it; the queue lists hashes).
    await page.getByLabel('Device').fill('laptop-3');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('1 contested record', { exact: true }).waitFor();
    expect(page.url()).toContain('#/queue?device=laptop-3');
    await page.getByRole('link', { name: `Open inspection ${id}` }).click();
    // Both contested takes of pressure, each labelled with its user and device; the later submit (39) is current.
    const before = await pressureTakes(id);
    for (const value of ['40', '39']) {
      const take = before.find((t) => String(t.value) === value)!;
      const block = takeOf(page, '/pressure', value);
      await block.waitFor();
      expect(await block.locator('.take-source').textContent()).toBe(`${take.device!.slice(0, 8)} · …${take.user.id.slice(-6)}`);
      expect(await block.getAttribute('class')).toContain('contested');
    }
    expect(await page.locator('button.take[data-field="/pressure"][aria-current="true"] .take-value').textContent()).toBe('39');
    expect(await page.locator('.track-row.contested .field-name').allTextContents()).toEqual(['notes', 'pressure']);
    // The graph: one lane per device (the create's, tablet-1, tablet-7, laptop-3), one node per event, the contested ones red.
    expect(await page.locator('svg.graph .lane').count()).toBe(4);
    expect(await page.locator('svg.graph circle.node').count()).toBe(4);
    expect(await page.locator('svg.graph circle.node.contested').count()).toBe(2);
    expect(await page.locator('svg.graph path.edge.base').count()).toBe(2);
    // Hovering a take shows its event and rings its node in the graph.
    await takeOf(page, '/pressure', '39').hover();
    await page.locator('svg.graph circle.node.selected').waitFor();
    expect(await page.locator('.details-grid dl').last().textContent()).toContain('v3 merged (applied on v2, branched from v1)');
    await page.locator('.takes-box').screenshot({ path: await screenshotPath('review-track.png') });
    await page.locator('.graph-box').screenshot({ path: await screenshotPath('review-graph.png') });
    await page.screenshot({ path: await screenshotPath('review-page.png'), fullPage: true });
    // TAKES_REVIEW_SCREENSHOT=1 (npm run review:screenshot) refreshes the README's picture from this run.
    if (process.env.TAKES_REVIEW_SCREENSHOT === '1') await copyFile(await screenshotPath('review-page.png'), path.join(projectRoot, 'docs/review-page.png'));

    await takeOf(page, '/pressure', '40').click();
    await status(page, 'Picked 40 for pressure');
    expect(await pressure(id)).toBe(40);
    const after = await pressureTakes(id);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({ value: 40, current: true, picked: true });
    // The page shows the pick: 40 is the current value, the new take a reviewer's pick.
    await page.locator('button.take.current.picked[data-field="/pressure"]', { hasText: '40' }).waitFor();
    await page.locator('svg.graph circle.node.resolved').waitFor();

    // Permissions apply through the gateway: the audit the reviewer may not read is not in their queue.
    await page.getByRole('link', { name: 'Back to the queue' }).click();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    expect(await page.getByRole('link', { name: `Open audit ${hidden}` }).count()).toBe(0);
    expect((await takes.api('GET', '/api/main/_conflicts?entity=audit', { token: admin })).body.data.map((item: { id: string }) => item.id)).toContain(hidden);
  });

  it('the same with the keyboard alone: log in, open the record, move between takes with the arrows, Enter picks, u undoes', async () => {
    const id = await contestedRecord();
    const page = await openPage();
    // The login form puts the focus on the email (the app is filled in); nothing is clicked from here on.
    await page.locator('#login-email:focus').waitFor();
    await page.keyboard.type(REVIEWER.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(REVIEWER.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    await tabTo(page, `a[aria-label="Open inspection ${id}"]`);
    await page.keyboard.press('Enter');
    await page.locator('button.take[data-field="/pressure"]').first().waitFor();

    // One tab stop for the track: it lands on the current take of the first contested field.
    await tabTo(page, 'button.take');
    expect(await focused(page)).toMatchObject({ label: expect.stringMatching(/^pressure: 39, .*on d:[0-9a-f]{16}, .*current value, contested/), outline: 'solid' });
    await page.keyboard.press('ArrowLeft');
    expect((await focused(page)).label).toMatch(/^pressure: 40, /);
    await page.keyboard.press('ArrowLeft');
    expect((await focused(page)).label).toMatch(/^pressure: 41.5, /);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await status(page, 'Picked 40 for pressure');
    expect(await pressure(id)).toBe(40);
    expect((await pressureTakes(id)).at(-1)).toMatchObject({ value: 40, current: true, picked: true });
    // Focus stays on the take just picked, so the reviewer can go on from there.
    expect((await focused(page)).label).toMatch(/^pressure: 40, .*version 2 updated/);

    await page.keyboard.press('u');
    await status(page, 'Undid the pick of pressure: back to 39');
    expect(await pressure(id)).toBe(39);
    expect((await pressureTakes(id)).at(-1)).toMatchObject({ value: 39, current: true, picked: true });
    // ↑ and ↓ move to the nearest take in time of the field above or below.
    expect((await focused(page)).label).toMatch(/^pressure: 40, .*version 2 updated/);
    await page.keyboard.press('ArrowDown');
    expect((await focused(page)).label).toMatch(/^site: north compressor, /);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect((await focused(page)).label).toMatch(/^id: /);
  });

  it('undoes a pick with the Undo button: the value that was current before is picked back', async () => {
    const id = await contestedRecord();
    const page = await openPage();
    await page.getByLabel('Email').fill(REVIEWER.email);
    await page.getByLabel('Password').fill(REVIEWER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: `Open inspection ${id}` }).click();
    const undo = page.getByRole('button', { name: 'Undo last pick (u)' });
    await takeOf(page, '/pressure', '41.5').waitFor();
    expect(await undo.isDisabled()).toBe(true);

    await takeOf(page, '/pressure', '41.5').click();
    await status(page, 'Picked 41.5 for pressure');
    expect(await pressure(id)).toBe(41.5);
    expect(await undo.isEnabled()).toBe(true);

    await undo.click();
    await status(page, 'Undid the pick of pressure: back to 39');
    expect(await pressure(id)).toBe(39);
    const history = await pressureTakes(id);
    expect(history.filter((take) => take.picked).map((take) => take.value)).toEqual([41.5, 39]);
    expect(history.find((take) => take.current)).toMatchObject({ value: 39, picked: true });
    await page.locator('button.take.current.picked[data-field="/pressure"]', { hasText: '39' }).waitFor();
    expect(await undo.isDisabled()).toBe(true);
  });

  it('refreshes a refused access token with the refresh token, and goes back to the login when that fails too', async () => {
    const page = await openPage();
    await page.getByLabel('Email').fill(REVIEWER.email);
    await page.getByLabel('Password').fill(REVIEWER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    const session = () => page.evaluate(() => JSON.parse(sessionStorage.getItem('takes-review-session')!) as { accessToken: string; refreshToken: string });
    const first = await session();
    await page.evaluate(() => {
      const kept = JSON.parse(sessionStorage.getItem('takes-review-session')!);
      sessionStorage.setItem('takes-review-session', JSON.stringify({ ...kept, accessToken: 'not-a-token' }));
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    const refreshed = await session();
    expect(refreshed.accessToken).not.toBe('not-a-token');
    expect(refreshed.refreshToken).not.toBe(first.refreshToken);
    // Both refused: the reviewer logs in again.
    await page.evaluate(() => sessionStorage.setItem('takes-review-session', JSON.stringify({ app: 'main', accessToken: 'x', refreshToken: 'y' })));
    await page.reload();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
  });
});

function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
