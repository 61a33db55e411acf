"""Data-parallel training steps over MPI: 2 ranks x 1 thread against 1 rank x 1 thread.

Run:  mpiexec -n 2 python bench/distributed_mlp.py [--sizes T3,T4] [--rounds 5]

One global step is an Adam step of an MLP on a batch of B rows (fastgrad/demo/workloads.py: mlp_problem):
one process does it on all B rows; two ranks do it on B/2 rows each, with the
gradients averaged (fastgrad DistributedDataParallel over MPI; PyTorch
DistributedDataParallel over gloo, from a local TCP rendezvous). Every library
runs one thread per rank. While a one-process case runs on rank 0, rank 1
sleeps (polling a non-blocking barrier), so it takes no core. Cases alternate
within each round, so load from other work on the machine spreads over all of
them; the figure of a case is its median over rounds.

How much of the all-reduce backward hides: `no_sync` times the same step without
communication (t_local), the buckets' all-reduce alone is timed (t_comm), and
hidden = (t_local + t_comm - t_ddp) / t_comm.

pytest-benchmark times one process, so this is a script; bench_distributed.py
runs it in smoke mode.
"""
import argparse
import json
import os
import socket
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import fastgrad as fg  # noqa: E402
import fastgrad.distributed as dist  # noqa: E402
from fastgrad import optim  # noqa: E402
from fastgrad.demo.workloads import MLPS, fastgrad_mlp, mlp_problem, torch_mlp  # noqa: E402
from fastgrad.nn import functional as F  # noqa: E402
from fastgrad.nn.parallel import DistributedDataParallel  # noqa: E402

STEPS_PER_ROUND = {"T2": 50, "T3": 10, "T4": 2}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="T3,T4", help="comma-separated: T2, T3 (medium), T4 (large)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=None, help="steps per case and round (default per size)")
    parser.add_argument("--bucket-cap-mb", type=float, default=25.0)
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--json", default=None, help="also write the figures to this file (rank 0)")
    args = parser.parse_args()

    dist.init_process_group(backend="mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    if world != 2:
        raise SystemExit("run with mpiexec -n 2")
    limit_threads()
    torch = None if args.no_torch else import_torch(rank)
    results = []
    for name in args.sizes.split(","):
        sizes, batch = MLPS[name]
        steps = args.steps or STEPS_PER_ROUND[name]
        cases = build_cases(sizes, batch, rank, world, args.bucket_cap_mb, torch)
        times = {case: [] for case in cases}
        for _ in range(args.rounds):
            for case, (step, everyone) in cases.items():
                times[case].append(time_case(step, everyone, steps, rank))
        if rank == 0:
            results.append(summarize(name, sizes, batch, {c: statistics.median(t) for c, t in times.items()}))
    if rank == 0:
        print_table(results, args)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)
    dist.barrier()
    if torch is not None:
        torch.distributed.destroy_process_group()
    dist.destroy_process_group()


def limit_threads():
    fg.set_num_threads(1)
    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(1)
    except ImportError:
        pass


def import_torch(rank):
    """PyTorch with one thread and a gloo process group of the same two ranks, or None."""
    try:
        import torch
        import torch.distributed
    except ImportError:
        return None
    torch.set_num_threads(1)
    port = np.array([free_port() if rank == 0 else 0], dtype=np.int64)
    dist.broadcast(port, src=0)
    torch.distributed.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{int(port[0])}",
                                         rank=rank, world_size=2)
    return torch


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_cases(sizes, batch, rank, world, bucket_cap_mb, torch):
    """{case name: (step function, whether every rank runs it)}."""
    x, y, weights = mlp_problem(sizes, batch)
    half = slice(rank * batch // world, (rank + 1) * batch // world)
    cases = {}

    single = fastgrad_mlp(weights)
    cases["fastgrad 1 rank"] = (fastgrad_step(single, x, y), False)
    ddp = DistributedDataParallel(fastgrad_mlp(weights), bucket_cap_mb=bucket_cap_mb)
    cases["fastgrad DDP 2 ranks"] = (fastgrad_step(ddp, x[half], y[half]), True)
    local = fastgrad_step(ddp, x[half], y[half])

    def without_communication():
        with ddp.no_sync():
            local()

    cases["fastgrad 2 ranks, no all-reduce"] = (without_communication, True)
    cases["all-reduce of the gradients alone"] = (all_reduce_buckets(ddp), True)
    if torch is not None:
        cases["torch 1 rank"] = (torch_step(torch, torch_mlp(torch, weights), x, y), False)
        model = torch.nn.parallel.DistributedDataParallel(torch_mlp(torch, weights))
        cases["torch DDP gloo 2 ranks"] = (torch_step(torch, model, x[half], y[half]), True)
    return cases


def fastgrad_step(model, x, y):
    opt = optim.Adam(model.parameters(), lr=1e-3)
    xt = fg.tensor(x)

    def step():
        loss = F.cross_entropy(model(xt), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def all_reduce_buckets(ddp):
    """The communication of one DDP step alone: every bucket's all-reduce, started at once."""
    from mpi4py import MPI

    reducer = ddp._reducer
    comm = reducer.comm

    def communicate():
        MPI.Request.Waitall([comm.Iallreduce(MPI.IN_PLACE, b.flat, op=MPI.SUM) for b in reducer.buckets])

    return communicate


def torch_step(torch, model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.tensor(x), torch.tensor(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def time_case(step, everyone, steps, rank):
    """Seconds per step on rank 0; rank 1 sleeps through one-process cases."""
    if everyone or rank == 0:
        step()                      # warm-up (first-touch of buffers, optimizer state)
        if everyone:
            dist.barrier()          # start together
        start = time.perf_counter()
        for _ in range(steps):
            step()
        elapsed = (time.perf_counter() - start) / steps
    else:
        elapsed = None
    sleepy_barrier()
    return elapsed


def sleepy_barrier():
    # MPI's blocking wait spins on a core; this one sleeps between checks.
    request = dist.process_group.communicator("bench").Ibarrier()
    while not request.Test():
        time.sleep(0.0005)


def summarize(name, sizes, batch, t):
    row = {"mlp": name, "sizes": list(sizes), "global_batch": batch, "seconds_per_step": t,
           "samples_per_s": {case: batch / s for case, s in t.items() if "alone" not in case}}
    row["speedup_fastgrad"] = t["fastgrad 1 rank"] / t["fastgrad DDP 2 ranks"]
    comm = t["all-reduce of the gradients alone"]
    hidden = (t["fastgrad 2 ranks, no all-reduce"] + comm - t["fastgrad DDP 2 ranks"]) / comm
    row["all_reduce_hidden"] = min(max(hidden, 0.0), 1.0)
    if "torch DDP gloo 2 ranks" in t:
        row["speedup_torch"] = t["torch 1 rank"] / t["torch DDP gloo 2 ranks"]
        row["fastgrad_ddp_time_over_torch_ddp"] = t["fastgrad DDP 2 ranks"] / t["torch DDP gloo 2 ranks"]
    return row


def print_table(results, args):
    print(f"data-parallel Adam step, float32, 1 thread per rank, median of {args.rounds} rounds, "
          f"bucket_cap_mb={args.bucket_cap_mb:g}")
    for row in results:
        print(f"\nMLP {'-'.join(map(str, row['sizes']))} ({row['mlp']}), global batch {row['global_batch']}")
        print(f"  {'case':<36} {'ms/step':>9} {'samples/s':>10}")
        for case, s in row["seconds_per_step"].items():
            rate = row["samples_per_s"].get(case)
            print(f"  {case:<36} {s * 1e3:9.2f} {rate:10.0f}" if rate else f"  {case:<36} {s * 1e3:9.2f} {'':>10}")
        line = f"  speed-up 2 ranks / 1 rank: fastgrad {row['speedup_fastgrad']:.2f}x"
        if "speedup_torch" in row:
            line += (f", torch {row['speedup_torch']:.2f}x; fastgrad DDP time / torch DDP time "
                     f"{row['fastgrad_ddp_time_over_torch_ddp']:.2f}")
        print(line)
        print(f"  all-reduce hidden behind backward: {row['all_reduce_hidden']:.0%}")


if __name__ == "__main__":
    main()
