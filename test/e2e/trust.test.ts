// Workspace trust in a real VS Code: with trust enabled and the folder not trusted (Restricted
// Mode), Visualize Graph refuses to run the script: no runner child starts, no graph view opens.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { EXTENSIONS_DIR } from './harness/code-server';
import {
  closeSession,
  notification,
  openFile,
  openSession,
  runCommand,
  screenshot,
  type Session,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

/** Runner children started by the extension this suite installed (never other tests' runners). */
function runnerChildren(): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args=']).toString().split('\n');
  return ps.filter((l) => l.includes(EXTENSIONS_DIR) && l.includes('child.cjs'));
}

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  // No --disable-workspace-trust; the quiet settings turn off the startup prompt, so the
  // folder opens untrusted.
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: false });
  page = session.page;
});

afterAll(async () => {
  await closeSession(session);
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
