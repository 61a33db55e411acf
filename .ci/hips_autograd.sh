#!/usr/bin/env bash
# HIPS autograd's own test suite, run against fastgrad with only the module
# name changed (`autograd` -> `fastgrad` in imports and module references).
#
# The tests come from the autograd sdist on PyPI, never from this repository.
# Pass rate = tests passed against fastgrad / tests collected against HIPS
# autograd itself (skips and import failures count as not passed).  Fails when
# the total rate is below HIPS_PASS_THRESHOLD (percent).
#
#   .ci/hips_autograd.sh                       # the files below, threshold below
#   HIPS_PASS_THRESHOLD=0 .ci/hips_autograd.sh test_numpy test_linalg
set -euo pipefail
source "$(dirname "$0")/hips_sdist.sh"

version="${AUTOGRAD_VERSION:-1.9.1}"
threshold="${HIPS_PASS_THRESHOLD:-98.5}"   # measured 99.5% (582 / 585); a margin for the tests' random inputs
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(test_numpy test_systematic test_binary_ops test_scalar_ops test_linalg test_scipy test_fft
         test_complex test_jacobian test_wrappers test_truediv test_logic test_graphs test_direct
         test_builtins test_dict test_list test_tuple)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
hips_sdist "$work" "$version"
src="$work/autograd-$version/tests"
printf '[pytest]\naddopts = -p no:cacheprovider\n' > "$src/pytest.ini"

# The denominator: what HIPS autograd's tests collect against HIPS autograd.
(cd "$src" && python -m pytest --collect-only -q "${files[@]/%/.py}" 2>/dev/null | grep '::' > "$work/collected.txt") || true

# The same tests pointed at fastgrad.
ported="$work/ported"
cp -r "$src" "$ported"
port_to_fastgrad "$ported"
(cd "$ported" && python -m pytest -rN --continue-on-collection-errors --junitxml="$work/results.xml" "${files[@]/%/.py}" > "$work/pytest.log" 2>&1) || true

python - "$work/collected.txt" "$work/results.xml" "$threshold" "${files[@]}" <<'PY'
import collections, sys, xml.etree.ElementTree as ET
collected_file, results_file, threshold, files = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
total = collections.Counter()
for line in open(collected_file):
    total[line.split("::")[0].removesuffix(".py")] += 1
passed = collections.Counter()
for case in ET.parse(results_file).iter("testcase"):
    if not any(child.tag in ("failure", "error", "skipped") for child in case):
        passed[case.get("classname").split(".")[0]] += 1
print("HIPS autograd's tests (from its sdist) against fastgrad: passed / collected against autograd")
for f in files:
    n, p = total[f], min(passed[f], total[f])
    print(f"  {f:<18} {p:4d} / {n:4d}  {100 * p / max(n, 1):6.1f}%")
n, p = sum(total[f] for f in files), sum(min(passed[f], total[f]) for f in files)
rate = 100 * p / max(n, 1)
print(f"  {'total':<18} {p:4d} / {n:4d}  {rate:6.1f}%   (threshold {threshold:.1f}%)")
if n == 0:
    sys.exit("no tests were collected against HIPS autograd: is autograd installed?")
sys.exit(0 if rate >= threshold else 1)
PY
