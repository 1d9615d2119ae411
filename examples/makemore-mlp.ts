// A makemore-style character MLP (Bengio et al. 2003, as in Karpathy's "makemore" lessons):
// each of the 27 characters ('.' ends a name, then a-z) has a learnt 10-number embedding;
// the embeddings of the last three characters go through Linear -> BatchNorm1d -> tanh ->
// Linear to logits for the next character, trained with cross-entropy and SGD on a few
// dozen first names. After training, the model spells a few names greedily (the most
// likely next character each time), with BatchNorm in eval mode (its running statistics).
//
// Comparing with PyTorch: manualSeed gives PyTorch's initial embedding (normal_) and Linear
// weights, and the whole set is one batch, so the printed losses match PyTorch's. Training
// stops at step 80: around step 90 the loss spikes, and from there float32 rounding
// differences (our sums add in another order than PyTorch's kernels) grow to 1e-3.
import * as torch from 'gradlens';

const { nn } = torch;
const F = nn.functional;

// Common first names (public lists of US baby names); small enough to train in a blink.
const NAMES = [
  'emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'charlotte', 'amelia', 'harper',
  'evelyn', 'abigail', 'emily', 'elizabeth', 'mila', 'ella', 'avery', 'sofia', 'camila',
  'aria', 'scarlett', 'victoria', 'madison', 'luna', 'grace', 'chloe', 'penelope', 'layla',
  'riley', 'zoey', 'nora', 'lily', 'eleanor', 'liam', 'noah', 'oliver', 'elijah', 'james',
  'william', 'benjamin', 'lucas', 'henry', 'theodore',
];
const CHARS = '.abcdefghijklmnopqrstuvwxyz';
const BLOCK = 3; // characters of context

/** Every (three characters, next character) pair of the names, as int64 index tensors. */
function buildDataset(names: string[]): { x: torch.Tensor; y: torch.Tensor } {
  const contexts: number[][] = [];
  const targets: number[] = [];
  for (const name of names) {
    let context = new Array<number>(BLOCK).fill(0);
    for (const ch of name + '.') {
      const ix = CHARS.indexOf(ch);
      contexts.push(context);
      targets.push(ix);
      context = [...context.slice(1), ix];
    }
  }
  return {
    x: torch.tensor(contexts, { dtype: torch.int64 }),
    y: torch.tensor(targets, { dtype: torch.int64 }),
  };
}

class CharMLP extends nn.Module {
  emb = new nn.Embedding(CHARS.length, 10);
  hidden = new nn.Linear(BLOCK * 10, 64, false); // no bias: BatchNorm's shift replaces it
  bn = new nn.BatchNorm1d(64);
  out = new nn.Linear(64, CHARS.length);

  forward(context: torch.Tensor): torch.Tensor {
    const e = this.emb(context); // [N, 3, 10]
    const h = this.bn(this.hidden(e.view(e.size(0), -1))).tanh();
    return this.out(h); // logits over the next character
  }
}

torch.manualSeed(42);
const model = new CharMLP();
const { x, y } = buildDataset(NAMES);
console.log('examples', x.size(0), 'parameters', model.parameters().reduce((n, p) => n + p.numel(), 0));

const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.2 });
for (let step = 0; step <= 80; step++) {
  const loss = F.crossEntropy(model(x), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  if (step % 20 === 0) console.log('step', step, 'loss', loss.item());
}

model.eval();
console.log('eval_loss', torch.noGrad(() => F.crossEntropy(model(x), y)).item());

/** `first` and the characters the model finds most likely after it, up to 12 in all. */
function spell(first: string): string {
  let context = [0, 0, CHARS.indexOf(first)];
  let name = first;
  while (name.length < 12) {
    const logits = torch.noGrad(() => model(torch.tensor([context], { dtype: torch.int64 })));
    const ix = logits.argmax(1).item();
    if (ix === 0) break;
    name += CHARS[ix];
    context = [...context.slice(1), ix];
  }
  return name;
}
console.log('greedy names:', ['a', 'e', 'l', 'm'].map(spell).join(' '));
