// Exports of the drawing (SVG, PNG) and of the graph (DOT), saved by the host where the user chooses.
import { toDot } from '../../src/graph/dot';
import { joinSvg } from '../../src/graph/svg';
import type { ExportFormat } from '../../src/protocol/graph-view';
import { awaitsRead, state, vscode } from './state';

export async function exportAs(format: ExportFormat): Promise<void> {
  if (awaitsRead(() => exportAs(format))) return;
  const { snapshot, parts } = state;
  if (snapshot === null || parts === null) return;
  const svgText = joinSvg(parts);
  let data: string;
  if (format === 'svg') data = svgText;
  else if (format === 'dot') data = toDot(snapshot);
  else data = await svgToPng(svgText);
  vscode.postMessage({ type: 'export', format, data });
}

function svgToPng(svg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      // 2x for a sharp picture, capped so huge graphs stay within canvas limits.
      const k = Math.min(2, 16384 / Math.max(img.width, img.height));
      const c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(img.width * k));
      c.height = Math.max(1, Math.round(img.height * k));
      const ctx = c.getContext('2d');
      if (ctx === null) {
        reject(new Error('no 2D canvas for PNG export'));
        return;
      }
      ctx.scale(k, k);
      ctx.drawImage(img, 0, 0);
      resolve(c.toDataURL('image/png'));
    };
    img.onerror = () => {
      reject(new Error('could not draw the SVG for PNG export'));
    };
    // A data: URL (the CSP's img-src allows it for this).
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}
