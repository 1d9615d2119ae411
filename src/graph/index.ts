// Pure graph code shared by the CLI, the HTML page and the webview (no Node or DOM imports).
export { graphEdges, type GraphEdge } from './edges';
export { toElkGraph, LAYOUT_OPTIONS } from './elk';
export { renderSvg, nodeTitle, escapeXml } from './svg';
export { toDot } from './dot';
export { renderHtml } from './html';
export { collapseByModule, limitSnapshot } from './collapse';
export { displayName, nodeLines, formatValues, formatNumber, isFlagged } from './labels';
export { layoutSnapshot, type ElkLike } from './layout';
