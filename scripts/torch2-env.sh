#!/usr/bin/env bash
# Builds a Debian root with PyTorch 2.x (trixie: python3-torch 2.6, Python 3.13) so the Python
# tracer's tests can run against torch 2 on a machine whose own torch is Debian bookworm's 1.13.
#
#   scripts/torch2-env.sh            build the root (does nothing if it is already complete)
#   GRADLENS_TORCH2_SUITE=forky ...  another Debian suite's torch (root .torch2-forky/)
#   GRADLENS_TORCH2_ROOT=DIR ...     build it in DIR instead of the repository
#   GRADLENS_DEBIAN_MIRROR=URL ...   another Debian mirror (default http://deb.debian.org/debian)
#
# Needs root (as .ci/run has): mmdebstrap, installed with apt-get when missing, builds the root
# in one apt solve, and scripts/torch2-python runs its python3 through chroot. The root is
# built beside its final place and renamed when complete, so an interrupted build is redone,
# never half used.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/torch2-root.sh
. "$repo/scripts/torch2-root.sh"
root="$torch2_root"
mirror="${GRADLENS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# python3-torch brings numpy; the tests need pytest. torch.compile's default backend,
# inductor, compiles C++ on the CPU: g++ (gcc comes with it, libgomp for its OpenMP loops),
# torch's headers and link libraries (libtorch-dev: Debian's torch/include points into
# /usr/include), python3-dev for Python.h, and setuptools, which torch.utils.cpp_extension
# imports (trixie's torch 2.6 does not depend on it; later ones do).
packages=python3-torch,python3-pytest,g++,libtorch-dev,python3-dev,libgomp1,python3-setuptools

if [ -f "$root/.gradlens-torch2-complete" ]; then
  echo "torch2 root ready: $root"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "scripts/torch2-env.sh: building the $torch2_suite root needs root (chroot, device nodes)" >&2
  exit 1
fi
if ! command -v mmdebstrap >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq mmdebstrap >/dev/null
fi

partial="$root.partial"
# --one-file-system: never into a /proc or /dev that a killed build left mounted.
rm -rf --one-file-system "$partial"
mkdir -p "$(dirname "$root")"
options=(--variant=minbase --include="$packages" --quiet)
if [ "$torch2_suite" != trixie ]; then
  # A mirror's copy of forky or sid can be weeks old, past the week its Release file is
  # valid for; the packages are still there, and a root for tests needs no security updates.
  options+=(--aptopt='Acquire::Check-Valid-Until "false"')
fi
# In a mount namespace of its own, the build's mounts (/proc, /dev in the root) end with it.
unshare --mount -- mmdebstrap "${options[@]}" "$torch2_suite" "$partial" "$mirror"
touch "$partial/.gradlens-torch2-complete"
rm -rf --one-file-system "$root"
mv "$partial" "$root"
echo "torch2 root ready: $root"
