// A deep MLP: 1,400 Linear + Tanh blocks in one nn.Sequential. Its autograd graph has about
// 9,800 nodes (per block: AddmmBackward0, TBackward0, TanhBackward0, and the AccumulateGrad and
// leaf of a weight and of a bias), so the graph view opens it with the Sequential's blocks
// collapsed into a repeat that expands on demand.
import * as torch from 'gradlens';

const { nn } = torch;
const DEPTH = 1400;
const WIDTH = 8;

torch.manualSeed(0);
const blocks: torch.nn.Module[] = [new nn.Linear(2, WIDTH), new nn.Tanh()];
for (let i = 1; i < DEPTH; i++) blocks.push(new nn.Linear(WIDTH, WIDTH), new nn.Tanh());
const model = new nn.Sequential(...blocks, new nn.Linear(WIDTH, 1));

const x = torch.randn([16, 2]);
const y = x.sum(1, true).sin();
const loss = new nn.MSELoss()(model(x), y);
loss.backward();
console.log('loss', loss.item());
// Through 1,400 tanh layers the gradient vanishes (to exactly 0 in float32, as in PyTorch): compare the first and last weight's gradient.
const params = model.parameters();
console.log('mean |grad|, first layer weight', params[0].grad!.abs().mean().item());
console.log('mean |grad|, last layer weight', params[params.length - 2].grad!.abs().mean().item());
