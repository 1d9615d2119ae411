# PyTorch mirror of examples/polynomial-sin.ts.
import math
import torch

torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

a = torch.randn((), requires_grad=True)
b = torch.randn((), requires_grad=True)
c = torch.randn((), requires_grad=True)
print("initial a", a.item(), "b", b.item(), "c", c.item())

lr = 1e-6
for t in range(2000):
    y_pred = a * x + b * x**2 + c * x**3
    loss = (y_pred - y).pow(2).sum()
    if t % 400 == 399:
        print("t", t, "loss", loss.item())
    loss.backward()

    with torch.no_grad():
        for p in (a, b, c):
            p -= lr * p.grad
            p.grad = None

print("a", a.item(), "b", b.item(), "c", c.item())
