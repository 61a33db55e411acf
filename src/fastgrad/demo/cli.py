"""`fastgrad demo`: the same 2-layer network trained with SGD, SGD with momentum and
Adam on handwritten digits, side by side, with a summary table, a JSON file and plots.
"""
import os
import sys

from .optional import INSTALL_HINT, MissingExtra, missing, require

DEFAULT_OUT = "fastgrad-demo"
JSON_NAME = "results.json"


def add_arguments(parser):
    from .model import ACTIVATIONS

    data = parser.add_argument_group("data")
    data.add_argument("--data", choices=("digits", "mnist"), default="digits",
                      help="digits: 1,797 8x8 images bundled with fastgrad (default); "
                           "mnist: the IDX files in --data-dir")
    data.add_argument("--data-dir", default=None, help="folder holding the MNIST IDX files (raw or .gz)")
    data.add_argument("--limit", type=int, default=None, help="use at most this many training rows")
    model = parser.add_argument_group("model and training")
    model.add_argument("--model", choices=("mlp", "cnn"), default="mlp",
                       help="mlp: Linear-act-Linear (default); cnn: two conv + max-pool stages, then the MLP")
    model.add_argument("--hidden", type=int, default=64, help="hidden units (default 64)")
    model.add_argument("--activation", choices=ACTIVATIONS, default="relu")
    model.add_argument("--optimizers", default="sgd,momentum,adam",
                       help="comma-separated: sgd, momentum, nesterov, adam, adamw (default sgd,momentum,adam)")
    model.add_argument("--lr", default=None, metavar="NAME=LR,...",
                       help="learning rates, e.g. 'adam=0.003,sgd=0.2', or one number for all "
                            f"(defaults: {default_rates_text()})")
    model.add_argument("--epochs", type=int, default=20, help="passes over the training set (default 20)")
    model.add_argument("--batch-size", type=int, default=32)
    model.add_argument("--eval-every", type=int, default=10, help="score the test set every N steps")
    model.add_argument("--target", type=float, default=0.95, help="test accuracy to count steps to (0.95)")
    model.add_argument("--seed", type=int, default=0, help="seed of the split, weights and batch order")
    model.add_argument("--threads", type=int, default=None, help="threads for fastgrad's kernels (>= 1)")
    model.add_argument("--amp", choices=("bf16", "fp16"), default=None,
                       help="mixed precision: matrix products in bfloat16 or float16 with float32 "
                            "accumulation and float32 weights (fastgrad.autocast; fp16 adds a GradScaler)")
    model.add_argument("--device", default="cpu",
                       help="cpu (default), cuda or cuda:N: where the model and data live (cuda needs CuPy)")
    output = parser.add_argument_group("output")
    output.add_argument("--out", default=DEFAULT_OUT, help=f"folder for the plots and {JSON_NAME} "
                                                           f"(default {DEFAULT_OUT}/)")
    output.add_argument("--lr-sweep-steps", type=int, default=300,
                        help="steps per rate in the learning-rate sensitivity plot (0 skips it)")
    output.add_argument("--no-plots", action="store_true", help="write no PNG files")
    model.add_argument("--distributed", action="store_true",
                       help="data-parallel over MPI ranks: mpiexec -n 2 fastgrad demo --distributed")
    output.add_argument("--progress", choices=("auto", "tqdm", "plain", "none"), default="auto",
                        help="progress bars: tqdm when installed (auto), plain text, or none")
    model.add_argument("--jit", action="store_true",
                       help="run each training step through fastgrad.jit (recorded once, replayed after; "
                            "the same numbers as without)")


def default_rates_text():
    from .optimizers import OPTIMIZERS

    return ", ".join(f"{name}={lr:g}" for name, (lr, _) in OPTIMIZERS.items())


def parse_learning_rates(text, optimizers):
    """{'adam': 0.003, ...} from 'adam=0.003,sgd=0.2' or '0.01' (all); defaults elsewhere."""
    from .optimizers import OPTIMIZERS, default_lr

    rates = {name: default_lr(name) for name in optimizers}
    if not text:
        return rates
    for item in text.split(","):
        name, sep, value = item.partition("=")
        try:
            if not sep:
                rates = {opt: float(name) for opt in optimizers}
                continue
            if name.strip() not in OPTIMIZERS:
                raise ValueError(f"unknown optimizer {name.strip()!r}")
            rates[name.strip()] = float(value)
        except ValueError as e:
            raise ValueError(f"--lr {text!r}: {e}") from None
    for name, lr in rates.items():
        if not (0 < lr < float("inf")):
            raise ValueError(f"--lr {text!r}: the learning rate of {name} must be a positive number, got {lr:g}")
    return rates


def parse_optimizers(text):
    from .optimizers import OPTIMIZERS

    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in OPTIMIZERS]
    if unknown or not names:
        raise ValueError(f"--optimizers {text!r}: choose from {', '.join(OPTIMIZERS)}")
    return names


MAX_SEED = 2**32 - 1


def check_arguments(args):
    """Raise ValueError naming the flag and what it allows, for any value the run cannot use."""
    for name in ("epochs", "batch_size", "hidden", "eval_every"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    if args.lr_sweep_steps < 0:
        raise ValueError(f"--lr-sweep-steps must be >= 0, got {args.lr_sweep_steps}")
    if args.limit is not None and args.limit < 1:
        raise ValueError(f"--limit must be >= 1, got {args.limit}")
    check_threads(args.threads)
    if not 0 <= args.seed <= MAX_SEED:
        raise ValueError(f"--seed must be between 0 and {MAX_SEED}, got {args.seed}")
    if not 0 < args.target <= 1:
        raise ValueError(f"--target is a test accuracy between 0 and 1 (0.95 means 95%), got {args.target:g}")
    if args.data_dir is not None and args.data != "mnist":
        raise ValueError("--data-dir is read only with --data mnist (the digits are bundled)")
    if args.jit and args.distributed:
        raise ValueError("--jit does not combine with --distributed (its gradient hooks are not recorded)")
    if args.jit and args.model != "mlp":
        raise ValueError("--jit runs --model mlp only (batch normalization updates its running statistics "
                         "outside the recorded ops)")
    if args.jit and args.amp == "fp16":
        raise ValueError("--jit does not combine with --amp fp16 (the loss scaler decides on the host "
                         "whether to step)")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise ValueError(f"--out {args.out!r} is a file; give a folder (it is created if missing)")


def check_device(device):
    """Raise ValueError in one line when `device` is malformed or not usable here (no CuPy, no GPU)."""
    import fastgrad as fg
    from fastgrad.devices import is_device_name

    if not is_device_name(device):
        raise ValueError(f"--device {device}: expected cpu, cuda or cuda:N")
    try:
        fg.zeros(1).to(device)
    except (RuntimeError, ValueError, TypeError) as e:
        raise ValueError(f"--device {device}: {e}") from None


def check_threads(threads):
    if threads is not None and threads < 1:
        raise ValueError(f"--threads must be >= 1, got {threads}")


def notice_missing_extras(args):
    """One line on stderr when matplotlib or tqdm is absent (the run goes on without them)."""
    wanted = []
    if not args.no_plots:
        wanted.append(("matplotlib", "plots skipped"))
    if args.progress == "auto":
        wanted.append(("tqdm", "plain progress"))
    absent = dict(wanted)
    gone = missing([name for name, _ in wanted])
    if gone:
        what = ", ".join(f"{name} ({absent[name]})" for name in gone)
        print(f"note: not installed: {what}; for them: {INSTALL_HINT}", file=sys.stderr)
    return gone


def run(args):
    """Run the demo; returns the process exit code."""
    if args.distributed and getattr(args, "amp", None):
        print("fastgrad demo: error: --amp is not supported with --distributed", file=sys.stderr)
        return 2
    if args.distributed:
        from .distributed import run as run_distributed

        return run_distributed(args)
    try:
        check_arguments(args)
        optimizers = parse_optimizers(args.optimizers)
        rates = parse_learning_rates(args.lr, optimizers)
        if args.progress == "tqdm":
            require("tqdm", "--progress tqdm")
        if args.amp and args.device != "cpu":
            raise ValueError(f"--amp runs the products of NumPy arrays: use it with --device cpu, not {args.device}")
        check_device(args.device)
        from . import data

        split = data.load(args.data, args.data_dir, seed=args.seed, limit=args.limit)
        make_output_folder(args.out)
    except (ValueError, OSError, MissingExtra) as e:
        print(f"fastgrad demo: error: {e}", file=sys.stderr)
        return 2
    gone = notice_missing_extras(args)
    try:
        return train_and_report(args, split, optimizers, rates,
                                plots="matplotlib" not in gone and not args.no_plots)
    except KeyboardInterrupt:
        print("\nfastgrad demo: interrupted", file=sys.stderr)
        return 130


def make_output_folder(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise ValueError(f"--out {path!r}: cannot create the folder ({e.strerror or e})") from None


def train_and_report(args, split, optimizers, rates, plots):
    import fastgrad as fg

    from .report import build_report, format_table, write_json
    from .sweep import lr_sweep
    from .train import train_run

    if args.threads:
        fg.set_num_threads(args.threads)
    from .model import describe_model

    layers = describe_model(args.model, split.num_features, args.hidden, split.num_classes, args.activation)
    on_device = "" if args.device == "cpu" else f", on {args.device}"
    on_device += f", amp {args.amp} ({fg.amp.get_bf16_gemm()} bf16 GEMM)" if args.amp == "bf16" else (
        f", amp {args.amp}" if args.amp else "")
    print(f"fastgrad demo: {split.name}, {len(split.x_train)} train / {len(split.x_test)} test images, "
          f"{layers}, batch {args.batch_size}, {args.epochs} epochs, seed {args.seed}"
          f"{on_device}")
    common = dict(batch_size=args.batch_size, hidden=args.hidden, activation=args.activation,
                  seed=args.seed, eval_every=args.eval_every, progress=args.progress, device=args.device,
                  model=args.model, jit=args.jit, amp=args.amp)
    runs = [train_run(split, name, rates[name], epochs=args.epochs, **common) for name in optimizers]
    sweep, labels = [], []
    if args.lr_sweep_steps:
        sweep, labels = lr_sweep(split, args.lr_sweep_steps, **common)

    print()
    print(format_table(runs, args.target))
    print(f"time/step: mini-batch, forward, backward and optimizer step; wall time also scores the "
          f"test set every {args.eval_every} steps")
    config = dict(vars(args))
    config["learning_rates"] = rates
    config["train_size"], config["test_size"] = len(split.x_train), len(split.x_test)
    report = build_report(config, runs, sweep, labels, args.target)
    written = [write_json(report, os.path.join(args.out, JSON_NAME))]
    if plots:
        from .plots import write_plots

        written += write_plots(runs, sweep, labels, args.out, args.target)
    print()
    print("wrote " + ", ".join(written))
    return 0
