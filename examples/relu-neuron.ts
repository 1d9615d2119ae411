// One neuron with a ReLU: y = relu(w · x + b). ReLU passes the gradient through where
// z > 0 and blocks it where z < 0: the neuron learns nothing from an input that gives a
// negative z, and one whose z is negative for every input never learns again ("dead").
import * as torch from 'gradlens';

const w = torch.tensor([0.5, -0.25], { requiresGrad: true });
const b = torch.tensor(0.1, { requiresGrad: true });

// z = 0.5*2 - 0.25*1 + 0.1 = 0.85 > 0: the gradient flows, dy/dw = x.
const active = w.dot(torch.tensor([2.0, 1.0])).add(b).relu();
active.backward();
console.log('active_y', active.item());
console.log('active_dy/dw', ...(w.grad!.tolist() as number[]), 'dy/db', b.grad!.item());

w.grad = null;
b.grad = null;
// z = 0.5*(-2) - 0.25*1 + 0.1 = -1.15 < 0: output 0, and all gradients are 0.
const inactive = w.dot(torch.tensor([-2.0, 1.0])).add(b).relu();
inactive.backward();
console.log('inactive_y', inactive.item());
console.log('inactive_dy/dw', ...(w.grad!.tolist() as number[]), 'dy/db', b.grad!.item());

// Training the neuron to follow y = relu(2 x1 - x2) with SGD on mean squared error.
torch.manualSeed(3);
const X = torch.randn(32, 2);
const target = X.matmul(torch.tensor([[2.0], [-1.0]])).relu();
const neuron = new torch.nn.Linear(2, 1);
const optimizer = new torch.optim.SGD(neuron.parameters(), { lr: 0.1 });
for (let step = 0; step < 100; step++) {
  optimizer.zeroGrad();
  const loss = neuron(X).relu().sub(target).pow(2).mean();
  loss.backward();
  optimizer.step();
  if (step % 25 === 0 || step === 99) console.log('step', step, 'loss', loss.item());
}
console.log('weight', ...(neuron.weight.flatten().tolist() as number[]), 'bias', neuron.bias!.item());
