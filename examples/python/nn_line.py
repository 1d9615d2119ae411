# PyTorch mirror of examples/nn-line.ts.
import torch
from torch import nn, optim


class NN_line(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1, 1))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return self.weight @ x.T + self.bias


torch.manual_seed(1)
model = NN_line()
print("initial weight", model.weight.item(), "bias", model.bias.item())

x = torch.linspace(-1, 1, 20).unsqueeze(1)
y = (x * 2 - 1 + torch.randn(20, 1) * 0.05).T

loss_fn = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)

for epoch in range(200):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0 or epoch == 199:
        print("epoch", epoch, "loss", loss.item())

print("weight", model.weight.item(), "bias", model.bias.item())
