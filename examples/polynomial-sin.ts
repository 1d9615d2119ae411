// Fitting y = a x + b x^2 + c x^3 to sin(x) on [-pi, pi] by gradient descent on the
// summed squared error, with the updates written out by hand (PyTorch's classic
// "polynomial with autograd" exercise, without the constant term: sin is odd).
import * as torch from 'gradlens';

torch.manualSeed(0);

const x = torch.linspace(-Math.PI, Math.PI, 2000);
const y = x.sin();

// Three scalar parameters, randomly initialised.
const a = torch.randn([], { requiresGrad: true });
const b = torch.randn([], { requiresGrad: true });
const c = torch.randn([], { requiresGrad: true });
console.log('initial a', a.item(), 'b', b.item(), 'c', c.item());

const lr = 1e-6;
for (let t = 0; t < 2000; t++) {
  const yPred = a.mul(x).add(b.mul(x.pow(2))).add(c.mul(x.pow(3)));
  const loss = yPred.sub(y).pow(2).sum();
  if (t % 400 === 399) console.log('t', t, 'loss', loss.item());
  loss.backward();

  torch.noGrad(() => {
    for (const p of [a, b, c]) {
      p.sub_(p.grad!.mul(lr));
      p.grad = null; // as good as grad.zero_(): the next backward starts afresh
    }
  });
}

// sin x ≈ x - x^3/6 near 0, so a should head towards ~0.85 and c towards ~-0.09 (b -> 0).
console.log('a', a.item(), 'b', b.item(), 'c', c.item());
