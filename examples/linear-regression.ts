// Linear regression by hand: y = w x + b fitted with plain gradient descent. The update is
// done inside torch.noGrad() (it must not become part of the graph), and the gradients are
// zeroed with grad.zero_() afterwards because backward() adds to .grad, it does not replace it.
import * as torch from 'gradlens';

torch.manualSeed(0);

// Data: 100 points on y = 3x + 2, with a little noise.
const x = torch.randn(100, 1);
const y = x.mul(3).add(2).add(torch.randn(100, 1).mul(0.1));

// Parameters: leaves that require grad.
const w = torch.randn(1, { requiresGrad: true });
const b = torch.zeros(1, { requiresGrad: true });
console.log('initial w', w.item(), 'b', b.item());

const lr = 0.1;
for (let epoch = 0; epoch < 100; epoch++) {
  const yPred = x.mul(w).add(b);
  const loss = yPred.sub(y).pow(2).mean();
  loss.backward();

  torch.noGrad(() => {
    w.sub_(w.grad!.mul(lr));
    b.sub_(b.grad!.mul(lr));
  });
  w.grad!.zero_();
  b.grad!.zero_();

  if (epoch % 20 === 0 || epoch === 99) console.log('epoch', epoch, 'loss', loss.item());
}

console.log('w', w.item(), 'b', b.item()); // close to 3 and 2
