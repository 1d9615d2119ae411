// What the notebook renderer and the standalone page accept: the graph JSON of the protocol,
// checked by its validators; anything else becomes one clear message.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { standaloneDocument } from '../../webview/standalone/document';
import {
  GRAPH_MIME,
  MAX_NODES,
  MAX_PAYLOAD_BYTES,
  parseGraphPayload,
} from '../../webview/standalone/payload';

const NOTEBOOK = path.join(__dirname, '..', 'e2e', 'fixtures', 'qp-graph-output.ipynb');

interface Notebook {
  cells: { outputs?: { data: Record<string, unknown> }[] }[];
}

/** The saved graph outputs of the fixture notebook, as VS Code hands them to the renderer. */
function savedOutputs(): Uint8Array[] {
  const nb = JSON.parse(readFileSync(NOTEBOOK, 'utf8')) as Notebook;
  return nb.cells.flatMap((c) =>
    (c.outputs ?? [])
      .filter((o) => GRAPH_MIME in o.data)
      .map((o) => new TextEncoder().encode(JSON.stringify(o.data[GRAPH_MIME]))),
  );
}

describe('graph payloads', () => {
  it("gradlens.show's saved output passes the protocol's validators", () => {
    const [qp] = savedOutputs();
    const r = parseGraphPayload(qp);
    if (!r.ok) throw new Error(r.message);
    const names = r.snapshot.nodes.map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(['PowBackward0', 'SubBackward0', 'a', 'b', 'P']));
  });

  it('a damaged output is named by the path of its first bad field', () => {
    const damaged = savedOutputs()[1];
    expect(parseGraphPayload(damaged)).toEqual({
      ok: false,
      message:
        'Gradlens cannot show this output. This is not a Gradlens graph (snapshot.nodes: expected an array).',
    });
    const [qp] = savedOutputs();
    const edited = new TextDecoder().decode(qp).replace('"kind":"leaf"', '"kind":"tensor"');
    expect(parseGraphPayload(edited)).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /snapshot\.nodes\[\d+\]\.kind: expected one of function,/,
      ) as unknown,
    });
  });

  it('text that is not JSON says so', () => {
    expect(parseGraphPayload('{"nodes": [')).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^Gradlens cannot show this output\. This graph output is not JSON \(/,
      ) as unknown,
    });
  });

  it('oversized payloads and graphs are refused before they are parsed or laid out', () => {
    expect(parseGraphPayload(new Uint8Array(MAX_PAYLOAD_BYTES + 1))).toEqual({
      ok: false,
      message:
        'Gradlens cannot show this output. This graph output is 64.0 MB, over the 64.0 MB the viewer reads.',
    });
    const many = JSON.stringify({ nodes: new Array(MAX_NODES + 1).fill(0) });
    expect(parseGraphPayload(many)).toEqual({
      ok: false,
      message:
        'Gradlens cannot show this output. This graph has 100,001 nodes, over the 100,000 the viewer lays out.',
    });
  });

  it('the page document keeps the snapshot and script inside their elements', () => {
    const doc = standaloneDocument('{"name":"</script><b>"}', 'let s = "</SCRIPT>";', {
      title: 'a<b',
      rootStyle: '--vscode-foreground:"x"',
    });
    expect(doc.match(/<\/script>/gi)).toHaveLength(2);
    expect(doc).toContain('<\\/script><b>');
    expect(doc).toContain('<title>a&#60;b</title>');
    expect(doc).toContain('style="--vscode-foreground:&#34;x&#34;"');
  });
});
