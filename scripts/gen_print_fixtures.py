#!/usr/bin/python3
"""Golden fixtures for printing: what PyTorch's str() shows for tensors and graph nodes, and
the messages whose shapes PyTorch prints as torch.Size.

Run with Debian's PyTorch: /usr/bin/python3 scripts/gen_print_fixtures.py
Writes test/fixtures/engine-print.json; test/engine/print-golden.test.ts rebuilds each tensor
with our engine and compares its text verbatim.

Floating values travel as the hex of their bits (8 digits for float32, 16 for float64), so
the engine gets exactly the float32 PyTorch printed, NaN, infinities and -0.0 included.
The tensors are random (fixed seed) over what changes the text: shape (0-d, empty, long
vectors that wrap, more than `threshold` elements), magnitude (what picks scientific
notation), integral values, ties in rounding, dtype, non-contiguous views and the
requires_grad/grad_fn suffixes; a second set prints under torch.set_printoptions.
"""
import json
import math
import os
import random
import re
import struct
import sys
from typing import Any, Callable, Dict, List, Optional

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'engine-print.json')

DTYPES = {'float32': torch.float32, 'float64': torch.float64, 'int64': torch.int64, 'bool': torch.bool}

# Ops that keep the values and record a node (or, for t/transpose, make a strided view).
OPS: Dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    'clone': lambda t: t.clone(),
    'mul1': lambda t: t * 1,
    'view': lambda t: t.view(t.shape),
    't': lambda t: t.t(),
    'transpose01': lambda t: t.transpose(0, 1),
    'parameter': lambda t: torch.nn.Parameter(t.detach(), t.requires_grad),
}


def encode_value(v: Any, dtype: str) -> Any:
    if dtype == 'float32':
        return struct.pack('>f', v).hex()
    if dtype == 'float64':
        return struct.pack('>d', v).hex()
    return int(v)


def encode(t: torch.Tensor) -> Dict[str, Any]:
    dtype = next(k for k, v in DTYPES.items() if v == t.dtype)
    return {'shape': list(t.shape), 'dtype': dtype,
            'values': [encode_value(v, dtype) for v in t.reshape(-1).tolist()]}


def record(name: str, t: torch.Tensor, requires_grad: bool = False, op: Optional[str] = None,
           options: Optional[Dict[str, Any]] = None, input_name: Optional[str] = None) -> Dict[str, Any]:
    """A case; with `input_name` the tensor is stored once under that name in `inputs`."""
    leaf = t.detach().clone().requires_grad_(requires_grad)
    shown = leaf if op is None else OPS[op](leaf)
    if options:
        torch.set_printoptions(**options)
    try:
        text = str(shown)
    finally:
        torch.set_printoptions(profile='default')
    tensor = {'input': input_name} if input_name else encode(t)
    return {'name': name, **tensor, 'requiresGrad': requires_grad, 'op': op, 'options': options, 'text': text}


# ---- random tensors ------------------------------------------------------------------------

def random_shape(rng: random.Random) -> List[int]:
    """Mostly small; one in twenty just over the threshold, to be summarized."""
    if rng.random() < 0.05:
        return rng.choice([[rng.randint(1001, 1300)], [rng.randint(34, 40), 30], [rng.randint(11, 13), 3, 30]])
    while True:
        rank = rng.choice([0, 1, 1, 1, 2, 2, 2, 3, 3, 4])
        shape = [rng.choice([0, 1, 1, 2, 3, 4, 5, 7, 8, 13]) if rng.random() < 0.9 else rng.randint(1, 30)
                 for _ in range(rank)]
        if math.prod(shape) <= 300:
            return shape


def random_floats(rng: random.Random, n: int) -> List[float]:
    kind = rng.choice(['normal', 'normal', 'scaled', 'wide', 'integral', 'ties', 'tiny', 'huge'])
    scale = 10.0 ** rng.randint(-7, 10)
    out = []
    for _ in range(n):
        if kind == 'normal':
            v = rng.gauss(0, 1)
        elif kind == 'scaled':
            v = rng.gauss(0, 1) * scale
        elif kind == 'wide':
            v = rng.gauss(0, 1) * 10.0 ** rng.randint(-6, 8)
        elif kind == 'integral':
            v = float(rng.randint(-2000, 2000) * rng.choice([1, 1, 1, 1000, 100000]))
        elif kind == 'ties':
            # Odd multiples of 2^-5: a tie at the 4th decimal, which Python rounds to even.
            v = rng.randint(-4000, 4000) / 32
        elif kind == 'tiny':
            v = rng.gauss(0, 1) * 1e-5
        else:
            v = rng.gauss(0, 1) * 1e9
        out.append(v)
    specials = [0.0, -0.0, math.nan, math.inf, -math.inf, 1.0, 9.99995, 0.00005]
    for i in range(n):
        if rng.random() < 0.04:
            out[i] = rng.choice(specials)
    return out


def random_tensor(rng: random.Random, shape: List[int], dtype: str) -> torch.Tensor:
    n = math.prod(shape)
    if dtype == 'bool':
        values: List[Any] = [rng.random() < 0.5 for _ in range(n)]
    elif dtype == 'int64':
        bound = rng.choice([9, 100, 100000, 2 ** 31 - 1])
        values = [rng.randint(-bound, bound) for _ in range(n)]
    else:
        values = random_floats(rng, n)
    return torch.tensor(values, dtype=DTYPES[dtype]).reshape(shape)


def random_cases(rng: random.Random) -> List[Dict[str, Any]]:
    cases = []
    for i in range(300):
        dtype = rng.choice(['float32'] * 6 + ['float64', 'int64', 'bool'])
        shape = random_shape(rng)
        t = random_tensor(rng, shape, dtype)
        grad = dtype.startswith('float') and rng.random() < 0.3
        ops = [None, None, 'clone', 'mul1', 'view'] if grad else [None]
        if t.dim() == 2 and rng.random() < 0.3:
            ops = ['t']
        elif t.dim() >= 2 and rng.random() < 0.2:
            ops = ['transpose01']
        op = rng.choice(ops)
        cases.append(record(f'random {i}: {dtype} {shape}', t, grad, op))
    return cases


# ---- chosen tensors ------------------------------------------------------------------------

def chosen_cases() -> List[Dict[str, Any]]:
    cases = []

    def add(name: str, t: torch.Tensor, **kw: Any) -> None:
        cases.append(record(name, t, **kw))

    add('0-d', torch.tensor(3.5))
    add('0-d negative zero', torch.tensor(-0.0))
    add('0-d nan', torch.tensor(math.nan))
    add('0-d int64', torch.tensor(-7))
    add('0-d bool', torch.tensor(True))
    add('0-d requires grad', torch.tensor(2.0), requires_grad=True)
    add('0-d grad_fn', torch.tensor(2.0), requires_grad=True, op='mul1')
    add('0-d float64 grad_fn', torch.tensor(2.5, dtype=torch.float64), requires_grad=True, op='mul1')
    for shape in ([0], [2, 0], [0, 3], [2, 0, 3]):
        for dtype in DTYPES:
            add(f'empty {dtype} {shape}', torch.zeros(shape, dtype=DTYPES[dtype]))
    add('empty requires grad', torch.zeros(0), requires_grad=True)
    add('linspace(0, 1, 20) wraps at 80 columns', torch.linspace(0, 1, 20))
    add('arange(100) int64 wraps', torch.arange(100))
    add('200 bools wrap', torch.arange(200) % 3 == 0)
    add('1001 elements: one over the threshold', torch.arange(1001, dtype=torch.float32) / 7)
    add('1000 elements: at the threshold', torch.arange(1000, dtype=torch.float32) / 7)
    add('randn(1500)', torch.randn(1500))
    add('randn(1100) with grad_fn', torch.randn(1100), requires_grad=True, op='mul1')
    add('2-D summarized', torch.randn(40, 30))
    add('2-D summarized rows only', torch.randn(200, 6))
    add('3-D summarized', torch.randn(5, 6, 40) * 1000)
    add('4-D summarized', torch.randn(3, 7, 8, 7))
    add('int64 summarized', torch.arange(1100).reshape(11, 100))
    add('long suffix wraps onto a new line',
        torch.tensor([1.5] * 8, dtype=torch.float64), requires_grad=True, op='clone')
    add('suffix on the last row of a matrix',
        torch.randn(3, 8, dtype=torch.float64), requires_grad=True, op='transpose01')
    add('all nan and inf', torch.tensor([math.nan, math.inf, -math.inf]))
    add('zeros with nan', torch.tensor([0.0, math.nan, -0.0]))
    add('integers with nan', torch.tensor([1.0, math.nan, 300.0]))
    add('integers needing sci mode', torch.tensor([1.0, 123445.0, 5.0]))
    add('integers over 1e8', torch.tensor([1.0, 2e8]))
    add('tiny fraction forces sci mode', torch.tensor([0.5, 5e-5]))
    add('ratio just over 1000', torch.tensor([1.0, 1000.5]))
    add('ratio exactly 1000', torch.tensor([0.5, 500.0]))
    add('rounding ties to even', torch.tensor([0.03125, 0.09375, 1.15625, -0.03125]))
    add('rounding up to a new digit', torch.tensor([9.99995, 99.99995, 0.5]))
    add('huge float64', torch.tensor([1e300, -1e-300, 1.0], dtype=torch.float64))
    add('subnormal float32', torch.tensor([1e-45, 1.0]))
    add('parameter', torch.randn(2, 3), requires_grad=True, op='parameter')
    add('parameter without grad', torch.ones(3), op='parameter')
    return cases


def option_inputs() -> Dict[str, torch.Tensor]:
    return {
        'fractions': torch.tensor([1.12345, -2.5, 300.0]),
        'tiny': torch.tensor([1e-5, 1.0]),
        'integers': torch.tensor([1.0, 2.0, 3000.0]),
        'arange(10)': torch.arange(10),
        'randn(8, 9)': torch.randn(8, 9),
        'randn(1100)': torch.randn(1100),
        'zeros': torch.zeros(3),
        'linspace(0, 1, 30)': torch.linspace(0, 1, 30),
    }


def options_cases(inputs: Dict[str, torch.Tensor]) -> List[Dict[str, Any]]:
    cases = []
    options = [
        {'precision': 2}, {'precision': 0}, {'precision': 8}, {'threshold': 5},
        {'threshold': 5, 'edgeitems': 1}, {'threshold': 5, 'edgeitems': 0}, {'edgeitems': 1},
        {'linewidth': 40}, {'linewidth': 1}, {'sci_mode': True}, {'sci_mode': False},
        {'profile': 'short'}, {'profile': 'full'}, {'profile': 'short', 'precision': 6},
        {'precision': 3, 'sci_mode': True, 'linewidth': 50},
    ]
    for opts in options:
        for name, t in inputs.items():
            nd_edge0 = opts.get('edgeitems') == 0 and t.dim() > 1 and t.numel() > opts.get('threshold', 1000)
            if nd_edge0:
                continue  # PyTorch itself fails there (torch.stack of nothing)
            cases.append(record(f'{name} with {opts}', t, options=opts, input_name=name))
    return cases


# ---- graph nodes ---------------------------------------------------------------------------

ADDRESS = re.compile(r'0x[0-9a-f]+')


def node_cases() -> List[Dict[str, str]]:
    """Reprs of nodes and next_functions, with addresses written as 0x…; the test mirrors each."""
    a = torch.tensor([2.0], requires_grad=True)
    b = torch.tensor([8.0], requires_grad=True)
    q = a ** 3 - 3 * b
    p = q ** 2
    x = torch.ones(2, requires_grad=True)
    y = (x * 2).sum()

    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, t: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
            return t * 2

        @staticmethod
        def backward(ctx: Any, g: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
            return g * 2

    d = Double.apply(x)
    shown = {
        'Q.grad_fn': q.grad_fn,
        'Q.grad_fn.next_functions': q.grad_fn.next_functions,
        'Q.grad_fn.next_functions[0]': q.grad_fn.next_functions[0],
        'Q.grad_fn.next_functions[1][0].next_functions': q.grad_fn.next_functions[1][0].next_functions,
        'P.grad_fn.next_functions[0][0].next_functions[0][0].next_functions':
            p.grad_fn.next_functions[0][0].next_functions[0][0].next_functions,
        'y.grad_fn.next_functions[0][0].next_functions': y.grad_fn.next_functions[0][0].next_functions,
        'AccumulateGrad': y.grad_fn.next_functions[0][0].next_functions[0][0],
        'AccumulateGrad.next_functions': y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions,
        'Double.grad_fn': d.grad_fn,
        'Double tensor': d,
    }
    return [{'name': k, 'text': ADDRESS.sub('0x…', str(v))} for k, v in shown.items()]


# ---- modules -------------------------------------------------------------------------------

def module_cases() -> List[Dict[str, str]]:
    """str(module); the test builds the same modules by name."""
    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = torch.nn.Linear(2, 8)
            self.act = torch.nn.Tanh()
            self.head = torch.nn.Sequential(torch.nn.Linear(8, 1, bias=False), torch.nn.Sigmoid())

    shown = {
        'Sequential(Linear(3, 2), ReLU())': torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU()),
        'Net': Net(),
        'activation layers': torch.nn.Sequential(
            torch.nn.GELU(), torch.nn.GELU(approximate='tanh'), torch.nn.SiLU(), torch.nn.LeakyReLU(),
            torch.nn.LeakyReLU(0.2), torch.nn.Softplus(), torch.nn.Softplus(2, 5), torch.nn.ELU(), torch.nn.ELU(0.5)),
    }
    return [{'name': k, 'text': str(v)} for k, v in shown.items()]


# ---- shapes in messages -------------------------------------------------------------------

def message_of(run: Callable[[], Any]) -> str:
    try:
        run()
    except (RuntimeError, ValueError) as e:
        return str(e)
    raise AssertionError('no error')


def message_cases() -> List[Dict[str, str]]:
    """Messages PyTorch's Python code words with torch.Size; the test mirrors each by name."""
    x = torch.ones(3, 1, requires_grad=True)
    linear = torch.nn.Linear(3, 2)
    cases = {
        'backward with a gradient of another shape': lambda: (x * 2).backward(torch.ones(3)),
        'autograd.grad with a grad_output of another shape':
            lambda: torch.autograd.grad(x * 2, x, torch.ones(4)),
        'load_state_dict with a weight of another shape':
            lambda: linear.load_state_dict({'weight': torch.ones(3, 3), 'bias': torch.ones(2)}),
        'binary_cross_entropy with a target of another size':
            lambda: torch.nn.functional.binary_cross_entropy(torch.full((3, 1), 0.5), torch.ones(3)),
    }
    return [{'name': k, 'text': message_of(run)} for k, run in cases.items()]


def main() -> None:
    torch.manual_seed(0)
    rng = random.Random(16)
    inputs = option_inputs()
    data = {
        'tensors': chosen_cases() + random_cases(rng),
        'options': options_cases(inputs),
        'inputs': {name: encode(t) for name, t in inputs.items()},
        'nodes': node_cases(),
        'messages': message_cases(),
        'modules': module_cases(),
    }
    with open(OUT, 'w') as f:
        json.dump({'generatedBy': 'scripts/gen_print_fixtures.py', 'torch': torch.__version__, 'data': data},
                  f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(OUT, ROOT)}: {len(data["tensors"])} tensors, '
          f'{len(data["options"])} with options, {len(data["nodes"])} nodes, {len(data["messages"])} messages '
          f'({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    sys.exit(main())
