# Sourced by the stages that need optional dependencies (not a stage of its own).

# install_extras NAME...: pip-installs the packages of fastgrad's extras NAME... as
# pyproject.toml lists them, into the active environment (fastgrad itself is not rebuilt).
install_extras() {
  local packages
  mapfile -t packages < <(python - "$@" <<'PY'
import sys, tomllib
with open("pyproject.toml", "rb") as f:
    extras = tomllib.load(f)["project"]["optional-dependencies"]
print("\n".join(package for name in sys.argv[1:] for package in extras[name]))
PY
)
  pip install --quiet "${packages[@]}"
}
