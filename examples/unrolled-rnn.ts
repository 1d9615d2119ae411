// An Elman RNN unrolled over 800 time steps: the autograd graph has about 10,000 nodes,
// one RNNCell call and one head call per step, so the graph view shows it collapsed into
// module groups and a repeated block ("x 800") that expands on demand.
import * as torch from 'gradlens';

const { nn } = torch;
const STEPS = 800;

class RNNCell extends nn.Module {
  ih = new nn.Linear(2, 8);
  hh = new nn.Linear(8, 8);

  forward(x: torch.Tensor, h: torch.Tensor): torch.Tensor {
    return this.ih(x).add(this.hh(h)).tanh();
  }
}

class SeqModel extends nn.Module {
  cell = new RNNCell();
  head = new nn.Linear(8, 1);

  /** Mean squared error of the one-step-ahead prediction over the whole sequence. */
  forward(xs: torch.Tensor[], ys: torch.Tensor[]): torch.Tensor {
    let h = torch.zeros([1, 8]);
    let loss = torch.zeros([]);
    for (let t = 0; t < xs.length; t++) {
      h = this.cell(xs[t], h);
      loss = loss.add(this.head(h).sub(ys[t]).pow(2).sum());
    }
    return loss.div(xs.length);
  }
}

torch.manualSeed(0);
const model = new SeqModel();

// Input at step t: (sin, cos) of a phase; target: the sine one step later.
const phase = (t: number) => t * 0.05;
const xs = Array.from({ length: STEPS }, (_, t) => torch.tensor([[Math.sin(phase(t)), Math.cos(phase(t))]]));
const ys = Array.from({ length: STEPS }, (_, t) => torch.tensor([[Math.sin(phase(t + 1))]]));

const loss = model(xs, ys);
loss.backward();
console.log('loss', loss.item());
console.log('head.bias grad', ...(model.head.bias!.grad!.tolist() as number[]));
console.log('cell.hh.bias grad', ...(model.cell.hh.bias!.grad!.flatten().tolist() as number[]).slice(0, 4));
