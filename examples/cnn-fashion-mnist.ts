// A small CNN: two Conv2d -> ReLU -> MaxPool2d stages (28x28 -> 14x14 -> 7x7) and a Linear
// classifier, trained with cross-entropy and Adam on shuffled mini-batches. With Debian's
// `dataset-fashion-mnist` installed (or GRADLENS_FASHION_MNIST pointing at a folder of its
// IDX files) it trains on part of Fashion-MNIST; otherwise on 28x28 "digits" drawn as
// seven-segment figures, shifted around and buried in Gaussian noise (the same ones as
// examples/mnist-classifier.ts). GRADLENS_SYNTHETIC_DIGITS=1 picks the generated digits even
// where Fashion-MNIST is.
//
// Comparing with PyTorch: manualSeed gives PyTorch's initial Conv2d and Linear weights, and
// the noise and the shuffled order come from the same random stream as PyTorch's, so the
// printed losses and accuracies match PyTorch's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as torch from 'gradlens';

const { nn, optim } = torch;
const { DataLoader, TensorDataset, parseIdx } = torch.utils.data;

class SmallCNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 8, 3, { padding: 1 }); // [N, 1, 28, 28] -> [N, 8, 28, 28]
  pool1 = new nn.MaxPool2d(2); // -> [N, 8, 14, 14]
  conv2 = new nn.Conv2d(8, 16, 3, { padding: 1 }); // -> [N, 16, 14, 14]
  pool2 = new nn.MaxPool2d(2); // -> [N, 16, 7, 7]
  fc = new nn.Linear(16 * 7 * 7, 10);

  forward(x: torch.Tensor): torch.Tensor {
    x = this.pool1(this.conv1(x).relu());
    x = this.pool2(this.conv2(x).relu());
    return this.fc(x.flatten(1)); // logits; CrossEntropyLoss applies log-softmax itself
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
  return { images, labels: torch.tensor(labels, { dtype: torch.int64 }) };
}

/** Where Debian's dataset-fashion-mnist may have put the IDX files. */
const FASHION_DIRS = [
  process.env.GRADLENS_FASHION_MNIST ?? '',
  '/usr/share/dataset-fashion-mnist',
  '/usr/share/datasets/fashion-mnist',
  '/usr/share/fashion-mnist',
].filter((d) => d !== '');

/** One IDX file of the set, gzip-compressed or not; null when it is not there. */
function readIdxFile(dir: string, name: string): Uint8Array | null {
  for (const [file, unpack] of [
    [`${name}.gz`, gunzipSync],
    [name, (b: Buffer) => b],
  ] as const) {
    const path = join(dir, file);
    if (existsSync(path)) return new Uint8Array(unpack(readFileSync(path)));
  }
  return null;
}

/** The first n images [n, 1, 28, 28] in [0, 1] and labels of one Fashion-MNIST split. */
function fashionMnist(dir: string, split: 'train' | 't10k', n: number) {
  const images = readIdxFile(dir, `${split}-images-idx3-ubyte`);
  const labels = readIdxFile(dir, `${split}-labels-idx1-ubyte`);
  if (images === null || labels === null) return null;
  return {
    images: parseIdx(images, { dtype: torch.float32, limit: n }).div(255).view(-1, 1, 28, 28),
    labels: parseIdx(labels, { limit: n }),
  };
}

function loadData() {
  const dir = FASHION_DIRS.find((d) => existsSync(d));
  if (dir !== undefined && process.env.GRADLENS_SYNTHETIC_DIGITS !== '1') {
    const train = fashionMnist(dir, 'train', 600);
    const test = fashionMnist(dir, 't10k', 500);
    if (train !== null && test !== null) return { source: `Fashion-MNIST from ${dir}`, train, test };
  }
  return { source: 'generated digits', train: syntheticDigits(300), test: syntheticDigits(100) };
}

torch.manualSeed(0);
const model = new SmallCNN();
const { source, train, test } = loadData();
console.log('data:', source);

const lossFn = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });

/** Loss and accuracy on the test set, without a graph. */
function evaluate(): { loss: number; accuracy: number } {
  const logits = torch.noGrad(() => model(test.images));
  const loss = lossFn(logits, test.labels).item();
  const accuracy = logits.argmax(1).eq(test.labels).float().mean().item();
  return { loss, accuracy };
}

const before = evaluate();
console.log('initial_test_loss', before.loss, 'initial_accuracy', before.accuracy);

const loader = new DataLoader(new TensorDataset(train.images, train.labels), {
  batchSize: 20,
  shuffle: true,
});
for (let epoch = 0; epoch < 3; epoch++) {
  let total = 0;
  for (const [x, y] of loader) {
    optimizer.zeroGrad();
    const loss = lossFn(model(x), y);
    loss.backward();
    optimizer.step();
    total += loss.item();
  }
  console.log('epoch', epoch, 'train_loss', total / loader.length);
}

const after = evaluate();
console.log('test_loss', after.loss, 'accuracy', after.accuracy);
