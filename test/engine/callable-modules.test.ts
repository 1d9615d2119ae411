// Modules and losses are functions, as in PyTorch: `model(x)`, `lossFn(yPred, y)`; they stay
// `instanceof nn.Module`, subclassing works, and fields may be called `name` or `length`.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

const nn = torch.nn;

class Net extends nn.Module {
  override name = 'classifier'; // Function's name in the type, hence override
  override length = 3;
  fc1 = new nn.Linear(2, 4);
  act = new nn.ReLU();
  fc2 = new nn.Linear(4, 1);

  forward(x: torch.Tensor): torch.Tensor {
    return this.fc2(this.act(this.fc1(x)));
  }
}

describe('callable modules', () => {
  it('model(x) is model.forward(x), inside the module scope', () => {
    torch.manualSeed(0);
    const net = new Net();
    const x = torch.randn(3, 2);
    expect(net(x).tolist()).toEqual(net.forward(x).tolist());
    expect(typeof net).toBe('function');
    expect(net).toBeInstanceOf(nn.Module);
    expect(net).toBeInstanceOf(Net);
    expect(net.constructor).toBe(Net);
  });

  it('fields named name and length are ordinary fields', () => {
    const net = new Net();
    expect(net.name).toBe('classifier');
    expect(net.length).toBe(3);
    net.name = 'other';
    expect(net.name).toBe('other');
    expect([...net.namedChildren()].map(([k]) => k)).toEqual(['fc1', 'act', 'fc2']);
    expect([...net.namedParameters()].map(([k]) => k)).toEqual([
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
    ]);
    expect(String(net)).toContain('(fc1): Linear(in_features=2, out_features=4, bias=True)');
  });

  it('nn.Sequential and losses are callable', () => {
    torch.manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(3, 2), new nn.Tanh());
    const lossFn = new nn.MSELoss();
    const x = torch.randn(5, 3);
    const y = torch.randn(5, 2);
    const loss = lossFn(model(x), y);
    expect(loss.gradFn?.name()).toBe('MseLossBackward0');
    expect(loss.item()).toBe(lossFn.forward(model.forward(x), y).item());
    expect(model.length).toBe(2);
    expect(model[0]).toBeInstanceOf(nn.Linear);
  });

  it('a module call is recorded as a module scope', () => {
    let seen: string[] = [];
    class Probe extends nn.Module {
      forward(x: torch.Tensor): torch.Tensor {
        seen = nn.currentModulePath();
        return x;
      }
    }
    class Outer extends nn.Module {
      inner = new Probe();
      forward(x: torch.Tensor): torch.Tensor {
        return this.inner(x);
      }
    }
    new Outer()(torch.ones(1));
    expect(seen).toEqual(['Outer', 'Outer.inner']);
  });

  it('a new module is in training mode, so Dropout drops and BatchNorm counts batches', () => {
    const net = new Net();
    expect(net.training).toBe(true);
    expect(net.fc1.training).toBe(true);
    torch.manualSeed(0);
    const dropped = new nn.Dropout(0.5)(torch.ones(1000));
    const zeros = (dropped.tolist() as number[]).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(400);
    expect(zeros).toBeLessThan(600);
    net.eval();
    expect(net.fc2.training).toBe(false);
  });
});
