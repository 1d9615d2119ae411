# PyTorch mirror of examples/mnist-classifier.ts.
import torch
from torch import nn, optim


class MNISTClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.dropout = nn.Dropout(0.2)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        x = torch.relu(self.fc1(x))
        x = self.dropout(x)
        return self.fc2(x)


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


torch.manual_seed(0)
model = MNISTClassifier()
train_images, train_labels = synthetic_digits(600)
test_images, test_labels = synthetic_digits(200)

loss_fn = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=3e-3)


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(test_images)
    loss = loss_fn(logits, test_labels).item()
    accuracy = (logits.argmax(1) == test_labels).float().mean().item()
    model.train()
    return loss, accuracy


loss0, acc0 = evaluate()
print("initial_test_loss", loss0, "initial_accuracy", acc0)

batch_size = 50
for epoch in range(3):
    total = 0.0
    for start in range(0, 600, batch_size):
        x = train_images.narrow(0, start, batch_size)
        y = train_labels.narrow(0, start, batch_size)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    print("epoch", epoch, "train_loss", total / (600 / batch_size))

loss1, acc1 = evaluate()
print("test_loss", loss1, "accuracy", acc1)
