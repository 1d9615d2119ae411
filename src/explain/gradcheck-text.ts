// A gradient check's result in words, as the graph view's details and the CLI's HTML page show
// it: per checked node a verdict with its largest errors, then one line per element.
import type { GradcheckNode } from '../protocol/gradcheck';
import { decodeNum } from '../protocol/messages';

/** Seven significant digits: float64 differences show where they part. */
export function digits(x: number): string {
  return String(Number(x.toPrecision(7)));
}

/** `agrees: max abs error …, max rel error …` (and how many elements were left unchecked). */
export function checkVerdict(c: GradcheckNode): string {
  return `${c.agree ? 'agrees' : 'DISAGREES'}: max abs error ${digits(decodeNum(c.maxAbsError))}, max rel error ${digits(decodeNum(c.maxRelError))}${c.skipped > 0 ? ` (${String(c.skipped)} elements unchecked)` : ''}`;
}

/** `a: analytic -384, numeric -384`, with a mark where they disagree. */
export function checkElementLine(e: GradcheckNode['elements'][number]): string {
  return `${e.label}: analytic ${digits(decodeNum(e.analytic))}, numeric ${digits(decodeNum(e.numeric))}${e.agree ? '' : '  ✗ DISAGREE'}`;
}

/** What the check says of one node: its verdict, then its elements. */
export function checkLines(c: GradcheckNode): string[] {
  return [checkVerdict(c), ...c.elements.map(checkElementLine)];
}
