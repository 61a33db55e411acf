#!/usr/bin/env bash
# HIPS autograd's examples that need no downloaded data, run against fastgrad
# with only the module name changed (`autograd` -> `fastgrad` in imports and
# module references).  The examples come from the autograd sdist on PyPI.
#
# Each runs with a time limit (HIPS_EXAMPLE_TIMEOUT seconds, default 300):
# "completed" = exit status 0; "time limit" = still running without error when
# stopped (not counted as completed); anything else fails the stage.
#
#   .ci/hips_examples.sh                     # every example below
#   .ci/hips_examples.sh logistic_regression rosenbrock
set -euo pipefail
source "$(dirname "$0")/hips_sdist.sh"

version="${AUTOGRAD_VERSION:-1.9.1}"
limit="${HIPS_EXAMPLE_TIMEOUT:-300}"
examples=("$@")
if [ ${#examples[@]} -eq 0 ]; then
  # Not listed: convnet, generative_adversarial_net, neural_net, variational_autoencoder
  # (they download MNIST); dot_graph, print_trace and rkhs (they use HIPS's tracer and
  # Box/VSpace internals).
  examples=(logistic_regression neural_net_regression gaussian_process gmm black_box_svi
            bayesian_neural_net bayesian_optimization ica ode_net rnn lstm hmm_em define_gradient
            rosenbrock tanh sinusoid negative_binomial_maxlike mixture_variational_inference
            natural_gradient_black_box_svi deep_gaussian_process gplvm fixed_points)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
hips_sdist "$work" "$version"
ported="$work/autograd-$version/examples"
port_to_fastgrad "$ported"

completed=0; limited=0; failed=()
for name in "${examples[@]}"; do
  start=$SECONDS
  status=0
  (cd "$ported" && MPLBACKEND=Agg timeout "$limit" python "$name.py" > "$work/$name.log" 2>&1) || status=$?
  took=$((SECONDS - start))
  if [ "$status" -eq 0 ]; then
    completed=$((completed + 1)); echo "  completed   ${took}s  $name"
  elif [ "$status" -eq 124 ]; then
    limited=$((limited + 1)); echo "  time limit  ${took}s  $name: $(tail -n 1 "$work/$name.log" | cut -c1-80)"
  else
    failed+=("$name"); echo "  FAILED      ${took}s  $name:"; tail -n 5 "$work/$name.log" | sed 's/^/      /'
  fi
done
echo "HIPS autograd examples against fastgrad: ${completed} completed, ${limited} stopped at the ${limit}s limit" \
     "without error, ${#failed[@]} failed (of ${#examples[@]})"
[ ${#failed[@]} -eq 0 ]
