# PyTorch mirror of examples/relu-neuron.ts.
import torch

w = torch.tensor([0.5, -0.25], requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)

active = torch.relu(w.dot(torch.tensor([2.0, 1.0])) + b)
active.backward()
print("active_y", active.item())
print("active_dy/dw", *w.grad.tolist(), "dy/db", b.grad.item())

w.grad = None
b.grad = None
inactive = torch.relu(w.dot(torch.tensor([-2.0, 1.0])) + b)
inactive.backward()
print("inactive_y", inactive.item())
print("inactive_dy/dw", *w.grad.tolist(), "dy/db", b.grad.item())

torch.manual_seed(3)
X = torch.randn(32, 2)
target = torch.relu(X @ torch.tensor([[2.0], [-1.0]]))
neuron = torch.nn.Linear(2, 1)
optimizer = torch.optim.SGD(neuron.parameters(), lr=0.1)
for step in range(100):
    optimizer.zero_grad()
    loss = (torch.relu(neuron(X)) - target).pow(2).mean()
    loss.backward()
    optimizer.step()
    if step % 25 == 0 or step == 99:
        print("step", step, "loss", loss.item())
print("weight", *neuron.weight.flatten().tolist(), "bias", neuron.bias.item())
