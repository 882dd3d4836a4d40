import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { clockPast, eventually, freePort, launchChromium, screenshotPath, startTakes, type TakesProcesses } from '@takes/testing';

// The example field app's whole loop in Debian's Chromium, against the services as
// processes: two devices (two browser contexts, each with its own IndexedDB) edit one
// inspection with the network cut, come back online, see the merge, and a reviewer picks
// a take on the review page; the devices then show the pick.

describe('the field app (examples/field-app) in two browser contexts', () => {
  let takes: TakesProcesses;
  let app: ChildProcess;
  let appUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    takes = await startTakes('field_app_e2e');
    const port = await freePort();
    app = spawn(process.execPath, [path.join(__dirname, 'serve.mjs')], {
      env: { ...process.env, TAKES_URL: takes.baseUrl, TAKES_EXAMPLE_PORT: String(port), TAKES_REVIEW_URL: `${takes.conflictsUrl}/review/` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      app.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('field app at')) resolve();
      });
      app.once('exit', (code) => reject(new Error(`serve.mjs exited (${code}): ${out}`)));
    });
    appUrl = `http://127.0.0.1:${port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    app?.kill('SIGTERM');
    await takes?.close();
  });

  // Runs in the page (no DOM types here: this file is compiled for Node).
  const pending = (page: Page, n: number) =>
    page.waitForFunction((count) => (globalThis as unknown as { document: { getElementById(id: string): { dataset: Record<string, string> } | null } }).document.getElementById('status')?.dataset.pending === String(count), n);
  const statusText = (page: Page, text: string) => page.locator('#status', { hasText: text }).waitFor();
  /** Waits for the inspection list to show a row; when it does not, the error says what the device shows instead. */
  async function listed(page: Page, row: string, device: string): Promise<void> {
    try {
      await page.getByRole('button', { name: row }).waitFor();
    } catch (error) {
      const shows = await Promise.all(['#status', '#list', '#version'].map((selector) => page.locator(selector).textContent().catch(() => null)));
      await page.screenshot({ path: await screenshotPath(`field-app-${device}-failed.png`) });
      throw new Error(`${device} never listed "${row}"; it shows status "${shows[0]}", list "${shows[1]}", "${shows[2]}": ${(error as Error).message}`);
    }
  }

  async function device(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(appUrl);
    await page.getByLabel('Password').fill('changeme');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'New inspection' }).waitFor();
    return { context, page };
  }

  async function setField(page: Page, label: string, value: string): Promise<void> {
    const input = page.getByRole(label === 'Pressure (bar)' ? 'spinbutton' : 'textbox', { name: label });
    await input.fill(value);
    await input.press('Tab');
  }

  it('edit offline on two devices, come back online, see the merge, pick a take on the review page', async () => {
    const tablet = await device();
    const laptop = await device();

    await tablet.page.getByRole('button', { name: 'New inspection' }).click();
    await setField(tablet.page, 'Site', 'north compressor');
    await setField(tablet.page, 'Pressure (bar)', '41.5');
    await pending(tablet.page, 0);
    await tablet.page.locator('#version', { hasText: '· 0 pending' }).waitFor();
    const id = (await takes.api('GET', '/api/main/inspection', { token: await takes.login() })).body.data[0].id as string;

    await laptop.page.getByRole('button', { name: 'Sync now' }).click();
    await laptop.page.getByRole('button', { name: /north compressor · 41.5/ }).click();

    const before = await takes.recordEventCount();
    await tablet.context.setOffline(true);
    await laptop.context.setOffline(true);
    await statusText(tablet.page, 'offline');
    await statusText(laptop.page, 'offline');
    await setField(tablet.page, 'Pressure (bar)', '40');
    await clockPast(Date.now());
    await setField(laptop.page, 'Pressure (bar)', '39');
    await setField(laptop.page, 'Site', 'north compressor, bay 2');
    await laptop.page.getByRole('button', { name: 'Undo' }).click();
    await eventually(async () => expect(await laptop.page.getByRole('textbox', { name: 'Site' }).inputValue()).toBe('north compressor'));
    await setField(laptop.page, 'Site', 'north compressor, bay 2');
    await pending(tablet.page, 1);
    await pending(laptop.page, 2);
    expect(await takes.recordEventCount()).toBe(before);

    await tablet.context.setOffline(false);
    await pending(tablet.page, 0);
    await laptop.context.setOffline(false);
    await pending(laptop.page, 0);
    // The laptop's pressure was set on the same version as the tablet's: merged, pressure contested, the later edit shown.
    await laptop.page.locator('#contested', { hasText: 'pressure' }).waitFor();
    await tablet.page.getByRole('button', { name: 'Sync now' }).click();
    for (const [device, { page }] of [['tablet', tablet], ['laptop', laptop]] as const) {
      await listed(page, 'north compressor, bay 2 · 39 · draft', device);
      expect(await page.getByRole('spinbutton', { name: 'Pressure (bar)' }).inputValue()).toBe('39');
    }
    await laptop.page.screenshot({ path: await screenshotPath('field-app-merged.png') });

    // The reviewer opens the record from the app's link and picks the tablet's 40.
    const reviewUrl = await tablet.page.getByRole('link', { name: 'Open in the review page' }).getAttribute('href');
    expect(reviewUrl).toBe(`${takes.conflictsUrl}/review/#/record/inspection/${id}`);
    const review = await tablet.context.newPage();
    await review.goto(reviewUrl!);
    await review.getByLabel('App').fill('main');
    await review.getByLabel('Email').fill('admin@localhost');
    await review.getByLabel('Password').fill('changeme');
    await review.getByRole('button', { name: 'Log in' }).click();
    const forty = review.locator('button.take[data-field="/pressure"]', { has: review.locator('.take-value', { hasText: /^(✓ )?40$/ }) });
    await forty.click();
    await review.locator('#status', { hasText: 'Picked 40 for pressure' }).waitFor();
    await review.screenshot({ path: await screenshotPath('field-app-review.png') });

    for (const [device, { page }] of [['tablet', tablet], ['laptop', laptop]] as const) {
      await page.getByRole('button', { name: 'Sync now' }).click();
      await listed(page, 'north compressor, bay 2 · 40 · draft', device);
    }
    const server = (await takes.api('GET', `/api/main/inspection/${id}`, { token: await takes.login() })).body.data;
    expect(server).toMatchObject({ site: 'north compressor, bay 2', pressure: 40 });
    // The tablet's pressure, the laptop's two edits (merged), the pick: nothing lost, nothing twice, the undone edit never sent.
    expect(await takes.recordEventCount()).toBe(before + 4);
  });
});
