// MNISTClassifier: 784 -> 256 -> 10 with ReLU and dropout, trained with cross-entropy and
// Adam. There is no network access here, so instead of downloading MNIST we draw 28x28
// "digits" as seven-segment figures, shifted around and buried in Gaussian noise.
//
// Comparing with PyTorch: the weights (manualSeed) and the noise come from the same random
// stream as PyTorch's, so the evaluation before training matches to float32 precision.
// Dropout draws its masks from that stream too, the way PyTorch builds without MKL do
// (Debian's, which made our reference numbers); with an MKL build of PyTorch the masks,
// and therefore the training curve, would differ.
import * as torch from 'gradlens';

const { nn, optim } = torch;

class MNISTClassifier extends nn.Module {
  fc1 = new nn.Linear(784, 256);
  dropout = new nn.Dropout(0.2);
  fc2 = new nn.Linear(256, 10);

  forward(x: torch.Tensor): torch.Tensor {
    x = x.view(x.size(0), -1); // [N, 1, 28, 28] -> [N, 784]
    x = this.fc1.forward(x).relu();
    x = this.dropout.forward(x);
    return this.fc2.forward(x); // logits; CrossEntropyLoss applies log-softmax itself
  }
}

// Segments a..g of a seven-segment display as [row0, row1, col0, col1] boxes (inclusive).
const SEGMENTS: Record<string, [number, number, number, number]> = {
  a: [5, 6, 9, 18], b: [5, 14, 17, 18], c: [13, 22, 17, 18], d: [21, 22, 9, 18],
  e: [13, 22, 9, 10], f: [5, 14, 9, 10], g: [13, 14, 9, 18],
};
const DIGITS = ['abcdef', 'bc', 'abdeg', 'abcdg', 'bcfg', 'acdfg', 'acdefg', 'abc', 'abcdefg', 'abcdfg'];

/** n images [n, 1, 28, 28] in [0, 1] and their labels (int64); the noise uses torch's RNG. */
function syntheticDigits(n: number): { images: torch.Tensor; labels: torch.Tensor } {
  const pixels = new Float32Array(n * 784);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const digit = i % 10;
    const dx = (i % 3) - 1; // shifts of -1..1 pixels that do not follow the label
    const dy = (Math.floor(i / 3) % 3) - 1;
    for (const s of DIGITS[digit]) {
      const [r0, r1, c0, c1] = SEGMENTS[s];
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) pixels[i * 784 + (r + dy) * 28 + (c + dx)] = 1;
    }
    labels.push(digit);
  }
  const noise = torch.randn(n, 784).mul(0.5);
  const images = torch.tensor(pixels).view(n, 784).add(noise).clamp(0, 1).view(n, 1, 28, 28);
  return { images, labels: torch.tensor(labels, { dtype: 'int64' }) };
}

torch.manualSeed(0);
const model = new MNISTClassifier();
const train = syntheticDigits(600);
const test = syntheticDigits(200);

const lossFn = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });

/** Loss and accuracy on the test set, with dropout off and no graph. */
function evaluate(): { loss: number; accuracy: number } {
  model.eval();
  const logits = torch.noGrad(() => model.forward(test.images));
  const loss = lossFn.forward(logits, test.labels).item();
  const accuracy = logits.argmax(1).eq(test.labels).float().mean().item();
  model.train();
  return { loss, accuracy };
}

const before = evaluate();
console.log('initial_test_loss', before.loss, 'initial_accuracy', before.accuracy);

// Mini-batches in a fixed order (no shuffling), so the run repeats exactly.
const batchSize = 50;
for (let epoch = 0; epoch < 3; epoch++) {
  let total = 0;
  for (let start = 0; start < 600; start += batchSize) {
    const x = train.images.narrow(0, start, batchSize);
    const y = train.labels.narrow(0, start, batchSize);
    optimizer.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    total += loss.item();
  }
  console.log('epoch', epoch, 'train_loss', total / (600 / batchSize));
}

const after = evaluate();
console.log('test_loss', after.loss, 'accuracy', after.accuracy);
