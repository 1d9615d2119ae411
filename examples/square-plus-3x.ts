// y = x**2 + 3x: the smallest autograd program. dy/dx = 2x + 3, so at x = 2 the gradient is 7.
import * as torch from 'gradlens';

const x = torch.tensor(2.0, { requiresGrad: true });
const y = x.pow(2).add(x.mul(3)); // x**2 + 3 * x
console.log(`y = ${y}`); // grad_fn=<AddBackward0>: y remembers how it was made

y.backward(); // fills x.grad with dy/dx
console.log('y', y.item());
console.log('dy/dx', x.grad!.item()); // 2 * 2 + 3 = 7

// The same on several points at once: backward needs a scalar, so sum first;
// each x[i] only affects its own term, so x.grad[i] = 2 * x[i] + 3.
const xs = torch.tensor([-2, -1, 0, 1, 2], { requiresGrad: true });
xs.pow(2).add(xs.mul(3)).sum().backward();
console.log('xs', ...(xs.tolist() as number[]));
console.log('dy/dxs', ...(xs.grad!.tolist() as number[]));
