"""The `fastgrad` command: `fastgrad info`, `fastgrad demo`, `fastgrad bench`."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="fastgrad", description="fastgrad command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="version, C extension, threads, BLAS, GPU")
    demo = sub.add_parser("demo", help="train a small network on real data")
    from .demo.cli import add_arguments

    add_arguments(demo)
    args = parser.parse_args(argv)
    if args.command == "info":
        from .info import print_info

        print_info()
        return 0
    if args.command == "demo":
        from .demo.cli import run

        return run(args)
    return 1


if __name__ == "__main__":
    sys.exit(main())
