// Printing against PyTorch: test/fixtures/engine-print.json holds what PyTorch 1.13's str()
// printed (scripts/gen_print_fixtures.py); each tensor is rebuilt bit for bit here and its
// text must match verbatim, under the default print options and under set_printoptions.
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { loadFixture } from '../helpers/fixtures';

interface EncodedTensor {
  shape: number[];
  dtype: torch.DType;
  /** Floating values as the hex of their bits; integers and bools as numbers. */
  values: (string | number)[];
}

type TorchPrintOptions = Omit<torch.SetPrintoptionsArgs, 'sciMode'> & { sci_mode?: boolean };

interface PrintCase {
  name: string;
  /** The tensor itself, or the name of one in `inputs`. */
  shape?: number[];
  dtype?: torch.DType;
  values?: (string | number)[];
  input?: string;
  requiresGrad: boolean;
  op: 'clone' | 'mul1' | 'view' | 't' | 'transpose01' | 'parameter' | null;
  /** torch.set_printoptions arguments, in PyTorch's names. */
  options: TorchPrintOptions | null;
  text: string;
}

interface PrintFixture {
  tensors: PrintCase[];
  options: PrintCase[];
  inputs: Record<string, EncodedTensor>;
  nodes: { name: string; text: string }[];
}

const fixture = loadFixture<PrintFixture>('engine-print.json');

function fromHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  if (hex.length === 8) {
    view.setUint32(0, parseInt(hex, 16));
    return view.getFloat32(0);
  }
  view.setUint32(0, parseInt(hex.slice(0, 8), 16));
  view.setUint32(4, parseInt(hex.slice(8), 16));
  return view.getFloat64(0);
}

function build(c: PrintCase): torch.Tensor {
  const e: EncodedTensor = c.input === undefined ? (c as EncodedTensor) : fixture.inputs[c.input];
  const values = e.values.map((v) => (typeof v === 'string' ? fromHex(v) : v));
  const flat = torch.tensor(values, { dtype: e.dtype });
  const leaf = flat
    .reshape(...e.shape)
    .detach()
    .requiresGrad_(c.requiresGrad);
  switch (c.op) {
    case null:
      return leaf;
    case 'clone':
      return leaf.clone();
    case 'mul1':
      return leaf.mul(1);
    case 'view':
      return leaf.view(...e.shape);
    case 't':
      return leaf.t();
    case 'transpose01':
      return leaf.transpose(0, 1);
    case 'parameter':
      return new torch.nn.Parameter(leaf.detach(), c.requiresGrad);
  }
}

function setOptions({ sci_mode: sciMode, ...rest }: TorchPrintOptions): void {
  torch.setPrintoptions(sciMode === undefined ? rest : { ...rest, sciMode });
}

describe('tensors print as PyTorch prints them', () => {
  it('the rebuilt tensors hold exactly the fixture values (float32 bits, -0, NaN)', () => {
    const bits = (t: torch.Tensor) => Array.from(new Uint8Array(t.contiguous()._data.buffer));
    const c = fixture.tensors.find((x) => x.name === 'zeros with nan')!;
    expect(bits(build(c))).toEqual(bits(torch.tensor([0, NaN, -0])));
  });

  it.each(fixture.tensors.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(String(build(c))).toBe(c.text);
  });
});

describe('torch.setPrintoptions', () => {
  afterEach(() => torch.setPrintoptions({ profile: 'default' }));

  it.each(fixture.options.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    setOptions(c.options!);
    expect(String(build(c))).toBe(c.text);
  });

  it('resets sciMode to automatic on every call, as PyTorch does', () => {
    torch.setPrintoptions({ sciMode: true });
    expect(String(torch.tensor([1.5]))).toBe('tensor([1.5000e+00])');
    torch.setPrintoptions({ precision: 2 });
    expect(String(torch.tensor([1.5]))).toBe('tensor([1.50])');
  });

  it('rejects unknown options and bad values', () => {
    expect(() => torch.setPrintoptions({ precison: 2 } as torch.SetPrintoptionsArgs)).toThrow(
      "unknown option 'precison'",
    );
    expect(() => torch.setPrintoptions({ precision: -1 })).toThrow('precision');
    expect(() =>
      torch.setPrintoptions({ profile: 'long' } as unknown as torch.SetPrintoptionsArgs),
    ).toThrow('profile');
  });
});
