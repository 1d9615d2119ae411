# PyTorch mirror of examples/sigmoid-neuron.ts.
import torch

x = torch.tensor([0.5, -1.0, 2.0])
w = torch.tensor([0.2, 0.4, -0.1], requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)

z = (w * x).sum() + b
y = torch.sigmoid(z)
y.backward()

yv = y.item()
print("z", z.item(), "y", yv)
print("dy/dw", *w.grad.tolist())
print("dy/db", b.grad.item())
print("chain_rule_dy/db", yv * (1 - yv))

torch.manual_seed(0)
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
target = torch.tensor([[0.0], [1.0], [1.0], [1.0]])
neuron = torch.nn.Linear(2, 1)
loss_fn = torch.nn.BCELoss()
optimizer = torch.optim.SGD(neuron.parameters(), lr=1.0)

for step in range(100):
    optimizer.zero_grad()
    loss = loss_fn(torch.sigmoid(neuron(X)), target)
    loss.backward()
    optimizer.step()
    if step % 25 == 0 or step == 99:
        print("step", step, "loss", loss.item())
with torch.no_grad():
    out = torch.sigmoid(neuron(X))
print("or", *out.flatten().tolist())
