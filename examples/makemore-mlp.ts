// A makemore-style character MLP (Bengio et al. 2003, as in Karpathy's "makemore" lessons):
// each of the 27 characters ('.' ends a name, then a-z) has a learnt 10-number embedding;
// the embeddings of the last three characters go through Linear -> BatchNorm1d -> tanh ->
// Linear to logits for the next character, trained with cross-entropy and SGD on random
// minibatches of a few dozen first names. After training, the model samples new names one
// character at a time from its softmax (torch.multinomial), with BatchNorm in eval mode
// (its running statistics).
//
// Comparing with PyTorch: manualSeed gives PyTorch's initial embedding (normal_) and Linear
// weights, and torch.randint / torch.multinomial draw PyTorch's numbers from the same
// stream, so the minibatches, the printed losses and the sampled names match PyTorch's.
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
const BATCH = 32;
const STEPS = 300;

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
for (let step = 0; step <= STEPS; step++) {
  const ix = torch.randint(0, x.size(0), [BATCH]); // a random minibatch's rows
  const loss = F.crossEntropy(model(x.index(ix)), y.index(ix));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  if (step % 50 === 0) console.log('step', step, 'loss', loss.item());
}

model.eval();
console.log('eval_loss', torch.noGrad(() => F.crossEntropy(model(x), y)).item());

/** A new name, one character at a time drawn from the model's softmax, up to '.'. */
function sample(): string {
  let context = new Array<number>(BLOCK).fill(0);
  let name = '';
  while (name.length < 20) {
    const logits = torch.noGrad(() => model(torch.tensor([context], { dtype: torch.int64 })));
    const probs = F.softmax(logits, 1);
    const ix = torch.multinomial(probs, 1, true).item();
    if (ix === 0) break;
    name += CHARS[ix];
    context = [...context.slice(1), ix];
  }
  return name;
}
// The name inside the printed label: a different sample is a different label.
for (let i = 0; i < 8; i++) {
  const name = sample();
  console.log('sample', name, 'length', name.length);
}
