// The onboarding contributions in package.json point at things that exist: the walkthrough id
// the extension opens, each step's image, every command a link or completion event names, the
// view the welcome content belongs to, the icon, and the files the .vsix must carry.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { WALKTHROUGH_ID } from '../../src/extension/onboarding/first-run';
const START_VIEW_ID = 'gradlens.start';

/** The parts of package.json these tests read. */
interface Manifest {
  publisher: string;
  name: string;
  icon: string;
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
    walkthroughs: {
      id: string;
      steps: {
        id: string;
        description: string;
        media: { image: string };
        completionEvents: string[];
      }[];
    }[];
  };
}

const ROOT = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const contributes = pkg.contributes;
const commands = new Set(contributes.commands.map((c) => c.command));
const views = Object.values(contributes.views).flat();
// Commands VS Code generates for every view.
for (const v of views) commands.add(`${v.id}.focus`);

const commandLinks = (markdown: string): string[] =>
  [...markdown.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]);

test('the walkthrough id the extension opens is the contributed one', () => {
  expect(WALKTHROUGH_ID).toBe(`${pkg.publisher}.${pkg.name}#${contributes.walkthroughs[0].id}`);
});

test('every walkthrough step has an image that exists, links to known commands and completes on something real', () => {
  const steps = contributes.walkthroughs[0].steps;
  expect(steps.map((s) => s.id)).toEqual([
    'openExample',
    'visualize',
    'clickNode',
    'runBackward',
    'monitor',
    'debug',
  ]);
  for (const s of steps) {
    expect(existsSync(join(ROOT, s.media.image)), s.media.image).toBe(true);
    expect(s.media.image).toMatch(/^media\/walkthrough\/.+\.(png|svg)$/);
    for (const c of commandLinks(s.description))
      expect(commands, `${s.id} links ${c}`).toContain(c);
    expect(s.completionEvents.length, s.id).toBeGreaterThan(0);
    for (const e of s.completionEvents) {
      const [kind, arg] = e.split(':');
      if (kind === 'onCommand') expect(commands, `${s.id}: ${e}`).toContain(arg);
      else if (kind === 'onView')
        expect(
          views.map((v) => v.id),
          `${s.id}: ${e}`,
        ).toContain(arg);
      else expect(e).toBe('onStepSelected');
    }
  }
});

test('the Get Started view is in the Gradlens side bar and its welcome content has both buttons and the walkthrough', () => {
  expect(contributes.views['gradlens-training'].map((v) => v.id)).toContain(START_VIEW_ID);
  const welcome = contributes.viewsWelcome.find((w) => w.view === START_VIEW_ID)!;
  // A link alone on its line is drawn as a button.
  const lines = welcome.contents.split('\n');
  expect(lines).toContain('[Visualize current file](command:gradlens.visualize)');
  expect(lines).toContain('[Open Examples](command:gradlens.openExamples)');
  expect(commandLinks(welcome.contents)).toContain('gradlens.openWalkthrough');
  for (const c of commandLinks(welcome.contents)) expect(commands).toContain(c);
});

test('the icon is a 128x128 PNG', () => {
  const png = readFileSync(join(ROOT, pkg.icon));
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
});

test('the .vsix carries the examples and the Marketplace README, not the developer one', () => {
  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  expect(ignore).toContain('!examples/*.ts');
  expect(ignore).toContain('!examples/python/*.py');
  expect(ignore).toContain('!examples/python/*.ipynb');
  expect(ignore).not.toContain('!README.md');
  expect(readFileSync(join(ROOT, 'scripts/package-vsce.mjs'), 'utf8')).toMatch(
    /'--readme-path',\s*'MARKETPLACE\.md'/,
  );
  expect(existsSync(join(ROOT, 'MARKETPLACE.md'))).toBe(true);
});

test('every image the Marketplace README shows exists and is a PNG', () => {
  const md = readFileSync(join(ROOT, 'MARKETPLACE.md'), 'utf8');
  const images = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  expect(images.length).toBeGreaterThanOrEqual(3);
  for (const i of images) {
    expect(i).toMatch(/\.png$/);
    expect(existsSync(join(ROOT, i)), i).toBe(true);
  }
});
