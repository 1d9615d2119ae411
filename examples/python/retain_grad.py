# PyTorch mirror of examples/retain-grad.ts.
import torch

a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(8.0, requires_grad=True)

Q = a**3 - 3 * b
Q.retain_grad()
P = Q**2

print("Q =", Q)
print("P =", P)
print("is_leaf a", int(a.is_leaf), "Q", int(Q.is_leaf))

P.backward()
print("Q", Q.item())
print("P", P.item())
print("dP/da", a.grad.item())
print("dP/db", b.grad.item())
print("dP/dQ", Q.grad.item())
