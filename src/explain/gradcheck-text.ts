// A gradient check's result in words, as the graph view's details and the CLI's HTML page show
// it: per checked node a verdict with its largest errors, then one line per element.
import { fileNameOf } from '../protocol/file-name';
import type { GradcheckNode } from '../protocol/gradcheck';
import { decodeNum } from '../protocol/messages';

/**
 * The check's heading: the backward() checked (null when the graph is of no backward(), as at
 * a stop), the node it was asked below (the whole graph when null) and the script's file name.
 *
 * @example checkTitle(1, 'CubeBackward', '/work/wrong.py') // 'Gradient check of backward() #1 below CubeBackward in wrong.py'
 */
export function checkTitle(backward: number | null, below: string | null, file: string): string {
  return [
    'Gradient check',
    ...(backward === null ? [] : [`of backward() #${String(backward)}`]),
    ...(below === null ? [] : [`below ${below}`]),
    `in ${fileNameOf(file)}`,
  ].join(' ');
}

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

/**
 * Why a later backward() is not checked: the check moves a leaf where the script first uses
 * it, so for backward() #n it would measure how the loss at #n depends on the leaf's first
 * value through everything in between (an optimizer's steps), not the gradient #n computed.
 * `how` says how to show #1.
 *
 * @example onlyFirstBackward(3, 'pick backward() #1 in the toolbar')
 */
export function onlyFirstBackward(n: number, how: string): string {
  return `only backward() #1 is checked, and this graph is backward() #${String(n)}: the check moves each leaf where the script first uses it, so for a later backward() it would measure the effect of the leaf's first value through everything in between (an optimizer's steps), not the gradient shown; ${how} to check it`;
}
