// Workspace trust in a real VS Code: with trust enabled and the folder not trusted (Restricted
// Mode), Visualize Graph refuses to run the script: no runner child starts, no graph view opens.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { EXTENSIONS_DIR, startCodeServer, type CodeServer } from './harness/code-server';
import { launchBrowser, notification, openFile, openWorkbench, runCommand, screenshot } from './harness/workbench';
import { makeWorkspace } from './workspace';

/** Runner children started by the extension this suite installed (never other tests' runners). */
function runnerChildren(): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args=']).toString().split('\n');
  return ps.filter((l) => l.includes(EXTENSIONS_DIR) && l.includes('child.cjs'));
}

let server: CodeServer;
let browser: Browser;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  // No --disable-workspace-trust; the quiet settings turn off the startup prompt, so the
  // folder opens untrusted.
  server = await startCodeServer({ workspace: ws.dir, disableWorkspaceTrust: false });
  browser = await launchBrowser();
  page = await openWorkbench(browser, server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  ws.remove();
});

test('an untrusted workspace refuses to run scripts', async () => {
  await openFile(page, 'linear.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const text = await notification(page, 'needs a trusted workspace', 30_000);
  await screenshot(page, 'trust-refused');
  expect(text).toContain('Manage Workspace Trust');
  expect(runnerChildren()).toEqual([]);
  expect(await page.locator('.tab', { hasText: 'Gradlens Graph' }).count()).toBe(0);
});
