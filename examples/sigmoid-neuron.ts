// One artificial neuron with a sigmoid: y = sigmoid(w · x + b).
// Part 1 checks autograd against the chain rule: dy/dz = y (1 - y), so dy/dw = y (1 - y) x.
// Part 2 trains the neuron to compute logical OR with binary cross-entropy.
import * as torch from 'gradlens';

// Part 1: one forward and backward pass.
const x = torch.tensor([0.5, -1.0, 2.0]);
const w = torch.tensor([0.2, 0.4, -0.1], { requiresGrad: true });
const b = torch.tensor(0.1, { requiresGrad: true });

const z = w.mul(x).sum().add(b); // 0.1 - 0.4 - 0.2 + 0.1 = -0.4
const y = z.sigmoid();
y.backward();

const yv = y.item();
console.log('z', z.item(), 'y', yv);
console.log('dy/dw', ...(w.grad!.tolist() as number[]));
console.log('dy/db', b.grad!.item());
console.log('chain_rule_dy/db', yv * (1 - yv)); // the same number, by hand

// Part 2: learn OR. Inputs are the rows of X, targets 0 1 1 1.
torch.manualSeed(0);
const X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const target = torch.tensor([[0], [1], [1], [1]]);
const neuron = new torch.nn.Linear(2, 1); // w · x + b, PyTorch's initialisation
const lossFn = new torch.nn.BCELoss();
const optimizer = new torch.optim.SGD(neuron.parameters(), { lr: 1.0 });

for (let step = 0; step < 100; step++) {
  optimizer.zeroGrad();
  const loss = lossFn(neuron(X).sigmoid(), target);
  loss.backward();
  optimizer.step();
  if (step % 25 === 0 || step === 99) console.log('step', step, 'loss', loss.item());
}
const out = torch.noGrad(() => neuron(X).sigmoid());
console.log('or', ...(out.flatten().tolist() as number[])); // near 0, 1, 1, 1
