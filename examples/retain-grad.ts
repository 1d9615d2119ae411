// Q = a**3 - 3b and P = Q**2, at a = 2, b = 8. Q is an intermediate (non-leaf) tensor:
// autograd frees its gradient unless we ask for it with retainGrad().
//   Q = 8 - 24 = -16,  P = 256
//   dP/dQ = 2Q = -32,  dP/da = dP/dQ * 3a^2 = -384,  dP/db = dP/dQ * -3 = 96
import * as torch from 'gradlens';

const a = torch.tensor(2.0, { requiresGrad: true });
const b = torch.tensor(8.0, { requiresGrad: true });

const Q = a.pow(3).sub(b.mul(3));
Q.retainGrad(); // keep dP/dQ in Q.grad after backward
const P = Q.pow(2);

console.log(`Q = ${Q}`);
console.log(`P = ${P}`);
console.log('is_leaf a', Number(a.isLeaf), 'Q', Number(Q.isLeaf)); // 1 0

P.backward();
console.log('Q', Q.item());
console.log('P', P.item());
console.log('dP/da', a.grad!.item()); // -384
console.log('dP/db', b.grad!.item()); // 96
console.log('dP/dQ', Q.grad!.item()); // -32
