// One block of a GPT-style transformer, small enough to read: token and position
// embeddings, then x + attention(LayerNorm(x)) and x + MLP(LayerNorm(x)), where the
// attention is one causal head (q, k, v linears; scores masked above the diagonal with a
// tril mask, so each position sees only itself and the ones before it; softmax) and the MLP
// is Linear -> GELU -> Linear. Trained with Adam to predict the next character of a short
// text, then it continues a prompt greedily.
//
// Comparing with PyTorch: manualSeed gives PyTorch's initial embeddings and Linear weights
// (drawn in the order the modules are built), and the whole text is one batch, so the
// printed losses match PyTorch's.
import * as torch from 'gradlens';

const { nn } = torch;
const F = nn.functional;

const TEXT = 'the cat sat on the mat. the dog sat on the log. the cat saw the dog. ';
const VOCAB = [...new Set(TEXT)].sort();
const BLOCK = 8; // context length
const EMBED = 16;

class CausalSelfAttention extends nn.Module {
  query = new nn.Linear(EMBED, EMBED);
  key = new nn.Linear(EMBED, EMBED);
  value = new nn.Linear(EMBED, EMBED);
  proj = new nn.Linear(EMBED, EMBED);
  // 1 on and below the diagonal: position t may attend to positions 0..t.
  mask = torch.ones(BLOCK, BLOCK).tril();

  forward(x: torch.Tensor): torch.Tensor {
    const T = x.size(1);
    const q = this.query(x); // [B, T, E]
    const k = this.key(x);
    const v = this.value(x);
    let att = q.matmul(k.transpose(1, 2)).mul(1 / Math.sqrt(EMBED)); // [B, T, T]
    const future = this.mask.narrow(0, 0, T).narrow(1, 0, T).eq(0); // PyTorch: mask[:T, :T] == 0
    att = att.maskedFill(future, -Infinity).softmax(-1);
    return this.proj(att.matmul(v));
  }
}

class MLP extends nn.Module {
  fc = new nn.Linear(EMBED, 4 * EMBED);
  proj = new nn.Linear(4 * EMBED, EMBED);

  forward(x: torch.Tensor): torch.Tensor {
    return this.proj(F.gelu(this.fc(x)));
  }
}

class Block extends nn.Module {
  ln1 = new nn.LayerNorm(EMBED);
  attn = new CausalSelfAttention();
  ln2 = new nn.LayerNorm(EMBED);
  mlp = new MLP();

  forward(x: torch.Tensor): torch.Tensor {
    x = x.add(this.attn(this.ln1(x))); // residual connections
    return x.add(this.mlp(this.ln2(x)));
  }
}

class TinyGPT extends nn.Module {
  tokens = new nn.Embedding(VOCAB.length, EMBED);
  positions = new nn.Embedding(BLOCK, EMBED);
  block = new Block();
  lnF = new nn.LayerNorm(EMBED);
  head = new nn.Linear(EMBED, VOCAB.length);

  /** Logits [B, T, vocab] for the next character at every position. */
  forward(idx: torch.Tensor): torch.Tensor {
    const x = this.tokens(idx).add(this.positions(torch.arange(idx.size(1))));
    return this.head(this.lnF(this.block(x)));
  }
}

const encode = (s: string) => [...s].map((c) => VOCAB.indexOf(c));

torch.manualSeed(1337);
const model = new TinyGPT();
// Every BLOCK-character window of the text and the window one character later.
const ids = encode(TEXT);
const windows = ids.length - BLOCK;
const windowsFrom = (shift: number) =>
  torch.tensor(
    Array.from({ length: windows }, (_, i) => ids.slice(i + shift, i + shift + BLOCK)),
    { dtype: torch.int64 },
  );
const x = windowsFrom(0);
const y = windowsFrom(1); // the targets: each window's next characters
console.log('vocab', VOCAB.length, 'windows', windows);

const lossOf = (logits: torch.Tensor) => F.crossEntropy(logits.view(-1, VOCAB.length), y.view(-1));
const optimizer = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
for (let step = 0; step <= 60; step++) {
  const loss = lossOf(model(x));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  if (step % 10 === 0) console.log('step', step, 'loss', loss.item());
}

/** The prompt continued by `n` characters, each the most likely one given the last BLOCK. */
function continueText(prompt: string, n: number): string {
  let text = prompt;
  for (let i = 0; i < n; i++) {
    const context = torch.tensor([encode(text.slice(-BLOCK))], { dtype: torch.int64 });
    const logits = torch.noGrad(() => model(context));
    text += VOCAB[logits.index(0, -1).argmax().item()];
  }
  return text;
}
console.log('continued:', JSON.stringify(continueText('the dog ', 24)));
