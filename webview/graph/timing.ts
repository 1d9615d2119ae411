/** Resolves once the browser has drawn what the page changed (two animation frames). */
export function nextPaint(): Promise<void> {
  return new Promise((r) =>
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        r();
      }),
    ),
  );
}
