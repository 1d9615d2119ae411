// What the graph view's "Check with finite differences" can check: the graph shown must be a
// run's backward() #1 (the check reruns the script up to it), and the node asked for one of
// its own. Kept apart from src/extension/gradcheck.ts so that it runs without VS Code.
import { onlyFirstBackward } from '../explain/gradcheck-text';
import type { GraphPayload } from '../protocol/graph-view';
import { unavailable, type GradcheckResult } from '../protocol/gradcheck';
import type { GraphSnapshot } from '../protocol/messages';

export interface GradcheckTarget {
  readonly file: string;
  readonly snapshot: GraphSnapshot;
  readonly node: string | null;
}

/** The check to run for the page's request, or a result saying why there is none. */
export function gradcheckTarget(
  shown: GraphPayload | null,
  node: string | null,
): GradcheckTarget | GradcheckResult {
  if (shown === null) return unavailable(1, node, 'no graph is shown');
  const snapshot = shown.snapshot as GraphSnapshot;
  const no = (why: string): GradcheckResult => unavailable(snapshot.index, node, why);
  if (shown.source.kind !== 'run')
    return no(
      'only the graph of a backward() call can be checked: this one shows the tensors at a stop',
    );
  if (/\.ipynb$/i.test(shown.file))
    return no('notebooks cannot be checked here: use torch.autograd.gradcheck in a cell');
  if (shown.source.backward !== 1)
    return unavailable(
      shown.source.backward,
      node,
      onlyFirstBackward(shown.source.backward, 'show backward() #1 (toolbar picker)'),
    );
  if (node !== null && !snapshot.nodes.some((n) => n.id === node))
    return no(`node ${node} is not in the graph shown`);
  return { file: shown.file, snapshot, node };
}
