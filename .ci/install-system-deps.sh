#!/usr/bin/env bash
# Installs the Debian packages rlrepro uses when present. Idempotent: installs only what is missing.
#   libopenblas0   the native BLAS behind the `blas` backend (src/backend/native-kernels.ts): ~3.7x faster training;
#                  without it everything runs on WebAssembly.
#   chromium       only with --browser: the runner's real-browser test (test/runner/browser.test.ts).
# Needs root (CI runs as root) or passwordless sudo. Elsewhere it says what to install and exits 0 (everything
# still runs, slower or without the browser test); in CI (CI set) that is an error, because CI must exercise both.
set -euo pipefail
packages=()
if ! ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; then packages+=(libopenblas0); fi
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then packages+=(chromium); fi
if [ ${#packages[@]} -eq 0 ]; then
  echo "system packages present (OpenBLAS$([ "${1:-}" = "--browser" ] && echo ', chromium'))"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  elif [ -n "${CI:-}" ]; then
    echo "install-system-deps: CI needs ${packages[*]}, but this is not root and has no passwordless sudo" >&2
    exit 1
  else
    echo "install-system-deps: not root and no passwordless sudo; skipping ${packages[*]} (install with: sudo apt-get install ${packages[*]})"
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  [ -n "${CI:-}" ] && { echo "install-system-deps: CI needs apt-get for ${packages[*]}" >&2; exit 1; }
  echo "install-system-deps: no apt-get here; install ${packages[*]} with your package manager for the fast paths"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "installed: ${packages[*]}"
