"""The `fastgrad` command (also `python -m fastgrad`): `info`, `demo`, `bench`."""
import argparse
import sys


def build_parser():
    from .demo import bench, cli

    from . import __version__

    parser = argparse.ArgumentParser(prog="fastgrad", description="fastgrad command line")
    parser.add_argument("--version", action="version", version=f"fastgrad {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="version, C extension, threads, BLAS, GPU")
    demo = sub.add_parser("demo", help="train a 2-layer network on handwritten digits with SGD, "
                                       "momentum and Adam; print a table, write plots and JSON",
                          description=cli.__doc__)
    cli.add_arguments(demo)
    bench_parser = sub.add_parser("bench", help="a short run of the benchmarks: ratios against NumPy "
                                                "and PyTorch, with the floors",
                                  description=bench.__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    bench.add_arguments(bench_parser)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "info":
        from .info import print_info

        print_info()
        return 0
    if args.command == "demo":
        from .demo.cli import run

        return run(args)
    if args.command == "bench":
        from .demo.bench import run

        return run(args)
    return 1


if __name__ == "__main__":
    sys.exit(main())
