// Pure graph code shared by the CLI, the HTML page and the webview (no Node or DOM imports).
export { graphEdges, type GraphEdge } from './edges';
export { toElkGraph, LAYOUT_OPTIONS } from './elk';
export {
  renderSvg,
  renderSvgParts,
  joinSvg,
  itemsIn,
  nodeTitle,
  escapeXml,
  LITE_SCALE,
  WINDOW_MIN_ITEMS,
  type SvgParts,
  type SvgItem,
  type Region,
} from './svg';
export { toDot } from './dot';
export { renderHtml } from './html';
export { collapseByModule, limitSnapshot } from './collapse';
export { displayName, nodeLines, formatValues, formatNumber, isFlagged } from './labels';
export {
  layoutSnapshot,
  layoutElkGraph,
  chooseEngine,
  ELK_MAX_NODES,
  type ElkLike,
  type LayoutEngine,
  type LayoutOptions,
} from './layout';
export {
  fastLayout,
  portPositions,
  type FastLayoutOptions,
  type LayoutProgress,
} from './fast-layout';
export { groupTree, isGroupId, type GraphGroup, type GroupTree, type GroupKind } from './groups';
export {
  removeExpanded,
  groupRegion,
  boxShape,
  type BoxShape,
  type Removal,
  type RemovalOptions,
} from './removal';
export {
  GraphView,
  drawSnapshot,
  viewSnapshot,
  expandWithinBudget,
  groupName,
  overlaps,
  FLAT_MAX_NODES,
  OPEN_BUDGET,
  type ViewResult,
  type ViewOptions,
  type RunOptions,
} from './view';
export { insertExpanded } from './insertion';
export { groupFrames, type GroupFrame } from './clusters';
export { slimSnapshot } from './slim';
