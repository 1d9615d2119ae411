# PyTorch mirror of examples/nn-sinus.ts.
import math
import torch
from torch import nn, optim


class NN_sinus(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(1, 10)
        self.fc2 = nn.Linear(10, 10)
        self.fc3 = nn.Linear(10, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


torch.manual_seed(42)
model = NN_sinus()

x = torch.linspace(-math.pi, math.pi, 200).unsqueeze(1)
y = torch.sin(x)

loss_fn = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)

for epoch in range(300):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0 or epoch == 299:
        print("epoch", epoch, "loss", loss.item())

probe = torch.tensor([[-2.0], [-1.0], [0.5], [1.5]])
with torch.no_grad():
    pred = model(probe)
print("sin", *torch.sin(probe).flatten().tolist())
print("pred", *pred.flatten().tolist())
