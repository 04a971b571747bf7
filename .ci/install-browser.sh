#!/usr/bin/env bash
# Installs Debian's chromium for the runner's real-browser test (test/runner/browser.test.ts). Idempotent:
# does nothing when /usr/bin/chromium exists. Needs root (CI runs as root) or sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  elif [ -n "${CI:-}" ]; then
    echo "install-browser: CI needs chromium, but this is not root and has no passwordless sudo" >&2
    exit 1
  else
    # A laptop without root: the browser test skips with a message; everything else runs.
    echo "install-browser: not root and no passwordless sudo; skipping chromium (install it with: sudo apt-get install chromium)"
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
