# PyTorch mirror of examples/tiny-attention.ts.
import json
import math

import torch
import torch.nn.functional as F
from torch import nn

TEXT = "the cat sat on the mat. the dog sat on the log. the cat saw the dog. "
VOCAB = sorted(set(TEXT))
BLOCK = 8
EMBED = 16


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query = nn.Linear(EMBED, EMBED)
        self.key = nn.Linear(EMBED, EMBED)
        self.value = nn.Linear(EMBED, EMBED)
        self.proj = nn.Linear(EMBED, EMBED)
        self.register_buffer("mask", torch.tril(torch.ones(BLOCK, BLOCK)))

    def forward(self, x):
        T = x.size(1)
        q = self.query(x)
        k = self.key(x)
        v = self.value(x)
        att = q @ k.transpose(1, 2) * (1 / math.sqrt(EMBED))
        att = att.masked_fill(self.mask[:T, :T] == 0, float("-inf")).softmax(-1)
        return self.proj(att @ v)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(EMBED, 4 * EMBED)
        self.proj = nn.Linear(4 * EMBED, EMBED)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(EMBED)
        self.attn = CausalSelfAttention()
        self.ln2 = nn.LayerNorm(EMBED)
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tokens = nn.Embedding(len(VOCAB), EMBED)
        self.positions = nn.Embedding(BLOCK, EMBED)
        self.block = Block()
        self.lnF = nn.LayerNorm(EMBED)
        self.head = nn.Linear(EMBED, len(VOCAB))

    def forward(self, idx):
        x = self.tokens(idx) + self.positions(torch.arange(idx.size(1)))
        return self.head(self.lnF(self.block(x)))


def encode(s):
    return [VOCAB.index(c) for c in s]


torch.manual_seed(1337)
model = TinyGPT()
ids = encode(TEXT)
windows = len(ids) - BLOCK
x = torch.tensor([ids[i:i + BLOCK] for i in range(windows)], dtype=torch.int64)
y = torch.tensor([ids[i + 1:i + BLOCK + 1] for i in range(windows)], dtype=torch.int64)
print("vocab", len(VOCAB), "windows", windows)

optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(61):
    loss = F.cross_entropy(model(x).view(-1, len(VOCAB)), y.view(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print("step", step, "loss", loss.item())


def continue_text(prompt, n):
    text = prompt
    for _ in range(n):
        context = torch.tensor([encode(text[-BLOCK:])], dtype=torch.int64)
        with torch.no_grad():
            logits = model(context)
        text += VOCAB[logits[0, -1].argmax().item()]
    return text


print("continued:", json.dumps(continue_text("the dog ", 24)))
