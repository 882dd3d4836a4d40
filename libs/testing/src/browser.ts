import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';
import { projectRoot } from './project-root';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). Never a browser Playwright downloads. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, without a sandbox (CI runs as root), the GPU or background requests to Google. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Starts Debian's Chromium under playwright-core for a browser test; close it in afterAll. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (.ci/run installs it when missing)`);
  return chromium.launch({ ...options, executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
}

/** Where a test saves a screenshot: artifacts/screenshots/<name> (gitignored), the folder made if missing. */
export async function screenshotPath(name: string): Promise<string> {
  const dir = path.join(projectRoot, 'artifacts', 'screenshots');
  await mkdir(dir, { recursive: true });
  return path.join(dir, name);
}
