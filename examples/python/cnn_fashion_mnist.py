# PyTorch mirror of examples/cnn-fashion-mnist.ts.
import gzip
import os
import struct

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool2 = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool1(torch.relu(self.conv1(x)))
        x = self.pool2(torch.relu(self.conv2(x)))
        return self.fc(x.flatten(1))


SEGMENTS = {
    "a": (5, 6, 9, 18), "b": (5, 14, 17, 18), "c": (13, 22, 17, 18), "d": (21, 22, 9, 18),
    "e": (13, 22, 9, 10), "f": (5, 14, 9, 10), "g": (13, 14, 9, 18),
}
DIGITS = ["abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc", "abcdefg", "abcdfg"]


def synthetic_digits(n):
    pixels = torch.zeros(n * 784)
    labels = []
    for i in range(n):
        digit = i % 10
        dx = i % 3 - 1
        dy = (i // 3) % 3 - 1
        for s in DIGITS[digit]:
            r0, r1, c0, c1 = SEGMENTS[s]
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    pixels[i * 784 + (r + dy) * 28 + (c + dx)] = 1
        labels.append(digit)
    noise = torch.randn(n, 784) * 0.5
    images = (pixels.view(n, 784) + noise).clamp(0, 1).view(n, 1, 28, 28)
    return images, torch.tensor(labels, dtype=torch.int64)


FASHION_DIRS = [d for d in [os.environ.get("GRADLENS_FASHION_MNIST", ""), "/usr/share/dataset-fashion-mnist",
                            "/usr/share/datasets/fashion-mnist", "/usr/share/fashion-mnist"] if d]


def read_idx(directory, name, n):
    for file, opener in ((name + ".gz", gzip.open), (name, open)):
        path = os.path.join(directory, file)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = list(struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims]))
            shape[0] = min(shape[0], n)
            count = 1
            for s in shape:
                count *= s
            start = 4 + 4 * dims
            return torch.tensor(list(data[start:start + count]), dtype=torch.int64).view(shape)
    return None


def fashion_mnist(directory, split, n):
    images = read_idx(directory, split + "-images-idx3-ubyte", n)
    labels = read_idx(directory, split + "-labels-idx1-ubyte", n)
    if images is None or labels is None:
        return None
    return (images.float() / 255).view(-1, 1, 28, 28), labels


def load_data():
    directory = next((d for d in FASHION_DIRS if os.path.exists(d)), None)
    if directory is not None and os.environ.get("GRADLENS_SYNTHETIC_DIGITS") != "1":
        train, test = fashion_mnist(directory, "train", 600), fashion_mnist(directory, "t10k", 500)
        if train is not None and test is not None:
            return "Fashion-MNIST from " + directory, train, test
    return "generated digits", synthetic_digits(300), synthetic_digits(100)


torch.manual_seed(0)
model = SmallCNN()
source, (train_images, train_labels), (test_images, test_labels) = load_data()
print("data:", source)

loss_fn = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=3e-3)


def evaluate():
    with torch.no_grad():
        logits = model(test_images)
    loss = loss_fn(logits, test_labels).item()
    accuracy = (logits.argmax(1) == test_labels).float().mean().item()
    return loss, accuracy


loss0, acc0 = evaluate()
print("initial_test_loss", loss0, "initial_accuracy", acc0)

loader = DataLoader(TensorDataset(train_images, train_labels), batch_size=20, shuffle=True)
for epoch in range(3):
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    print("epoch", epoch, "train_loss", total / len(loader))

loss1, acc1 = evaluate()
print("test_loss", loss1, "accuracy", acc1)
