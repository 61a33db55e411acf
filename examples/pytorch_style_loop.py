"""A PyTorch-style training loop with fastgrad's names: nn.Linear, optim.AdamW,
nn.utils.clip_grad_norm_ and a linear-warmup + cosine-decay schedule.

Task: regress y = sin(3 x0) + x1 x2 + noise from 8 inputs (5 of them noise)
with a 2-layer MLP. The loop is the one a PyTorch user writes; only the import
changed (`from fastgrad import nn, optim` instead of torch's).

Run:  python examples/pytorch_style_loop.py
"""
import numpy as np

import fastgrad as fg
from fastgrad import nn, optim
from fastgrad.optim.lr_scheduler import WarmupCosineLR
from fastgrad.utils.data import DataLoader


def make_data(n=1024, features=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, features)).astype(np.float32)
    y = np.sin(3 * x[:, :1]) + x[:, 1:2] * x[:, 2:3] + 0.05 * rng.standard_normal((n, 1))
    return x, y.astype(np.float32)


def main(epochs=30, batch_size=64, seed=0):
    fg.manual_seed(seed)
    x, y = make_data(seed=seed)
    loader = DataLoader((x, y), batch_size=batch_size, shuffle=True, seed=seed)
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))
    optimizer = optim.AdamW(model.parameters(), lr=1e-2, betas=(0.9, 0.95), weight_decay=0.1)
    total_steps = epochs * len(loader)
    scheduler = WarmupCosineLR(optimizer, warmup_steps=total_steps // 10, total_steps=total_steps, min_lr=1e-4)
    loss_fn = nn.MSELoss()

    with fg.no_grad():
        initial = loss_fn(model(fg.tensor(x)), fg.tensor(y)).item()
    lrs, norms = [], []
    print(f"{'epoch':>5} {'train loss':>11} {'lr':>9} {'grad norm':>10}")
    for epoch in range(1, epochs + 1):
        epoch_loss = 0.0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            lrs.append(scheduler.get_last_lr()[0])
            scheduler.step()
            norms.append(float(norm))
            epoch_loss += loss.item() * len(xb)
        if epoch == 1 or epoch % 5 == 0:
            print(f"{epoch:5d} {epoch_loss / len(x):11.4f} {lrs[-1]:9.2e} {norms[-1]:10.3f}")
    with fg.no_grad():
        final = loss_fn(model(fg.tensor(x)), fg.tensor(y)).item()
    print(f"mean squared error: {initial:.4f} before training, {final:.4f} after")
    return {"initial_loss": initial, "final_loss": final, "lrs": lrs, "grad_norms": norms,
            "total_steps": total_steps}


if __name__ == "__main__":
    main()
