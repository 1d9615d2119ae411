// The editor knows the engine's types in a user's own folder (no package.json, no
// node_modules): the extension's TypeScript server plugin resolves 'gradlens' to the
// declarations it ships, so there is no "Cannot find module" error, type errors against the
// API are reported, and hovers show the API's signatures.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  closeSession,
  openFile,
  openSession,
  runCommand,
  screenshot,
  type Session,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const SCRIPT = `import * as torch from 'gradlens';

const x = torch.tensor([1, 2, 3], { requiresGrad: true });
const y = x.mul(2).sum();
y.backward();
const count: string = x.numel();
console.log(count, x.grad);
`;

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  writeFileSync(join(ws.dir, 'typed.ts'), SCRIPT);
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true });
  page = session.page;
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

/** The Problems view's rows, once the TypeScript server has checked the file. */
async function problems(): Promise<string[]> {
  await runCommand(page, 'Problems: Focus on Problems View');
  const rows = page.locator('.markers-panel .monaco-list-row');
  // The deliberate type error shows once the server has loaded the file with the engine's types.
  await rows.filter({ hasText: 'is not assignable to type' }).first().waitFor({ timeout: 90_000 });
  return rows.allInnerTexts();
}

test("'gradlens' resolves to the engine's declarations in a folder without the package", async () => {
  await openFile(page, 'typed.ts');
  const rows = await problems();
  await screenshot(page, 'types-problems');
  expect(rows.join('\n')).toContain("Type 'number' is not assignable to type 'string'");
  expect(rows.join('\n')).not.toContain("Cannot find module 'gradlens'");

  // Hovering `numel` shows the engine's signature.
  await runCommand(page, 'View: Focus First Editor Group');
  const word = page.locator('.view-line span', { hasText: /^numel$/ }).first();
  await word.hover();
  const hover = page.locator('.monaco-hover-content', { hasText: 'numel' }).first();
  await hover.waitFor({ state: 'visible', timeout: 30_000 });
  expect(await hover.innerText()).toMatch(/numel\(\): number/);
});
