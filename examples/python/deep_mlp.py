# PyTorch mirror of examples/deep-mlp.ts.
import torch
from torch import nn

DEPTH = 1400
WIDTH = 8

torch.manual_seed(0)
blocks = [nn.Linear(2, WIDTH), nn.Tanh()]
for i in range(1, DEPTH):
    blocks += [nn.Linear(WIDTH, WIDTH), nn.Tanh()]
model = nn.Sequential(*blocks, nn.Linear(WIDTH, 1))

x = torch.randn(16, 2)
y = x.sum(1, keepdim=True).sin()
loss = nn.MSELoss()(model(x), y)
loss.backward()
print("loss", loss.item())
# Through 1,400 tanh layers the gradient vanishes (to exactly 0 in float32).
params = list(model.parameters())
print("mean |grad|, first layer weight", params[0].grad.abs().mean().item())
print("mean |grad|, last layer weight", params[-2].grad.abs().mean().item())
