"""Golden fixtures for the engine, computed with PyTorch.

Run with Debian's interpreter: `npm run fixtures` (builds the WebAssembly module the op table
imports, then /usr/bin/python3 scripts/gen_fixtures.py).
Writes test/fixtures/engine-*.json; the tests read those files and need no Python.

Each case is data: leaf inputs (shape, values, dtype, requires_grad) and a list of steps
(`[out, call, *args]`, where a string argument "$name" refers to an earlier tensor). This
script runs the program with torch and records the output, the leaves' gradients, and the
graph (node names and nextFunctions, AccumulateGrad identified by its leaf). The TypeScript
helper test/helpers/program.ts interprets the same steps with our engine.

The programs that check each primitive, and what every step name calls in PyTorch and in
our engine, live in the op table (src/engine/ops/table/); this script reads them through
scripts/export-op-table.ts. Graph, error and other cases are written here.

The contract is PyTorch 2.x; the installed torch is 1.13. Where the two name a node
differently, NAME_OVERRIDES below rewrites 1.13's name, so every deviation is visible here.
"""
import json
import math
import os
import subprocess
import sys
import zlib

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, '..', 'test', 'fixtures')

# PyTorch 1.13 -> 2.x node names. 1.13 records reshape/flatten of a contiguous tensor as
# ReshapeAliasBackward0; 2.x records ViewBackward0. 2.x's Tensor.norm calls
# torch.linalg.vector_norm (LinalgVectorNormBackward0) where 1.13 records NormBackward1.
NAME_OVERRIDES = {'ReshapeAliasBackward0': 'ViewBackward0', 'NormBackward1': 'LinalgVectorNormBackward0'}

DTYPES = {'float32': torch.float32, 'float64': torch.float64, 'int64': torch.int64, 'bool': torch.bool}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}


# ---- encoding ---------------------------------------------------------------------------

def num(v):
    """JSON has no NaN/Infinity: those travel as strings."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return 'nan'
        if math.isinf(v):
            return 'inf' if v > 0 else '-inf'
    return v


def enc(t):
    if t is None:
        return None
    t = t.detach()
    flat = t.reshape(-1)
    flat = flat.double() if t.dtype.is_floating_point else flat.long()
    return {'shape': list(t.shape), 'dtype': DTYPE_NAMES[t.dtype], 'values': [num(v) for v in flat.tolist()]}


def node_name(fn):
    n = type(fn).__name__
    if n in ('AccumulateGrad', 'CopySlices'):
        # C++ nodes: name() is namespaced, as the engine's name() and the Python tracer's.
        return fn.name()
    return NAME_OVERRIDES.get(n, n)


def graph(t, leaves):
    """The graph below `t` as a list of nodes numbered breadth-first from its gradFn (id 0)."""
    if t.grad_fn is None:
        return None
    names = {id(v): k for k, v in leaves.items()}
    ids = {t.grad_fn: 0}
    order = [t.grad_fn]
    nodes = []
    i = 0
    while i < len(order):
        fn = order[i]
        i += 1
        rec = {'name': node_name(fn), 'next': []}
        if type(fn).__name__ == 'AccumulateGrad':
            rec['leaf'] = names.get(id(fn.variable), '?')
        for nxt, nr in fn.next_functions:
            if nxt is None:
                rec['next'].append([None, nr])
                continue
            if nxt not in ids:
                ids[nxt] = len(order)
                order.append(nxt)
            rec['next'].append([ids[nxt], nr])
        nodes.append(rec)
    return nodes


# ---- the program interpreter ------------------------------------------------------------

# Step name -> PyTorch callable, from the op table (main fills it in).
OPS = {}
CALL_SCOPE = {'torch': torch, 'F': F, 'Tensor': torch.Tensor, 'DTYPES': DTYPES}


def load_table():
    """The op table's programs and calls, printed as JSON by scripts/export-op-table.ts."""
    root = os.path.join(HERE, '..')
    node = os.path.join(root, 'node_modules', '.bin', 'vite-node')
    out = subprocess.run([node, os.path.join('scripts', 'export-op-table.ts')], cwd=root,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def make_input(spec):
    dt = DTYPES[spec.get('dtype', 'float32')]
    vals = [float(v) if isinstance(v, str) else v for v in spec['values']]
    t = torch.tensor(vals, dtype=dt).reshape(spec['shape'])
    if spec.get('requiresGrad'):
        t.requires_grad_(True)
    return t


def resolve(a, env):
    if isinstance(a, str) and a.startswith('$'):
        return env[a[1:]]
    if isinstance(a, list):
        return [resolve(x, env) for x in a]
    return a


def run(case):
    env = {}
    leaves = {}
    torch.manual_seed(0)
    for name, spec in case['inputs'].items():
        env[name] = make_input(spec)
        leaves[name] = env[name]
    for step in case['steps']:
        out, op, *args = step
        env[out] = OPS[op](*[resolve(a, env) for a in args])
    return env, leaves


def record(case):
    """Runs the case; fills in `expect` (or `error` when PyTorch raises)."""
    try:
        env, leaves = run(case)
        out = env[case['output']]
        exp = {'value': enc(out), 'graph': graph(out, leaves)}
        if case.get('backward', True) and out.requires_grad:
            g = case.get('gradient')
            if g is None and out.numel() != 1:
                # A fixed upstream gradient, so non-scalar outputs need no extra reduction step.
                gen = torch.Generator().manual_seed(len(case['name']) * 7919 + out.numel())
                g = case['gradient'] = Inputs.spec(torch.randn(tuple(out.shape), generator=gen, dtype=torch.float64), False, DTYPE_NAMES[out.dtype])
            out.backward(make_input(g) if g is not None else None)
            exp['grads'] = {k: enc(v.grad) for k, v in leaves.items() if v.requires_grad}
        case['expect'] = exp
    except (RuntimeError, ValueError, IndexError) as e:
        if 'error' not in case:
            raise
        msg = str(e)
        case['error']['torch'] = msg
        phrase = case['error'].setdefault('contains', msg.split(' Hint:')[0])
        assert phrase in msg, (case['name'], phrase, msg)
        return case
    assert 'error' not in case, f"{case['name']}: expected an error, PyTorch ran it"
    return case


# ---- case construction ------------------------------------------------------------------

class Inputs:
    """Deterministic input values: one generator per case."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def randn(self, *shape, rg=True, dtype='float32', scale=1.0, shift=0.0):
        t = torch.randn(tuple(shape), generator=self.g, dtype=torch.float64) * scale + shift
        return self.spec(t, rg, dtype)

    def pos(self, *shape, rg=True, dtype='float32', lo=0.5, hi=2.0):
        t = torch.rand(tuple(shape), generator=self.g, dtype=torch.float64) * (hi - lo) + lo
        return self.spec(t, rg, dtype)

    def ints(self, hi, *shape):
        t = torch.randint(0, hi, shape, generator=self.g)
        return {'shape': list(shape), 'dtype': 'int64', 'values': t.reshape(-1).tolist(), 'requiresGrad': False}

    @staticmethod
    def spec(t, rg, dtype):
        t = t.to(DTYPES[dtype])
        return {'shape': list(t.shape), 'dtype': dtype, 'values': [num(v) for v in t.reshape(-1).double().tolist()],
                'requiresGrad': rg}

    @staticmethod
    def values(vals, shape=None, rg=True, dtype='float32'):
        t = torch.tensor(vals, dtype=torch.float64)
        if shape is not None:
            t = t.reshape(shape)
        return Inputs.spec(t, rg, dtype)


# Seeds below 1202 went to the programs that now live in the op table.
_seed = [1202]


def case(name, inputs, steps, output=None, **extra):
    _seed[0] += 1
    c = {'name': name, 'inputs': inputs, 'steps': steps, 'output': output or steps[-1][0]}
    c.update(extra)
    return c


def I():
    return Inputs(_seed[0])


with open(os.path.join(HERE, 'fixture-seeds.json')) as _f:
    # Programs written before the op table keep the seeds they were generated with.
    LEGACY_SEEDS = json.load(_f)


def seed_of(name):
    return LEGACY_SEEDS.get(name, 10_000 + zlib.crc32(name.encode()) % 1_000_000)


def draw(spec, streams, seed):
    """One input of a table program (see InputSpec in src/engine/ops/table/programs.ts)."""
    stream = spec.get('stream', 0)
    if stream not in streams:
        streams[stream] = torch.Generator().manual_seed(seed)
    g = streams[stream]
    shape = tuple(spec['shape'])
    dtype = spec.get('dtype', 'float32')
    rg = spec.get('requiresGrad', True)
    kind = spec['draw']
    if kind == 'randn':
        t = torch.randn(shape, generator=g, dtype=torch.float64) * spec.get('scale', 1.0) + spec.get('shift', 0.0)
        return Inputs.spec(t, rg, dtype)
    if kind == 'rand':
        t = torch.rand(shape, generator=g, dtype=torch.float64) * (spec['hi'] - spec['lo']) + spec['lo']
        return Inputs.spec(t, rg, dtype)
    if kind == 'randint':
        t = torch.randint(0, spec['hi'], shape, generator=g)
        return {'shape': list(shape), 'dtype': 'int64', 'values': t.reshape(-1).tolist(), 'requiresGrad': False}
    assert kind == 'literal', kind
    if DTYPES[dtype].is_floating_point:
        return Inputs.values(spec['values'], shape, rg, dtype)
    return {'shape': list(shape), 'dtype': dtype, 'values': spec['values'], 'requiresGrad': False}


def table_case(p):
    """A table program as a case: its inputs drawn, its gradient drawn after them."""
    seed = seed_of(p['name'])
    streams = {}
    inputs = {}
    for name, spec in p['inputs'].items():
        t = draw(spec, streams, seed)
        if not name.startswith('_'):
            inputs[name] = t
    c = {'name': p['name'], 'inputs': inputs, 'steps': p['steps'], 'output': p.get('output') or p['steps'][-1][0]}
    if 'gradient' in p:
        c['gradient'] = draw({**p['gradient'], 'requiresGrad': False}, streams, seed)
    if 'backward' in p:
        c['backward'] = p['backward']
    return c


def graph_cases():
    """Structure: broadcasting, reused inputs, diamonds, long chains, composites."""
    cs = []
    i = I()
    cs.append(case('x * x lists the same AccumulateGrad twice', {'x': i.randn(3)}, [['y', 'mul', '$x', '$x'], ['z', 'sum', '$y']]))
    i = I()
    cs.append(case('diamond: one tensor feeds two branches that meet', {'x': i.randn(2, 2)},
                   [['a', 'exp', '$x'], ['b', 'sin', '$a'], ['c', 'cos', '$a'], ['d', 'mul', '$b', '$c'], ['e', 'add', '$d', '$a'], ['z', 'sum', '$e']]))
    i = I()
    cs.append(case('two diamonds in a row', {'x': i.randn(3), 'w': i.randn(3)},
                   [['a', 'mul', '$x', '$w'], ['b', 'tanh', '$a'], ['c', 'sigmoid', '$a'], ['d', 'add', '$b', '$c'],
                    ['e', 'mul', '$d', '$d'], ['f', 'div', '$e', 2.0], ['z', 'mean', '$f']]))
    steps = []
    prev = '$x'
    for k in range(60):
        op = ['sin', 'mul', 'tanh', 'add'][k % 4]
        steps.append([f'v{k}', op, prev] + ([1.1] if op == 'mul' else [0.3] if op == 'add' else []))
        prev = f'$v{k}'
    steps.append(['z', 'sum', prev])
    cs.append(case('long chain of 60 ops', {'x': I().randn(4, dtype='float64')}, steps))
    for sa, sb, op in [((3, 1), (1, 4), 'add'), ((2, 1, 3), (4, 3), 'mul'), ((5,), (), 'sub'), ((1,), (2, 3), 'div'), ((2, 3, 1, 1), (1, 1, 4, 5), 'mul')]:
        i = I()
        b = i.pos(*sb) if op == 'div' else i.randn(*sb)
        cs.append(case(f'broadcast {op} {list(sa)} with {list(sb)}', {'a': i.randn(*sa), 'b': b}, [['y', op, '$a', '$b'], ['z', 'sum', '$y']]))
    i = I()
    cs.append(case('a leaf used by three ops at different depths', {'x': i.randn(3), 'y': i.randn(3)},
                   [['a', 'mul', '$x', '$y'], ['b', 'add', '$a', '$x'], ['c', 'mul', '$b', '$x'], ['d', 'sub', '$c', '$y'], ['z', 'sum', '$d']]))
    i = I()
    cs.append(case('constant inputs give null edges', {'x': i.randn(2, 2), 'k': i.randn(2, 2, rg=False)},
                   [['a', 'mul', '$k', '$x'], ['b', 'add', '$k', '$a'], ['c', 'torch.addmm', '$k', '$k', '$a'], ['z', 'sum', '$c']]))
    i = I()
    cs.append(case('MLP: linear, relu, linear, mse', {'x': i.randn(4, 3, rg=False), 'w1': i.randn(5, 3), 'b1': i.randn(5),
                                                      'w2': i.randn(1, 5), 'b2': i.randn(1), 't': i.randn(4, 1, rg=False)},
                   [['h', 'F.linear', '$x', '$w1', '$b1'], ['r', 'relu', '$h'], ['o', 'F.linear', '$r', '$w2', '$b2'], ['z', 'F.mse_loss', '$o', '$t']]))
    i = I()
    cs.append(case('classifier: linear, cross_entropy', {'x': i.randn(6, 4, rg=False), 'w': i.randn(3, 4), 'b': i.randn(3), 't': i.ints(3, 6)},
                   [['o', 'F.linear', '$x', '$w', '$b'], ['z', 'F.cross_entropy', '$o', '$t']]))
    i = I()
    cs.append(case('mse_loss broadcasts a target of another shape (PyTorch warns)', {'x': i.randn(3, 1), 't': i.randn(3, rg=False)}, [['z', 'F.mse_loss', '$x', '$t']]))
    i = I()
    cs.append(case('l1_loss composes abs, sub, mean', {'x': i.randn(5), 't': i.randn(5, rg=False)}, [['z', 'F.l1_loss', '$x', '$t']]))
    i = I()
    cs.append(case('views chained', {'x': i.randn(2, 3, 4)},
                   [['a', 'transpose', '$x', 0, 1], ['b', 'select', '$a', 2, 1], ['c', 'unsqueeze', '$b', 0], ['d', 'expand', '$c', 2, 3, 2],
                    ['e', 'narrow', '$d', 1, 1, 2], ['f', 'mul', '$e', '$e'], ['z', 'sum', '$f']]))
    i = I()
    cs.append(case('softmax then log then weighted sum', {'x': i.randn(2, 5), 'w': i.randn(2, 5, rg=False)},
                   [['p', 'softmax', '$x', 1], ['l', 'log', '$p'], ['m', 'mul', '$l', '$w'], ['z', 'sum', '$m']]))
    i = I()
    cs.append(case('reused intermediate and in-place on a non-leaf', {'x': i.randn(3)},
                   [['a', 'mul', '$x', 3.0], ['b', 'add_', '$a', 1.0], ['c', 'mul', '$b', '$x'], ['z', 'sum', '$c']]))
    return cs


def error_cases():
    cs = []
    i = I()
    cs.append(case('backward twice', {'x': i.randn(3)}, [['y', 'exp', '$x'], ['z', 'sum', '$y'], ['_', 'backward', '$z'], ['_', 'backward', '$z']],
                   backward=False, error={'contains': 'Trying to backward through the graph a second time'}))
    cs.append(case('in-place on a leaf that requires grad', {'x': I().randn(3)}, [['y', 'add_', '$x', 1.0]],
                   error={'contains': 'a leaf Variable that requires grad is being used in an in-place operation.'}))
    cs.append(case('saved output modified in place', {'x': I().randn(3)}, [['y', 'exp', '$x'], ['w', 'add_', '$y', 1.0], ['z', 'sum', '$y'], ['_', 'backward', '$z']],
                   backward=False, error={}))
    cs.append(case('saved input modified in place', {'x': I().randn(2, 2)}, [['a', 'mul', '$x', 1.0], ['y', 'sin', '$a'], ['w', 'mul_', '$a', 2.0], ['z', 'sum', '$y'], ['_', 'backward', '$z']],
                   backward=False, error={}))
    cs.append(case('saved float64 input modified by zero_', {'x': I().randn(2, 3, dtype='float64')},
                   [['a', 'mul', '$x', 1.0], ['y', 'mul', '$a', '$a'], ['w', 'zero_', '$a'], ['z', 'sum', '$y'], ['_', 'backward', '$z']],
                   backward=False, error={}))
    cs.append(case('backward on a non-scalar', {'x': I().randn(3)}, [['y', 'mul', '$x', 2.0], ['_', 'backward', '$y']], backward=False,
                   error={'contains': 'grad can be implicitly created only for scalar outputs'}))
    cs.append(case('backward without history', {'x': I().randn(3, rg=False)}, [['y', 'sum', '$x'], ['_', 'backward', '$y']], backward=False,
                   error={'contains': 'element 0 of tensors does not require grad and does not have a grad_fn'}))
    i = I()
    cs.append(case('shapes that do not broadcast', {'a': i.randn(2, 3), 'b': i.randn(2, 4)}, [['y', 'add', '$a', '$b']],
                   error={'contains': 'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'}))
    i = I()
    cs.append(case('shapes that do not broadcast (mul, dim 0)', {'a': i.randn(3), 'b': i.randn(2, 2)}, [['y', 'mul', '$a', '$b']], error={}))
    i = I()
    cs.append(case('matmul shape mismatch', {'a': i.randn(2, 3), 'b': i.randn(4, 5)}, [['y', 'matmul', '$a', '$b']],
                   error={'contains': 'mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)'}))
    i = I()
    cs.append(case('mm shape mismatch', {'a': i.randn(3, 2), 'b': i.randn(3, 2)}, [['y', 'mm', '$a', '$b']], error={}))
    i = I()
    cs.append(case('linear shape mismatch', {'x': i.randn(4, 3, rg=False), 'w': i.randn(2, 5), 'b': i.randn(2)}, [['y', 'F.linear', '$x', '$w', '$b']], error={}))
    i = I()
    cs.append(case('addmm with a bias that does not fit', {'c': i.randn(2, 3), 'a': i.randn(2, 3)}, [['at', 't', '$a'], ['y', 'torch.addmm', '$c', '$a', '$at']], error={}))
    cs.append(case('view of an incompatible layout', {'x': I().randn(2, 3)}, [['a', 't', '$x'], ['y', 'view', '$a', 6]], error={'contains': 'view size is not compatible with input tensor\'s size and stride'}))
    cs.append(case('view to a size with the wrong count', {'x': I().randn(2, 3)}, [['y', 'view', '$x', 4]], error={}))
    cs.append(case('expand to a smaller size', {'x': I().randn(2, 3)}, [['y', 'expand', '$x', 2, 4]], error={}))
    cs.append(case('cat with mismatched sizes', {'a': I().randn(2, 3), 'b': I().randn(2, 2)}, [['y', 'torch.cat', ['$a', '$b'], 0]], error={}))
    cs.append(case('cat of 0-d tensors', {'a': I().randn(3), 'b': I().randn()}, [['s', 'sum', '$a'], ['y', 'torch.cat', ['$s', '$b'], 0]], error={}))
    cs.append(case('stack of different shapes', {'a': I().randn(2, 3), 'b': I().randn(3, 2)}, [['y', 'torch.stack', ['$a', '$b'], 0]], error={}))
    cs.append(case('mse_loss target of another size', {'x': I().randn(3), 't': I().randn(4, rg=False)}, [['y', 'F.mse_loss', '$x', '$t']], error={}))
    cs.append(case('bmm of a 2-D tensor', {'a': I().randn(2, 3), 'b': I().randn(3, 2)}, [['y', 'torch.bmm', '$a', '$b']], error={}))
    cs.append(case('bmm with mismatched batches', {'a': I().randn(2, 3, 4), 'b': I().randn(3, 4, 5)}, [['y', 'torch.bmm', '$a', '$b']], error={}))
    cs.append(case('bmm with mismatched inner sizes', {'a': I().randn(2, 3, 4), 'b': I().randn(2, 5, 5)}, [['y', 'bmm', '$a', '$b']], error={}))
    cs.append(case('tril of a 1-D tensor', {'x': I().randn(3)}, [['y', 'tril', '$x']], error={}))
    cs.append(case('logsumexp over a missing dim', {'x': I().randn(3, 4)}, [['y', 'logsumexp', '$x', 2]], error={}))
    cs.append(case('cumsum over a missing dim', {'x': I().randn(3, 4)}, [['y', 'cumsum', '$x', -3]], error={}))
    idx = {'shape': [1, 1], 'dtype': 'int64', 'values': [5], 'requiresGrad': False}
    cs.append(case('gather with an index out of bounds', {'x': I().randn(3, 4), 'i': idx}, [['y', 'gather', '$x', 1, '$i']], error={}))
    idx = {'shape': [1], 'dtype': 'int64', 'values': [0], 'requiresGrad': False}
    cs.append(case('gather with an index of fewer dims', {'x': I().randn(3, 4), 'i': idx}, [['y', 'gather', '$x', 1, '$i']], error={}))
    cs.append(case('one_hot of a class past num_classes', {'t': {'shape': [2], 'dtype': 'int64', 'values': [1, 3], 'requiresGrad': False}}, [['y', 'F.one_hot', '$t', 3]], error={}))
    cs.append(case('embedding of an index past the table', {'i': {'shape': [2], 'dtype': 'int64', 'values': [0, 5], 'requiresGrad': False}, 'w': I().randn(5, 2)},
                   [['y', 'F.embedding', '$i', '$w']], error={}))
    cs.append(case('embedding of float indices', {'i': I().randn(2, rg=False), 'w': I().randn(5, 2)}, [['y', 'F.embedding', '$i', '$w']], error={}))
    i = I()
    cs.append(case('layer_norm of a shape that does not end the input', {'x': i.randn(3, 4), 'w': i.randn(3), 'b': i.randn(3)}, [['y', 'F.layer_norm', '$x', [3], '$w', '$b']], error={}))
    idx = {'shape': [1], 'dtype': 'int64', 'values': [5], 'requiresGrad': False}
    cs.append(case('index out of bounds', {'x': I().randn(3, 4), 'i': idx}, [['y', 'index', '$x', '$i']], error={}))
    cs.append(case('index with too many indices', {'x': I().randn(3, 4)}, [['y', 'index', '$x', 0, 1, 2]], error={}))
    cs.append(case('topk past the dim size', {'x': I().randn(3, 4)}, [['y', 'topk.values', '$x', 5]], error={}))
    cs.append(case('split sizes that do not sum to the dim', {'x': I().randn(3, 4)}, [['y', 'split.reversed', '$x', [1, 1], 0]], error={}))
    cs.append(case('chunk into 0 pieces', {'x': I().randn(3, 4)}, [['y', 'chunk.reversed', '$x', 0]], error={}))
    cs.append(case('repeat with fewer sizes than dims', {'x': I().randn(3, 4)}, [['y', 'repeat', '$x', 2]], error={}))
    cs.append(case('batch_norm training on one value per channel', {'x': I().randn(1, 3)}, [['y', 'F.batch_norm', '$x', None, None, None, None, True]], error={}))
    i = I()
    cs.append(case('conv2d with the wrong number of channels', {'x': i.randn(1, 2, 3, 3), 'w': i.randn(4, 3, 2, 2)}, [['y', 'F.conv2d', '$x', '$w']], error={}))
    i = I()
    cs.append(case('conv2d with a kernel larger than the input', {'x': i.randn(1, 2, 3, 3), 'w': i.randn(4, 2, 5, 5)}, [['y', 'F.conv2d', '$x', '$w']], error={}))
    cs.append(case('max_pool2d with an output too small', {'x': I().randn(1, 2, 3, 3)}, [['y', 'F.max_pool2d', '$x', 5]], error={}))
    cs.append(case('in-place add through an expanded view', {'x': I().randn(3, rg=False)}, [['e', 'expand', '$x', 2, 3], ['y', 'add_', '$e', 1.0]], error={}))
    cs.append(case('flip of a dim twice', {'x': I().randn(3, 4)}, [['y', 'flip', '$x', [0, -2]]], error={}))
    # Sampling and slicing (appended: case() numbers the seeds in order).
    probs = lambda vals: Inputs.values(vals, rg=False)
    for name, vals, n, r in [('a negative weight', [0.5, -1.0], 1, False), ('a negative weight, replacement', [0.5, -1.0], 1, True),
                             ('an infinite weight, replacement', [0.5, float('inf')], 2, True), ('all-zero weights', [0.0, 0.0], 1, False),
                             ('all-zero weights, replacement', [0.0, 0.0], 2, True), ('more samples than categories', [1.0, 1.0], 3, False),
                             ('zero samples', [1.0, 1.0], 0, True), ('a NaN weight, replacement', [0.5, float('nan')], 2, True)]:
        cs.append(case(f'multinomial with {name}', {'p': probs(vals)}, [['y', 'multinomial', '$p', n, r]], backward=False, error={}))
    cs.append(case('multinomial of a 3-D tensor', {'p': I().pos(2, 2, 2, rg=False)}, [['y', 'multinomial', '$p', 1]], backward=False, error={}))
    cs.append(case('randint with low >= high', {}, [['y', 'randint', 5, 3, [2]]], backward=False, error={}))
    cs.append(case('slice with a negative step', {'x': I().randn(4, 3)}, [['y', 'index.sliced', '$x', [None, None, -1]]], error={}))
    cs.append(case('slice with a zero step', {'x': I().randn(4, 3)}, [['y', 'index.sliced', '$x', [None, None, 0]]], error={}))
    return cs



def record_inplace_view(c):
    """A program case plus what PyTorch shows for the tensors in `watch` after the steps:
    each one's grad_fn name (views regenerate theirs after an in-place write), version and
    requires_grad."""
    record_warning_free(c)
    if 'error' in c:
        return c
    env, _ = run(c)
    c['expect']['watch'] = {k: {'gradFn': node_name(env[k].grad_fn) if env[k].grad_fn is not None else None,
                                'version': env[k]._version, 'requiresGrad': env[k].requires_grad} for k in c['watch']}
    return c


def inplace_view_cases():
    """In-place ops through views of tensors that require grad: PyTorch rewrites the base's
    history (CopySlices) and regenerates the views' (AsStridedBackward0)."""
    cs = []

    def add(name, inputs, steps, watch=(), output=None, **extra):
        # Seeded by name, so these cases keep their values whatever is added before them.
        c = {'name': name, 'inputs': inputs(Inputs(seed_of(name))), 'steps': steps, 'output': output or steps[-1][0], 'watch': list(watch)}
        c.update(extra)
        cs.append(c)

    add('y[:, 0] *= 3', lambda i: {'x': i.randn(2, 3)}, [['y', 'clone', '$x'], ['v', 'index', '$y', None, 0], ['_', 'mul_', '$v', 3.0]], ['v', 'y'], 'y')
    add('select(0, 1).mul_(w) with a leaf w', lambda i: {'x': i.randn(2, 3), 'w': i.randn(3)},
        [['y', 'clone', '$x'], ['v', 'select', '$y', 0, 1], ['_', 'mul_', '$v', '$w']], ['v'], 'y')
    add('narrow(1, 1, 2).add_(w * 2)', lambda i: {'x': i.randn(3, 3), 'w': i.randn(2)},
        [['y', 'clone', '$x'], ['w2', 'mul', '$w', 2.0], ['v', 'narrow', '$y', 1, 1, 2], ['_', 'add_', '$v', '$w2']], ['v'], 'y')
    add('y[1:].zero_()', lambda i: {'x': i.randn(3, 2)}, [['y', 'mul', '$x', 2.0], ['v', 'narrow', '$y', 0, 1, 2], ['_', 'zero_', '$v']], ['v'], 'y')
    add('narrow(1, 0, 1).fill_(2.5)', lambda i: {'x': i.randn(2, 3)}, [['y', 'mul', '$x', '$x'], ['v', 'narrow', '$y', 1, 0, 1], ['_', 'fill_', '$v', 2.5]], ['v'], 'y')
    add('select(0, 0).copy_(w)', lambda i: {'x': i.randn(2, 3), 'w': i.randn(3)},
        [['y', 'clone', '$x'], ['v', 'select', '$y', 0, 0], ['_', 'copy_', '$v', '$w']], ['v'], 'y')
    # Inputs are views of the tensor torch.tensor made (reshape): clone makes z a base.
    add('writing w into a base that needs no grad', lambda i: {'z0': i.randn(4, rg=False), 'w': i.randn(2)},
        [['z', 'clone', '$z0'], ['s', 'narrow', '$z', 0, 2, 2], ['v', 'narrow', '$z', 0, 0, 2], ['_', 'add_', '$v', '$w'], ['o', 'mul', '$z', '$z']], ['s', 'v', 'z'], 'o')
    add('a view of a transposed view: t().select(0, 1).mul_(2)', lambda i: {'x': i.randn(2, 3)},
        [['y', 'clone', '$x'], ['a', 't', '$y'], ['v', 'select', '$a', 0, 1], ['_', 'mul_', '$v', 2.0]], ['a', 'v'], 'y')
    add('a view taken before the base changed in place', lambda i: {'x': i.randn(2, 3)},
        [['y', 'clone', '$x'], ['a', 'select', '$y', 0, 0], ['_', 'mul_', '$y', 2.0]], ['a'], 'a')
    add('a sibling view after a write through another', lambda i: {'x': i.randn(2, 3), 'w': i.randn(3)},
        [['y', 'clone', '$x'], ['b', 'select', '$y', 0, 1], ['v', 'select', '$y', 0, 0], ['_', 'mul_', '$v', '$w'], ['o', 'sin', '$b']], ['b'], 'o')
    add('two writes through two views', lambda i: {'x': i.randn(3, 3), 'w': i.randn(3)},
        [['y', 'clone', '$x'], ['a', 'select', '$y', 1, 0], ['_', 'mul_', '$a', 2.0], ['b', 'select', '$y', 1, 2], ['_', 'add_', '$b', '$w']], ['a', 'b'], 'y')
    add('a row multiplied by a copy of another row of the same base', lambda i: {'x': i.randn(2, 3)},
        [['y', 'clone', '$x'], ['r', 'select', '$y', 0, 1], ['c', 'clone', '$r'], ['v', 'select', '$y', 0, 0], ['_', 'mul_', '$v', '$c']], ['r', 'v'], 'y')
    add('div_ through a view, then the view used', lambda i: {'x': i.randn(2, 3, dtype='float64')},
        [['y', 'clone', '$x'], ['v', 'narrow', '$y', 0, 0, 1], ['_', 'div_', '$v', 2.0], ['o', 'exp', '$v']], ['v'], 'o')
    add('sub_ of a broadcast row through view().narrow()', lambda i: {'x': i.randn(2, 3), 'r': i.randn(2)},
        [['y', 'clone', '$x'], ['f', 'view', '$y', 3, 2], ['v', 'narrow', '$f', 0, 1, 2], ['_', 'sub_', '$v', '$r']], ['f', 'v'], 'y')
    add('an in-place write inside a longer graph', lambda i: {'x': i.randn(3, 4), 'w': i.randn(4, 2)},
        [['h', 'mm', '$x', '$w'], ['v', 'index', '$h', None, 1], ['_', 'mul_', '$v', 0.5], ['t', 'tanh', '$h'], ['o', 'sum', '$t']], ['h', 'v'], 'o')
    # x[i, j] = v is index_put_, in place on x itself; makemore's `dlogits[range(n), Yb] -= 1`.
    rows = {'shape': [4], 'dtype': 'int64', 'values': [0, 1, 2, 3], 'requiresGrad': False}
    ys = {'shape': [4], 'dtype': 'int64', 'values': [2, 0, 4, 2], 'requiresGrad': False}
    add('probs[range(n), ys] -= 1 on a copy of softmax', lambda i: {'x': i.randn(4, 5), 'r': rows, 'y': ys},
        [['p', 'softmax', '$x', 1], ['d', 'clone', '$p'], ['s', 'index', '$d', '$r', '$y'], ['t', 'sub', '$s', 1.0],
         ['_', 'index_put_', '$d', ['$r', '$y'], '$t']], ['d', 's'], 'd')
    add('x[i] = 0 writes whole rows', lambda i: {'x': i.randn(4, 3), 'i': {'shape': [2], 'dtype': 'int64', 'values': [3, 1], 'requiresGrad': False}},
        [['y', 'mul', '$x', 2.0], ['_', 'index_put_', '$y', ['$i'], 0.0]], ['y'], 'y')
    add('index_put_ with accumulate adds repeated positions', lambda i: {'x': i.randn(3, 4), 'w': i.randn(3),
                                                                         'i': {'shape': [3], 'dtype': 'int64', 'values': [1, 1, 0], 'requiresGrad': False},
                                                                         'j': {'shape': [3], 'dtype': 'int64', 'values': [2, 2, 3], 'requiresGrad': False}},
        [['y', 'clone', '$x'], ['_', 'index_put_', '$y', ['$i', '$j'], '$w', True]], ['y'], 'y')
    add('index_put_ of a broadcast row through a view', lambda i: {'x': i.randn(2, 4, 3), 'w': i.randn(3),
                                                                   'i': {'shape': [2], 'dtype': 'int64', 'values': [0, 3], 'requiresGrad': False}},
        [['y', 'clone', '$x'], ['v', 'select', '$y', 0, 1], ['_', 'index_put_', '$v', ['$i'], '$w']], ['v', 'y'], 'y')

    # What PyTorch refuses.
    add('a view of a leaf that requires grad', lambda i: {'x': i.randn(2, 3)}, [['v', 'select', '$x', 0, 0], ['_', 'mul_', '$v', 2.0]], error={})
    add('a piece of chunk modified in place', lambda i: {'x': i.randn(4, 3)}, [['y', 'clone', '$x'], ['p', 'chunk.piece', '$y', 2, 0, 1], ['_', 'mul_', '$p', 2.0]], error={})
    add('a piece of chunk used after its base was modified in place', lambda i: {'x': i.randn(4, 3)},
        [['y', 'clone', '$x'], ['p', 'chunk.piece', '$y', 2, 0, 1], ['_', 'mul_', '$y', 2.0], ['o', 'sum', '$p']], error={})
    add('a row multiplied by another row of the same base, which mul saved', lambda i: {'x': i.randn(2, 3)},
        [['y', 'clone', '$x'], ['r', 'select', '$y', 0, 1], ['v', 'select', '$y', 0, 0], ['_', 'mul_', '$v', '$r']], output='y', error={})
    add('probs[range(n), ys] -= 1 on softmax itself, then backward', lambda i: {'x': i.randn(4, 5), 'r': rows, 'y': ys},
        [['p', 'softmax', '$x', 1], ['s', 'index', '$p', '$r', '$y'], ['t', 'sub', '$s', 1.0],
         ['_', 'index_put_', '$p', ['$r', '$y'], '$t']], output='p', error={})
    add('index_put_ out of bounds', lambda i: {'x': i.randn(2, 3), 'i': {'shape': [1], 'dtype': 'int64', 'values': [5], 'requiresGrad': False}},
        [['y', 'clone', '$x'], ['_', 'index_put_', '$y', ['$i'], 1.0]], error={})
    add('a view made under no_grad, written with grad mode on', lambda i: {'x': i.randn(2, 3)},
        [['y', 'clone', '$x'], ['v', 'select.no_grad', '$y', 0, 1], ['_', 'mul_', '$v', 2.0]], output='y', error={})
    add('a view saved for backward, then written', lambda i: {'x': i.randn(2, 3)},
        [['y', 'clone', '$x'], ['p', 'select', '$y', 0, 0], ['q', 'sin', '$p'], ['_', 'mul_', '$p', 2.0], ['z', 'sum', '$q'], ['_', 'backward', '$z']], backward=False, error={})
    add('a base saved for backward, then written through a view', lambda i: {'x': i.randn(2, 3)},
        [['y', 'clone', '$x'], ['q', 'sin', '$y'], ['p', 'select', '$y', 0, 1], ['_', 'add_', '$p', 1.0], ['z', 'sum', '$q'], ['_', 'backward', '$z']], backward=False, error={})
    add('a write through an expanded view of a base that requires grad', lambda i: {'x': i.randn(3)},
        [['y', 'clone', '$x'], ['u', 'unsqueeze', '$y', 0], ['e', 'expand', '$u', 2, 3], ['_', 'mul_', '$e', 2.0]], error={})
    return cs


def module_state_cases():
    """state_dict of a model with BatchNorm1d: parameters and buffers (running_mean,
    running_var, num_batches_tracked) in PyTorch's order, before and after two training steps,
    and the eval output of a model loaded from the trained state."""
    g = torch.Generator().manual_seed(19)
    torch.manual_seed(19)
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4, momentum=0.2), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    # Weights and bias of BatchNorm away from ones/zeros, so loading them is seen.
    with torch.no_grad():
        m[1].weight.copy_(torch.rand(4, generator=g) + 0.5)
        m[1].bias.copy_(torch.randn(4, generator=g))
    xs = [torch.randn(8, 3, generator=g) for _ in range(3)]

    def state():
        return [[k, enc(v)] for k, v in m.state_dict().items()]
    initial = state()
    outs = [enc(m(x)) for x in xs[:2]]
    trained = state()
    m.eval()
    return {'inputs': [enc(x) for x in xs], 'initial': initial, 'trainOutputs': outs, 'trained': trained, 'evalOutput': enc(m(xs[2]))}


def record_warning_free(c):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return record(c)


# ---- optimizers -------------------------------------------------------------------------

def optim_cases():
    out = []
    configs = [
        ('SGD lr', 'SGD', {'lr': 0.1}, torch.optim.SGD, {'lr': 0.1}),
        ('SGD momentum + weight decay', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'weightDecay': 0.01}, torch.optim.SGD, {'lr': 0.05, 'momentum': 0.9, 'weight_decay': 0.01}),
        ('SGD nesterov + dampening 0', 'SGD', {'lr': 0.05, 'momentum': 0.8, 'nesterov': True}, torch.optim.SGD, {'lr': 0.05, 'momentum': 0.8, 'nesterov': True}),
        ('Adam defaults, lr 0.01', 'Adam', {'lr': 0.01}, torch.optim.Adam, {'lr': 0.01}),
        ('Adam weight decay', 'Adam', {'lr': 0.02, 'weightDecay': 0.1}, torch.optim.Adam, {'lr': 0.02, 'weight_decay': 0.1}),
        ('Adam betas, eps', 'Adam', {'lr': 0.05, 'betas': [0.8, 0.99], 'eps': 1e-6}, torch.optim.Adam, {'lr': 0.05, 'betas': (0.8, 0.99), 'eps': 1e-6}),
        # A weight of 40x30 = 1200 floats takes the engine's WebAssembly SIMD update for float32
        # (smaller parameters stay in its TypeScript loop), with a ragged last 4-lane group.
        ('Adam wide layer, weight decay', 'Adam', {'lr': 0.02, 'weightDecay': 0.1}, torch.optim.Adam, {'lr': 0.02, 'weight_decay': 0.1}, (30, 40)),
        ('Adam wide layer, maximize, eps', 'Adam', {'lr': 0.01, 'maximize': True, 'eps': 1e-3}, torch.optim.Adam, {'lr': 0.01, 'maximize': True, 'eps': 1e-3}, (30, 41)),
    ]
    for dtype in ['float32', 'float64']:
        for name, cls, ts_opts, torch_cls, torch_opts, *dims in configs:
            fin, fout = dims[0] if dims else (3, 2)
            g = torch.Generator().manual_seed(77)
            dt = DTYPES[dtype]
            x = torch.randn(6, fin, generator=g, dtype=torch.float64).to(dt)
            y = torch.randn(6, fout, generator=g, dtype=torch.float64).to(dt)
            w = torch.randn(fout, fin, generator=g, dtype=torch.float64).to(dt).requires_grad_()
            b = torch.randn(fout, generator=g, dtype=torch.float64).to(dt).requires_grad_()
            init = {'x': enc(x), 'y': enc(y), 'w': enc(w), 'b': enc(b)}
            opt = torch_cls([w, b], **torch_opts)
            steps = []
            for _ in range(8):
                opt.zero_grad()
                loss = F.mse_loss(F.linear(x, w, b).tanh(), y)
                loss.backward()
                opt.step()
                steps.append({'loss': loss.item(), 'w': enc(w), 'b': enc(b)})
            out.append({'name': f'{name} {dtype}', 'optimizer': cls, 'options': ts_opts, 'dtype': dtype, 'init': init, 'steps': steps})
    return out


# ---- random streams ---------------------------------------------------------------------

def random_cases():
    cases = []

    def rec(name, seed, calls):
        """calls: list of [kind, *args]; each result recorded in order from one seed."""
        torch.manual_seed(seed)
        results = []
        for call in calls:
            kind, *args = call
            if kind == 'rand':
                shape, dt = args
                t = torch.rand(*shape, dtype=DTYPES[dt])
            elif kind == 'randn':
                shape, dt = args
                t = torch.randn(*shape, dtype=DTYPES[dt])
            elif kind == 'uniform_':
                shape, dt, lo, hi = args
                t = torch.zeros(*shape, dtype=DTYPES[dt]).uniform_(lo, hi)
            elif kind == 'normal_':
                shape, dt, mean, std = args
                t = torch.zeros(*shape, dtype=DTYPES[dt]).normal_(mean, std)
            elif kind == 'linear':
                fin, fout, bias = args
                m = torch.nn.Linear(fin, fout, bias=bias)
                results.append({'weight': enc(m.weight), 'bias': enc(m.bias) if bias else None})
                continue
            elif kind == 'randint':
                lo, hi, shape = args
                t = torch.randint(lo, hi, tuple(shape))
            elif kind == 'multinomial':
                # weights drawn here (from the same stream) so rows vary with the seed
                shape, dt, n, replacement = args
                w = torch.rand(*shape, dtype=DTYPES[dt]).pow(2)
                t = torch.multinomial(w, n, replacement)
            else:
                raise ValueError(kind)
            results.append(enc(t))
        cases.append({'name': name, 'seed': seed, 'calls': calls, 'results': results})

    for seed in [0, 42, 2024]:
        rec(f'rand seed {seed}', seed, [['rand', [5], 'float32'], ['rand', [3, 7], 'float32'], ['rand', [4], 'float64']])
        rec(f'randn small (< 16) seed {seed}', seed, [['randn', [5], 'float32'], ['randn', [3], 'float32'], ['randn', [15], 'float32'], ['randn', [1], 'float64']])
        rec(f'randn vectorised (>= 16) seed {seed}', seed, [['randn', [16], 'float32'], ['randn', [17], 'float32'], ['randn', [5, 8], 'float32'], ['randn', [33], 'float64']])
    rec('mixed stream: rand, randn odd count, rand', 7, [['rand', [2], 'float32'], ['randn', [3], 'float32'], ['rand', [2], 'float32'], ['randn', [1], 'float32'], ['randn', [2], 'float64']])
    rec('uniform_ and normal_', 11, [['uniform_', [10], 'float32', -2.0, 3.0], ['normal_', [20], 'float32', 1.0, 0.5], ['normal_', [7], 'float32', -1.0, 2.0],
                                     ['uniform_', [3, 3], 'float64', 0.0, 1.0], ['normal_', [5], 'float64', 0.0, 3.0]])
    rec('nn.Linear init', 0, [['linear', 4, 3, True], ['linear', 20, 10, True], ['linear', 3, 1, False], ['linear', 1, 10, True]])
    rec('nn.Linear init seed 123', 123, [['linear', 64, 8, True]])
    for seed in [0, 42, 2024]:
        rec(f'randint seed {seed}', seed, [['randint', 0, 27, [32]], ['randint', -5, 5, [3, 4]], ['randint', 0, 2, [7]], ['rand', [3], 'float32'],
                                           ['randint', -2**31, 2**31 + 1, [4]]])
        rec(f'multinomial seed {seed}', seed, [['multinomial', [27], 'float32', 1, True], ['multinomial', [27], 'float32', 1, True],
                                               ['multinomial', [3, 6], 'float32', 1, False], ['multinomial', [10], 'float32', 4, False],
                                               ['multinomial', [2, 5], 'float64', 3, False], ['multinomial', [27], 'float32', 20, True],
                                               ['multinomial', [2, 4], 'float64', 6, True], ['rand', [2], 'float32']])
    return cases


# ---- higher order -----------------------------------------------------------------------

def higher_order_cases():
    """Repeated autograd.grad with create_graph: d^k/dx^k of a few functions, float64."""
    out = []
    fns = [
        ('x^3 * sin(x)', lambda x: x.pow(3) * x.sin()),
        ('exp(tanh(x)) / (1 + x^2)', lambda x: x.tanh().exp() / (x * x + 1)),
        ('sigmoid(x) * log(x^2 + 1)', lambda x: x.sigmoid() * (x * x + 1).log()),
        ('sqrt(x^2 + 1) * cos(x)', lambda x: (x * x + 1).sqrt() * x.cos()),
        ('softmax(x)[0] summed with x * x', lambda x: x.softmax(0).select(0, 0) + (x * x).sum()),
    ]
    g = torch.Generator().manual_seed(5)
    for name, f in fns:
        xv = torch.randn(4, generator=g, dtype=torch.float64)
        x = xv.clone().requires_grad_()
        y = f(x).sum()
        derivs = []
        cur = y
        for _ in range(3):
            (d,) = torch.autograd.grad(cur, x, create_graph=True)
            derivs.append(enc(d))
            cur = d.sum()
        out.append({'name': name, 'x': enc(xv), 'value': enc(y), 'derivatives': derivs})
    # A Hessian-vector product of a two-input function.
    a = torch.tensor([0.3, -1.2, 0.8], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([1.5, 0.4, -0.7], dtype=torch.float64, requires_grad=True)
    v = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    y = (a * b).sin().sum() + (a.pow(2) * b).sum()
    ga, gb = torch.autograd.grad(y, [a, b], create_graph=True)
    hv = torch.autograd.grad((ga * v).sum(), [a, b])
    out.append({'name': 'hessian-vector product', 'a': enc(a), 'b': enc(b), 'v': enc(v), 'grads': [enc(ga), enc(gb)], 'hv': [enc(h) for h in hv],
                'gradNames': [node_name(ga.grad_fn), node_name(gb.grad_fn)]})
    return out


def dump(name, data):
    path = os.path.join(OUT_DIR, name)
    with open(path, 'w') as f:
        json.dump({'generatedBy': 'scripts/gen_fixtures.py', 'torch': torch.__version__, 'nameOverrides': NAME_OVERRIDES, 'data': data},
                  f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)')


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    table = load_table()
    OPS.update({name: eval(src, CALL_SCOPE) for name, src in table['calls'].items()})
    ops = {key: [table_case(p) for p in programs] for key, programs in table['programs'].items()}
    for key, cases in ops.items():
        for c in cases:
            record_warning_free(c)
            names = {n['name'] for n in (c['expect']['graph'] or [])}
            assert key in names, f'{c["name"]}: {key} not in the PyTorch graph {names}'
    dump('engine-ops.json', ops)
    dump('engine-graphs.json', [record_warning_free(c) for c in graph_cases()])
    dump('engine-errors.json', [record_warning_free(c) for c in error_cases()])
    dump('engine-optim.json', optim_cases())
    dump('engine-random.json', random_cases())
    dump('engine-higher-order.json', higher_order_cases())
    dump('engine-inplace-views.json', [record_inplace_view(c) for c in inplace_view_cases()])
    dump('engine-module-state.json', module_state_cases())


if __name__ == '__main__':
    sys.exit(main())
