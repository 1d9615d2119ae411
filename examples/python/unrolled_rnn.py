# PyTorch mirror of examples/unrolled-rnn.ts.
import math
import torch
from torch import nn

STEPS = 800


class RNNCell(nn.Module):
    def __init__(self):
        super().__init__()
        self.ih = nn.Linear(2, 8)
        self.hh = nn.Linear(8, 8)

    def forward(self, x, h):
        return torch.tanh(self.ih(x) + self.hh(h))


class SeqModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = RNNCell()
        self.head = nn.Linear(8, 1)

    def forward(self, xs, ys):
        h = torch.zeros(1, 8)
        loss = torch.zeros(())
        for t in range(len(xs)):
            h = self.cell(xs[t], h)
            loss = loss + (self.head(h) - ys[t]).pow(2).sum()
        return loss / len(xs)


torch.manual_seed(0)
model = SeqModel()


def phase(t):
    return t * 0.05


xs = [torch.tensor([[math.sin(phase(t)), math.cos(phase(t))]]) for t in range(STEPS)]
ys = [torch.tensor([[math.sin(phase(t + 1))]]) for t in range(STEPS)]

loss = model(xs, ys)
loss.backward()
print("loss", loss.item())
print("head.bias grad", *model.head.bias.grad.tolist())
print("cell.hh.bias grad", *model.cell.hh.bias.grad.flatten().tolist()[:4])
