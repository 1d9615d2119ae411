# PyTorch mirror of examples/square-plus-3x.ts: prints the same machine-readable lines.
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x**2 + 3 * x
print("y =", y)

y.backward()
print("y", y.item())
print("dy/dx", x.grad.item())

xs = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
(xs**2 + 3 * xs).sum().backward()
print("xs", *xs.tolist())
print("dy/dxs", *xs.grad.tolist())
