"""`mpiexec -n N fastgrad demo --distributed`: the demo trained data-parallel over N MPI ranks.

Every rank holds the same model, --model mlp or cnn (DistributedDataParallel
copies rank 0's weights and, before each forward, its buffers),
trains on its DistributedSampler share of each global batch of --batch-size
rows, and backward averages the gradients.  Rank 0 alone scores the test set,
prints the table, and writes the JSON report and a checkpoint of the trained
weights of the last optimizer (loadable on any rank with fastgrad.load).
"""
import math
import os
import sys
import time

import numpy as np

JSON_NAME = "results-distributed.json"
CHECKPOINT_NAME = "model-distributed.npz"


def run(args):
    """Run the distributed demo on this rank; returns the process exit code."""
    from .cli import check_arguments, parse_learning_rates, parse_optimizers

    try:
        import fastgrad.distributed as dist

        dist.init_process_group(backend="mpi")
    except ImportError as e:
        print(f"fastgrad demo: error: --distributed: {e}", file=sys.stderr)
        return 2
    rank, world = dist.get_rank(), dist.get_world_size()
    error = None
    try:
        check_arguments(args)
        if getattr(args, "device", "cpu") != "cpu":
            raise ValueError(f"--device {args.device}: --distributed trains NumPy arrays on the CPU only")
        if args.batch_size % world:
            raise ValueError(f"--batch-size {args.batch_size} must be a multiple of the {world} ranks")
        optimizers = parse_optimizers(args.optimizers)
        rates = parse_learning_rates(args.lr, optimizers)
        from . import data

        split = data.load(args.data, args.data_dir, seed=args.seed, limit=args.limit)
        if rank == 0:
            os.makedirs(args.out, exist_ok=True)
    except (ValueError, OSError) as e:
        error = str(e)
    # a rank that stopped alone would leave the others waiting: all agree first
    errors = dist.process_group.communicator("demo").allgather(error)
    failed = [(r, e) for r, e in enumerate(errors) if e is not None]
    if failed:
        if rank == 0:
            r, e = failed[0]
            where = "" if len(failed) == world and len(set(errors)) == 1 else f" (on rank {r})"
            print(f"fastgrad demo: error: {e}{where}", file=sys.stderr)
        return 2
    return train_and_report(args, split, optimizers, rates, rank, world)


def train_and_report(args, split, optimizers, rates, rank, world):
    import fastgrad as fg
    import fastgrad.distributed as dist

    from .report import build_report, format_table, write_json

    if args.threads:
        fg.set_num_threads(args.threads)
    if rank == 0:
        from .model import describe_model

        layers = describe_model(args.model, split.num_features, args.hidden, split.num_classes, args.activation)
        print(f"fastgrad demo: {split.name}, {len(split.x_train)} train / {len(split.x_test)} test images, "
              f"{layers}, batch {args.batch_size} = {world} ranks x "
              f"{args.batch_size // world}, {args.epochs} epochs, seed {args.seed}, data-parallel over MPI")
    runs = []
    for name in optimizers:
        result, model = train_distributed(split, name, rates[name], args, rank, world)
        runs.append(result)
    if rank == 0:
        print()
        print(format_table(runs, args.target))
        print(f"time/step: rank 0's mini-batch, forward, backward with the gradient all-reduce, and "
              f"optimizer step; {world} ranks")
        config = dict(vars(args))
        config.update(learning_rates=rates, world_size=world, train_size=len(split.x_train),
                      test_size=len(split.x_test))
        report = build_report(config, runs, [], [], args.target)
        written = [write_json(report, os.path.join(args.out, JSON_NAME))]
        checkpoint = os.path.join(args.out, CHECKPOINT_NAME)
        fg.save(model.module.state_dict(), checkpoint)      # one writer: rank 0
        written.append(checkpoint)
        print()
        print("wrote " + ", ".join(written))
    dist.barrier()     # the files exist before any rank goes on to read them
    dist.destroy_process_group()
    return 0


def train_distributed(split, optimizer, lr, args, rank, world):
    """Train a fresh MLP data-parallel; returns (rank 0's RunResult, the wrapped model)."""
    import fastgrad as fg
    from fastgrad.nn import functional as F
    from fastgrad.nn.parallel import DistributedDataParallel
    from fastgrad.utils.data import DataLoader, DistributedSampler, TensorDataset

    from .model import build_model
    from .optimizers import make_optimizer
    from .progress import progress_bar
    from .results import RunResult
    from .train import accuracy

    model = DistributedDataParallel(build_model(args.model, split.num_features, args.hidden, split.num_classes,
                                                args.activation, args.seed))
    opt = make_optimizer(optimizer, model.parameters(), lr)
    dataset = TensorDataset(fg.as_tensor(split.x_train), fg.as_tensor(split.y_train))
    sampler = DistributedSampler(dataset, shuffle=True, seed=args.seed, drop_last=True)
    loader = DataLoader(dataset, batch_size=args.batch_size // world, sampler=sampler)
    result = RunResult(optimizer=optimizer, lr=lr)
    total = args.epochs * len(loader)

    def evaluate():
        if rank == 0:
            result.eval_steps.append(result.steps)
            result.test_accuracy.append(accuracy(model.module, split.x_test, split.y_test))

    evaluate()
    start = time.perf_counter()
    with progress_bar(total, optimizer, kind=args.progress if rank == 0 else "none") as bar, \
            np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(args.epochs):
            sampler.set_epoch(epoch)
            t0 = time.perf_counter()
            for xb, yb in loader:
                loss = F.cross_entropy(model(xb), yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                value = loss.item()
                result.train_time_s += time.perf_counter() - t0
                result.steps += 1
                result.losses.append(value)
                # no early stop: every rank must run the same number of steps
                result.diverged = result.diverged or not math.isfinite(value)
                if result.steps % args.eval_every == 0 or result.steps == total:
                    evaluate()
                bar.set_metrics(loss=value)
                bar.update(1)
                t0 = time.perf_counter()
    result.wall_time_s = time.perf_counter() - start
    return result, model
