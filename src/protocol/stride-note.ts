// The training monitor's words for a thinned record: by the runner (train/metrics.stride) when
// steps come faster than the monitor keeps, and by the host's cap on rows (record-cap.ts) when
// the run is long.

/**
 * What the monitor says of a thinned record, while it runs and after; null when every step
 * is shown. `width`: steps per bucket of the capped part (1 while the run is under the cap).
 */
export function strideNote(stride: number, width = 1): string | null {
  if (width > stride)
    return `long run: older steps shown in buckets of ${width.toLocaleString('en-US')} (lowest and highest loss, largest gradient); newer ${stride > 1 ? `every ${stride}${ordinalSuffix(stride)} step shown` : 'steps all shown'}; the last step exact`;
  if (stride > 1)
    return `every ${stride}${ordinalSuffix(stride)} step shown: the script makes steps faster than the monitor keeps`;
  return null;
}

function ordinalSuffix(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}
