// Counts as the graph's labels write them: `9,600`. One formatter for every label: in Chromium,
// `n.toLocaleString('en-US')` builds a formatter at each call, never cached, which made naming a
// big graph's groups (4,002 for the 10,000-node RNN) the largest part of the layout worker's
// answer after the layout itself (README, "First graph of a window").
const COUNT_FORMAT = new Intl.NumberFormat('en-US');

/** `n` with thousands separators, exactly as `n.toLocaleString('en-US')` writes it. */
export function countText(n: number): string {
  return COUNT_FORMAT.format(n);
}
