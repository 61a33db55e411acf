#!/usr/bin/env bash
# CI stage: the C kernels under AddressSanitizer and UndefinedBehaviorSanitizer.
#
# Builds the extension from this checkout with -fsanitize=address,undefined
# (without -fwrapv, and with every report fatal) into a scratch directory,
# leaving the installed fastgrad alone, then runs the kernel tests and the
# bad-input tests against that build.  Any sanitizer report fails the stage.
# Python itself is not instrumented, so the ASan runtime is preloaded.
#
# Run from the repository root with the CI virtualenv active:  .ci/sanitize.sh
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
start=$SECONDS

# A copy of the sources, so that the sanitized build never lands in the checkout.
mkdir -p "$scratch/tree"
cp -r "$repo/setup.py" "$repo/pyproject.toml" "$repo/README.md" "$repo/LICENSE" "$repo/csrc" "$repo/src" \
    "$scratch/tree/"
find "$scratch/tree/src" \( -name '*.so' -o -name '_C.c' -o -name '_graph.c' \) -delete

python -c "import Cython, setuptools" 2>/dev/null || pip install --quiet cython setuptools

sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# Python's own CFLAGS carry -fwrapv; -fno-wrapv after them makes signed overflow a report again.
if ! (cd "$scratch/tree" && CFLAGS="$sanitize -fno-wrapv" LDFLAGS="$sanitize" FASTGRAD_DEBUG=1 \
        python setup.py build_ext --inplace -j 2 > "$scratch/build.log" 2>&1); then
    tail -40 "$scratch/build.log"
    exit 1
fi
echo "sanitize: sanitized build in $((SECONDS - start)) s"

LD_PRELOAD="$(${CC:-cc} -print-file-name=libasan.so)"
export LD_PRELOAD
export PYTHONPATH="$scratch/tree/src"
# Reports go to files (pytest captures stderr, and the bad-input tests run child
# processes); each report also aborts the process that hit it.
mkdir -p "$scratch/reports"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1:log_path=$scratch/reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$scratch/reports/ubsan"
export OMP_NUM_THREADS=2

python - "$scratch" <<'PY'
import sys
import fastgrad._C
assert fastgrad._C.__file__.startswith(sys.argv[1]), f"not the sanitized build: {fastgrad._C.__file__}"
print("sanitize: testing", fastgrad._C.__file__)
PY

cd "$repo"
set +e
python -m pytest -q -p no:cacheprovider -p no:randomly \
    tests/backend/test_kernels_*.py tests/backend/test_registry.py tests/ops/test_losses_no_silent_errors.py \
    > "$scratch/tests.log" 2>&1
status=$?
set -e
tail -5 "$scratch/tests.log"
if [ -n "$(ls -A "$scratch/reports")" ]; then
    cat "$scratch/reports"/*
    echo "sanitize: sanitizer reports (above)"
    exit 1
fi
echo "sanitize: done in $((SECONDS - start)) s"
exit $status
