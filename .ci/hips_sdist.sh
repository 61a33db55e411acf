# Sourced by hips_autograd.sh and hips_examples.sh (not a stage of its own).

# hips_sdist WORK VERSION: autograd==VERSION's sdist from PyPI, unpacked in WORK
# (WORK/autograd-VERSION/tests and .../examples).
hips_sdist() {
  pip download --quiet "autograd==$2" --no-binary :all: --no-deps --dest "$1" 2>/dev/null
  tar -xzf "$1/autograd-$2.tar.gz" -C "$1"
}

# port_to_fastgrad DIR: only the module name changed in every *.py below DIR:
# `import autograd...`, `from autograd... import` and `autograd.x.y` references.
port_to_fastgrad() {
  python - "$1" <<'PY'
import pathlib, re, sys
for path in pathlib.Path(sys.argv[1]).rglob("*.py"):
    path.write_text(re.sub(r"\bautograd(?=[.\s])", "fastgrad", path.read_text()))
PY
}
