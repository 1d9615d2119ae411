# Sourced by scripts/torch2-env.sh, torch2-python and torch2-pytest.sh: which Debian suite's
# torch 2.x root they mean, and where it is.
#   GRADLENS_TORCH2_SUITE=forky ...  another suite (default trixie: torch 2.6, Python 3.13;
#                                    forky and sid had torch 2.14 with Python 3.14)
#   GRADLENS_TORCH2_ROOT=DIR ...     the root in DIR instead of the repository's .torch2/
#                                    (trixie) or .torch2-SUITE/ (any other suite)
torch2_suite="${GRADLENS_TORCH2_SUITE:-trixie}"
if [ "$torch2_suite" = trixie ]; then
  torch2_root="${GRADLENS_TORCH2_ROOT:-$repo/.torch2}"
else
  torch2_root="${GRADLENS_TORCH2_ROOT:-$repo/.torch2-$torch2_suite}"
fi
