// NN_line: the forward pass written out by hand as `weight @ x.T + bias`, with the weight
// and bias registered as nn.Parameters, so an optimizer finds them through parameters().
// It learns the line y = 2x - 1 from a few noisy samples.
import * as torch from 'gradlens';

const { nn, optim } = torch;

class NN_line extends nn.Module {
  weight = new nn.Parameter(torch.randn(1, 1));
  bias = new nn.Parameter(torch.randn(1));

  forward(x: torch.Tensor): torch.Tensor {
    // x is [N, 1]; weight @ x.T is [1, N]: one row holding every prediction.
    return this.weight.matmul(x.t()).add(this.bias);
  }
}

torch.manualSeed(1);
const model = new NN_line();
console.log('initial weight', model.weight.item(), 'bias', model.bias.item());

const x = torch.linspace(-1, 1, 20).unsqueeze(1); // [20, 1]
const y = x.mul(2).sub(1).add(torch.randn(20, 1).mul(0.05)).t(); // [1, 20], like the predictions

const lossFn = new nn.MSELoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });

for (let epoch = 0; epoch < 200; epoch++) {
  optimizer.zeroGrad();
  const loss = lossFn(model(x), y);
  loss.backward();
  optimizer.step();
  if (epoch % 50 === 0 || epoch === 199) console.log('epoch', epoch, 'loss', loss.item());
}

console.log('weight', model.weight.item(), 'bias', model.bias.item()); // about 2 and -1
