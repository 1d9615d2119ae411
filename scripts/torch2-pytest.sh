#!/usr/bin/env bash
# The Python tracer's tests (python/tests) under torch 2.x: builds the trixie root first when
# it is missing (scripts/torch2-env.sh), then runs pytest there with the given arguments.
#   scripts/torch2-pytest.sh -q
#   scripts/torch2-pytest.sh -q python/tests/test_graph.py -k leaves
#   GRADLENS_TORCH2_SUITE=forky scripts/torch2-pytest.sh -q   (that suite's torch)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/torch2-env.sh >/dev/null
# python/tests unless a test path is among the arguments.
for arg in "$@"; do
  case "$arg" in
    python/* | ./python/*) exec scripts/torch2-python -m pytest "$@" ;;
  esac
done
exec scripts/torch2-python -m pytest python/tests "$@"
