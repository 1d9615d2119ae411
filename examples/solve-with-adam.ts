// Solving P = 0 with Adam, where Q = a**3 - 3b and P = Q**2 (see retain-grad.ts).
// P is never negative and is 0 exactly where a**3 = 3b, so minimising P solves the
// equation: we let Adam move a and b, starting from a = 2, b = 8 (where P = 256).
import * as torch from 'gradlens';

const a = torch.tensor(2.0, { requiresGrad: true });
const b = torch.tensor(8.0, { requiresGrad: true });
const optimizer = new torch.optim.Adam([a, b], { lr: 0.1 });

for (let step = 0; step <= 200; step++) {
  optimizer.zeroGrad();
  const Q = a.pow(3).sub(b.mul(3));
  const P = Q.pow(2);
  if (step % 25 === 0) console.log('step', step, 'P', P.item(), 'a', a.item(), 'b', b.item());
  P.backward();
  optimizer.step();
}

// a**3 is now close to 3b, and P close to 0.
const P = a.pow(3).sub(b.mul(3)).pow(2);
console.log('a', a.item(), 'b', b.item(), 'a**3', a.item() ** 3, '3b', 3 * b.item());
console.log('P', P.item());
