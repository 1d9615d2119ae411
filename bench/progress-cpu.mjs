// What a moving progress indicator costs the browser (measured, not asserted): the CPU
// seconds Chromium's processes use in 5 s of a page showing each kind, taken in turn round by
// round. Headless Chromium without a GPU, as the e2e's code-server windows run.
// Usage: node bench/progress-cpu.mjs [rounds, default 3]
import { chromium } from 'playwright-core';
import { treeCpu } from './process-cpu.mjs';

const bar = (rule, extra = '') =>
  `<style>#b{height:2px;overflow:hidden;position:relative;width:600px}
   #b::before{content:'';position:absolute;inset:0 auto 0 0;width:30%;background:#0af;${rule}}
   ${extra}</style><div id="b"></div><p>Running x.ts…</p>`;
const sweep = (prop) =>
  prop === 'left'
    ? '@keyframes k{from{left:-30%}to{left:100%}}'
    : '@keyframes k{from{transform:translateX(-100%)}to{transform:translateX(333%)}}';
const PAGES = {
  'still bar (the view now)': bar('width:100%'),
  "bar moving 'left' (the view before)": bar('animation:k 1.5s linear infinite', sweep('left')),
  "bar moving 'transform'": bar('animation:k 1.5s linear infinite', sweep('transform')),
  "bar moving 'transform' in 10 steps": bar(
    'animation:k 1.5s steps(10) infinite',
    sweep('transform'),
  ),
  "VS Code's notification progress bar":
    '<style>.c{height:2px;width:600px;overflow:hidden;position:relative}.b{position:absolute;width:2%;height:100%;background:#0af;animation:p 4s linear infinite}@keyframes p{from{transform:translateX(0%) scaleX(1)}50%{transform:translateX(2500%) scaleX(3)}to{transform:translateX(4900%) scaleX(1)}}</style><div class="c"><div class="b"></div></div>',
  'spinning status bar icon (codicon ~spin)':
    '<style>i{display:inline-block;width:16px;height:16px;background:#0af;animation:s 1.5s steps(30) infinite}@keyframes s{to{transform:rotate(360deg)}}</style><i></i>',
};

const rounds = Number(process.argv[2] ?? 3);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
const used = Object.fromEntries(Object.keys(PAGES).map((k) => [k, []]));
await page.setContent('<p>warming up</p>');
await page.waitForTimeout(2000);
for (let r = 0; r < rounds; r++) {
  for (const [name, html] of Object.entries(PAGES)) {
    await page.setContent(html);
    await page.waitForTimeout(500);
    const before = treeCpu(process.pid);
    await page.waitForTimeout(5000);
    used[name].push(treeCpu(process.pid) - before);
  }
}
await browser.close();
console.log('Chromium CPU s in 5 s of a page showing (each round):');
for (const [name, s] of Object.entries(used))
  console.log(`  ${name.padEnd(42)} ${s.map((x) => x.toFixed(2)).join(', ')}`);
