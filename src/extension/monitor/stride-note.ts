// The training monitor's words for a record thinned by the runner (train/metrics.stride).

/** What the monitor says of a thinned record, while it runs and after. */
export function strideNote(stride: number): string {
  return `every ${stride}${ordinalSuffix(stride)} step shown: the script makes steps faster than the monitor keeps`;
}

function ordinalSuffix(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}
