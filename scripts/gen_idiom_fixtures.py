#!/usr/bin/python3
"""Golden fixtures for the PyTorch idioms of the TypeScript engine, computed with PyTorch.

Run with Debian's PyTorch: `npm run fixtures:idioms` (/usr/bin/python3 scripts/gen_idiom_fixtures.py)
Writes test/fixtures/engine-idioms.json; test/engine/idioms-golden.test.ts checks our engine
against it. Floating values travel as the hex of their bits, so a test can demand the same
float32 bit for bit.

- ranges: torch.arange / torch.linspace outputs (random arguments, lengths that use the
  kernels' vector and scalar paths);
- errors: PyTorch's messages for options our factories must refuse the same way;
- warnings: the UserWarnings we emit, without the build path PyTorch appends;
- optimizers: `print(optimizer)` for Adam and SGD configurations;
- loaders: the batches of DataLoader(range(n)) over two epochs and the next torch.rand
  draw (the loader's draws from the default generator), and random_split's subsets.
"""
import json
import os
import random
import struct
import sys
import warnings

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'engine-idioms.json')
DTYPES = {'float32': torch.float32, 'float64': torch.float64, 'int64': torch.int64}


def bits(t):
    if t.dtype == torch.float32:
        return [struct.pack('>f', v).hex() for v in t.tolist()]
    if t.dtype == torch.float64:
        return [struct.pack('>d', v).hex() for v in t.tolist()]
    return t.tolist()


def range_cases():
    rnd = random.Random(16)
    cases = [{'fn': 'linspace', 'args': [-3.14159, 3.14159, 7], 'dtype': 'float32'},
             {'fn': 'linspace', 'args': [0, 1, 20], 'dtype': 'float32'},
             {'fn': 'linspace', 'args': [-1, 1, 5], 'dtype': 'int64'},
             {'fn': 'arange', 'args': [0, 1, 0.1], 'dtype': 'float32'},
             {'fn': 'arange', 'args': [-3, 3, 0.25], 'dtype': 'float64'}]
    for _ in range(60):
        a, b = rnd.uniform(-100, 100), rnd.uniform(-100, 100)
        n = rnd.choice([2, 3, 7, 15, 16, 17, 31, 33, 100, 257, 1000])
        cases.append({'fn': 'linspace', 'args': [a, b, n], 'dtype': rnd.choice(['float32', 'float32', 'float64'])})
    for _ in range(40):
        a = rnd.uniform(-50, 50)
        step = rnd.choice([-1, 1]) * rnd.uniform(0.01, 3)
        b = a + step * rnd.choice([3, 9, 16, 17, 40, 333])
        cases.append({'fn': 'arange', 'args': [a, b, step], 'dtype': rnd.choice(['float32', 'float32', 'float64'])})
    for c in cases:
        c['values'] = bits(getattr(torch, c['fn'])(*c['args'], dtype=DTYPES[c['dtype']]))
    return cases


def error_cases():
    out = []
    for name, call in [
        ("tensor([1], { dtype: 'int32' })", lambda: torch.tensor([1], dtype='int32')),
        ("tensor([1], { foo: 1 })", lambda: torch.tensor([1], foo=1)),
        ("linspace(0, 1, 3, { foo: 2 })", lambda: torch.linspace(0, 1, 3, foo=2)),
        ("randn(2, { dtype: torch.int64 })", lambda: torch.randn(2, dtype=torch.int64)),
        ("rand(2, { dtype: torch.int64 })", lambda: torch.rand(2, dtype=torch.int64)),
        ("tensor([1], { dtype: torch.int64, requiresGrad: true })", lambda: torch.tensor([1], dtype=torch.int64, requires_grad=True)),
        ("arange(0, 5, -1)", lambda: torch.arange(0, 5, -1)),
        ("x.mT of 1-D", lambda: torch.ones(3).mT),
    ]:
        try:
            call()
        except (TypeError, RuntimeError) as e:
            msg = str(e)
            # The part our message shares: PyTorch names Python types (`str`) where we show the value.
            contains = msg.split(' not ')[0] + ' not' if 'must be torch.dtype' in msg else msg
            out.append({'name': name, 'torch': msg, 'contains': contains})
            continue
        raise AssertionError(f'{name}: PyTorch did not raise')
    return out


def warning_cases():
    def caught(name, action):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            action()
        assert len(w) == 1, (name, [str(x.message) for x in w])
        text = str(w[0].message).split(' (Triggered internally at ')[0]
        return {'name': name, 'category': w[0].category.__name__, 'text': text}

    x = torch.ones(2, requires_grad=True)
    return [caught('.grad of a non-leaf', lambda: (x * 2).grad),
            caught('x.T of 3-D', lambda: torch.ones(2, 3, 4).T)]


def optimizer_cases():
    def p():
        return torch.ones(2, requires_grad=True)

    configs = [
        ('Adam(lr=0.01)', lambda: torch.optim.Adam([p()], lr=0.01)),
        ('Adam(defaults)', lambda: torch.optim.Adam([p()])),
        ('Adam(lr=0.001, betas=(0.8, 0.99), weight_decay=1e-05, amsgrad=True)',
         lambda: torch.optim.Adam([p()], lr=0.001, betas=(0.8, 0.99), weight_decay=1e-05, amsgrad=True)),
        ('SGD(lr=0.1, momentum=0.9)', lambda: torch.optim.SGD([p()], lr=0.1, momentum=0.9)),
        ('SGD(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.0001)',
         lambda: torch.optim.SGD([p()], lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.0001)),
        ('SGD two groups (lr=0.1; lr=0.5)', lambda: torch.optim.SGD([{'params': [p()]}, {'params': [p()], 'lr': 0.5}], lr=0.1)),
    ]
    return [{'name': name, 'text': str(make())} for name, make in configs]


def loader_cases():
    from torch.utils.data import DataLoader, random_split
    out = []
    for seed, n, batch, shuffle, drop in [(0, 10, 4, True, False), (0, 10, 4, False, False), (3, 25, 8, True, True),
                                          (7, 100, 16, True, False), (1, 5, 5, True, False)]:
        torch.manual_seed(seed)
        loader = DataLoader(list(range(n)), batch_size=batch, shuffle=shuffle, drop_last=drop)
        epochs = [[b.tolist() for b in loader] for _ in range(2)]
        out.append({'seed': seed, 'n': n, 'batchSize': batch, 'shuffle': shuffle, 'dropLast': drop,
                    'epochs': epochs, 'next': bits(torch.rand(1))[0]})
    splits = []
    for seed, n, lengths in [(1, 10, [7, 3]), (1, 10, [0.5, 0.5]), (5, 11, [0.6, 0.2, 0.2])]:
        torch.manual_seed(seed)
        splits.append({'seed': seed, 'n': n, 'lengths': lengths,
                       'indices': [list(x.indices) for x in random_split(range(n), lengths)]})
    return {'loaders': out, 'splits': splits}


def main():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        data = {'ranges': range_cases(), 'errors': error_cases()}
    data['warnings'] = warning_cases()
    data['optimizers'] = optimizer_cases()
    data.update(loader_cases())
    with open(OUT, 'w') as f:
        json.dump({'generatedBy': 'scripts/gen_idiom_fixtures.py', 'torch': torch.__version__, 'data': data}, f,
                  separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
