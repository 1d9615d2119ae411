# PyTorch mirror of examples/linear-regression.ts.
import torch

torch.manual_seed(0)

x = torch.randn(100, 1)
y = x * 3 + 2 + torch.randn(100, 1) * 0.1

w = torch.randn(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
print("initial w", w.item(), "b", b.item())

lr = 0.1
for epoch in range(100):
    y_pred = x * w + b
    loss = ((y_pred - y) ** 2).mean()
    loss.backward()

    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()

    if epoch % 20 == 0 or epoch == 99:
        print("epoch", epoch, "loss", loss.item())

print("w", w.item(), "b", b.item())
