// NN_sinus: a small network (1 -> 10 -> 10 -> 1 with ReLU) learns sin(x) on [-pi, pi],
// trained with MSE and Adam. Same seed, same initial weights as PyTorch.
import * as torch from 'gradlens';

const { nn, optim } = torch;

class NN_sinus extends nn.Module {
  fc1 = new nn.Linear(1, 10);
  fc2 = new nn.Linear(10, 10);
  fc3 = new nn.Linear(10, 1);

  forward(x: torch.Tensor): torch.Tensor {
    x = this.fc1(x).relu();
    x = this.fc2(x).relu();
    return this.fc3(x);
  }
}

torch.manualSeed(42);
const model = new NN_sinus();

// 200 samples as a column: shape [200, 1], one feature per sample.
const x = torch.linspace(-Math.PI, Math.PI, 200).unsqueeze(1);
const y = x.sin();

const lossFn = new nn.MSELoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });

for (let epoch = 0; epoch < 300; epoch++) {
  optimizer.zeroGrad();
  const loss = lossFn(model(x), y);
  loss.backward();
  optimizer.step();
  if (epoch % 50 === 0 || epoch === 299) console.log('epoch', epoch, 'loss', loss.item());
}

// A few predictions against the truth.
const probe = torch.tensor([[-2], [-1], [0.5], [1.5]]);
const pred = torch.noGrad(() => model(probe));
console.log('sin', ...(probe.sin().flatten().tolist() as number[]));
console.log('pred', ...(pred.flatten().tolist() as number[]));
