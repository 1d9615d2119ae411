# PyTorch mirror of examples/solve-with-adam.ts.
import torch

a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(8.0, requires_grad=True)
optimizer = torch.optim.Adam([a, b], lr=0.1)

for step in range(201):
    optimizer.zero_grad()
    Q = a**3 - 3 * b
    P = Q**2
    if step % 25 == 0:
        print("step", step, "P", P.item(), "a", a.item(), "b", b.item())
    P.backward()
    optimizer.step()

P = (a**3 - 3 * b) ** 2
print("a", a.item(), "b", b.item(), "a**3", a.item() ** 3, "3b", 3 * b.item())
print("P", P.item())
