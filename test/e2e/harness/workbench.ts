// Drives the VS Code workbench in Debian's Chromium through playwright-core.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { ROOT, startCodeServer, type CodeServer, type StartOptions } from './code-server';

export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** What every e2e file opens: a code-server on one workspace, a browser, the workbench page. */
export interface Session {
  readonly server: CodeServer;
  readonly browser: Browser;
  readonly page: Page;
}

export async function openSession(opts: StartOptions): Promise<Session> {
  const server = await startCodeServer(opts);
  const browser = await launchBrowser();
  return { server, browser, page: await openWorkbench(browser, server) };
}

export async function closeSession(session: Session | undefined): Promise<void> {
  await session?.browser.close();
  await session?.server.stop();
}

/** The extension's own account of its runs (its Output channel): how long each script took, and when the view painted. */
export function runLog(session: Session | undefined): string[] {
  return (session?.server.exthostLog() ?? '')
    .split('\n')
    .filter((l) => /\[gradlens\] (finished|failed|stopped by the user|graph painted)/.test(l));
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.GRADLENS_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function openWorkbench(browser: Browser, server: CodeServer): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // The explorer appears once the folder is open; extensions activate around then.
  await page.waitForSelector('.explorer-folders-view, .explorer-viewlet', { timeout: 60_000 });
  return page;
}

/** The extension's contributions register a few seconds after the workbench shows; a palette opened earlier would not list them. */
export async function waitForActivation(page: Page): Promise<void> {
  await page
    .locator('.activitybar [aria-label^="Gradlens Training"]')
    .first()
    .waitFor({ state: 'attached', timeout: 60_000 });
}

/** Puts the cursor on `line` of the active editor (Go to Line) and toggles a breakpoint there. */
export async function toggleBreakpointAt(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await runCommand(page, 'Debug: Toggle Breakpoint');
}

/** Runs a command by its palette title (F1: Ctrl+Shift+P does not open it in headless Chromium). */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  const deadline = Date.now() + timeoutMs;
  // Right after a (re)load the palette can open before extensions have registered their
  // commands, and it does not refresh its list: close it and ask again until the row shows.
  // The palette can also close again under load before it is filled: retry that too.
  for (;;) {
    const attempt = Math.max(1, Math.min(5_000, deadline - Date.now()));
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: attempt });
      await input.fill(`>${title}`, { timeout: attempt });
      await row.waitFor({ state: 'visible', timeout: attempt });
      break;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
    }
  }
  await page.keyboard.press('Enter');
}

/** The names of the graph view's drawn nodes. */
export async function nodeNames(frame: Frame): Promise<string[]> {
  await frame.waitForSelector('g.gl-node', { state: 'attached', timeout: 10_000 });
  return frame.$$eval('g.gl-node', (gs) => gs.map((g) => g.getAttribute('data-name') ?? ''));
}

/** Quick Open puts files in the focused group: this keeps them out of the graph view's group. */
export async function openInFirstGroup(page: Page, file: string): Promise<void> {
  await runCommand(page, 'View: Focus First Editor Group');
  await openFile(page, file);
}

/** Screen position of the character at `column` (0-based) of the editor line showing `lineText`. */
export async function charCenter(
  page: Page,
  lineText: string,
  column: number,
): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([t, c]) => {
      const line = [...document.querySelectorAll('.monaco-editor .view-line')].find((l) =>
        l.textContent.replace(/\u00a0/g, ' ').startsWith(t),
      );
      if (line === undefined) throw new Error(`no editor line starts with ${t}`);
      // Walk the line's text nodes to the column: tokenization splits a line into any number of spans.
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      let left = c;
      for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
        const len = n.textContent?.length ?? 0;
        if (left < len) {
          const range = document.createRange();
          range.setStart(n, left);
          range.setEnd(n, left + 1);
          const r = range.getBoundingClientRect();
          return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
        }
        left -= len;
      }
      throw new Error(`column ${c} is past the end of ${t}`);
    },
    [lineText, column] as const,
  );
}

/** Opens a workspace file through Quick Open. */
export async function openFile(page: Page, name: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
  // F1 pressed while a webview has the focus can be lost (its page was just rebuilt): ask again.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill(name);
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      break;
    } catch (e) {
      if (attempt === 4) throw e;
    }
  }
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[aria-label*="${name}"]`).first().waitFor({ timeout: 15_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** A webview's page lives in nested iframes; returns the frame that holds `selector`. */
export async function webviewFrame(
  page: Page,
  selector: string,
  timeoutMs = 60_000,
): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      try {
        if (await f.$(selector)) return f;
      } catch {
        /* frame navigated away */
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview frame holds ${selector}`);
}

/**
 * Opens `file` in the first editor group, runs Visualize Graph on it and waits for the graph
 * whose title holds `title` (default: its first backward()).
 */
export async function visualizeFile(
  page: Page,
  file: string,
  title = `${file}: backward() #1`,
  timeoutMs = 120_000,
): Promise<Frame> {
  await runCommand(page, 'View: Focus First Editor Group');
  await openFile(page, file);
  await runCommand(page, 'Gradlens: Visualize Graph');
  return shownGraph(page, title, timeoutMs);
}

/**
 * Waits for the graph view to show a painted graph whose title contains `title`; by default
 * one a command asked for (it carries a command-to-paint time), with `restored` one the page
 * drew again after a reload or after its tab was hidden (no command, so no such time).
 * Polls every frame: the view's page is rebuilt when its tab was hidden.
 */
export async function shownGraph(
  page: Page,
  title: string,
  timeoutMs = 90_000,
  restored = false,
): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      try {
        // One evaluation, not $eval: that finds the element and reads it in two round trips,
        // and a graph arriving between them paired the last graph's painted state with the
        // new graph's title.
        const shown = await f.evaluate(
          ([t, r]) => {
            const app = document.getElementById('app');
            return (
              app !== null &&
              app.dataset.state === 'painted' &&
              (app.dataset.commandToPaintMs === undefined) === r &&
              (document.getElementById('graph-title')?.textContent ?? '').includes(t)
            );
          },
          [title, restored] as const,
        );
        if (shown) return f;
      } catch {
        /* navigating */
      }
    }
    await page.waitForTimeout(100);
  }
  await screenshot(page, `graph-timeout-${title.replace(/[^\w.-]+/g, '_')}`);
  throw new Error(`no painted graph titled "${title}" within ${timeoutMs} ms`);
}

/** Waits for a notification toast containing `text`; returns its full text. */
export async function notification(
  page: Page,
  text: string | RegExp,
  timeoutMs = 60_000,
): Promise<string> {
  const toast = page
    .locator('.notification-toast, .notifications-toasts .monaco-list-row', { hasText: text })
    .first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await toast.innerText()).trim();
}

/**
 * Saves a picture of the window to test-artifacts/ for people to look at; tests never check
 * it. Best effort: headless Chromium sometimes never delivers the frame a screenshot waits
 * for (seen right after a window reload), and that is no failure of the extension.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page
    .screenshot({ path, timeout: 10_000 })
    .catch((e: unknown) => console.warn(`screenshot ${name} skipped: ${String(e).split('\n')[0]}`));
}
