# PyTorch mirror of examples/makemore-mlp.ts.
import torch
import torch.nn.functional as F
from torch import nn

NAMES = [
    "emma", "olivia", "ava", "isabella", "sophia", "mia", "charlotte", "amelia", "harper",
    "evelyn", "abigail", "emily", "elizabeth", "mila", "ella", "avery", "sofia", "camila",
    "aria", "scarlett", "victoria", "madison", "luna", "grace", "chloe", "penelope", "layla",
    "riley", "zoey", "nora", "lily", "eleanor", "liam", "noah", "oliver", "elijah", "james",
    "william", "benjamin", "lucas", "henry", "theodore",
]
CHARS = ".abcdefghijklmnopqrstuvwxyz"
BLOCK = 3
BATCH = 32
STEPS = 300


def build_dataset(names):
    contexts, targets = [], []
    for name in names:
        context = [0] * BLOCK
        for ch in name + ".":
            ix = CHARS.index(ch)
            contexts.append(context)
            targets.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(contexts, dtype=torch.int64), torch.tensor(targets, dtype=torch.int64)


class CharMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(len(CHARS), 10)
        self.hidden = nn.Linear(BLOCK * 10, 64, bias=False)
        self.bn = nn.BatchNorm1d(64)
        self.out = nn.Linear(64, len(CHARS))

    def forward(self, context):
        e = self.emb(context)
        h = torch.tanh(self.bn(self.hidden(e.view(e.size(0), -1))))
        return self.out(h)


torch.manual_seed(42)
model = CharMLP()
x, y = build_dataset(NAMES)
print("examples", x.size(0), "parameters", sum(p.numel() for p in model.parameters()))

optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
for step in range(STEPS + 1):
    ix = torch.randint(0, x.size(0), (BATCH,))
    loss = F.cross_entropy(model(x[ix]), y[ix])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        print("step", step, "loss", loss.item())

model.eval()
with torch.no_grad():
    print("eval_loss", F.cross_entropy(model(x), y).item())


def sample():
    context = [0] * BLOCK
    name = ""
    while len(name) < 20:
        with torch.no_grad():
            logits = model(torch.tensor([context], dtype=torch.int64))
        probs = F.softmax(logits, dim=1)
        ix = torch.multinomial(probs, num_samples=1, replacement=True).item()
        if ix == 0:
            break
        name += CHARS[ix]
        context = context[1:] + [ix]
    return name


for _ in range(8):
    name = sample()
    print("sample", name, "length", len(name))
