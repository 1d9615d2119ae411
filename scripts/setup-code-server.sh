#!/usr/bin/env bash
# Installs code-server 4.100.3 (real VS Code 1.100.3, web build) into .e2e/code-server so the
# extension can be tested and demonstrated without downloading VS Code from Microsoft (which
# this machine cannot reach). Idempotent: does nothing when the install is already complete.
# The recipe and its workarounds are from /work/shared/notes/vscode-e2e.md.
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${GRADLENS_E2E_DIR:-$ROOT/.e2e}/code-server"
MARKER="$DIR/.gradlens-ready-$VERSION"
VSCODE="$DIR/node_modules/code-server/lib/vscode"

if [[ -f "$MARKER" && -f "$DIR/node_modules/code-server/out/node/entry.js" ]]; then
  echo "code-server $VERSION already set up in $DIR"
  exit 0
fi

log() { echo "[setup-code-server] $*"; }
log "setting up code-server $VERSION in $DIR (first time only)"

# 1. Native build dependencies, ripgrep (its npm package would download from GitHub) and Chromium.
missing=()
for pkg in libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev ripgrep chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing Debian packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}) and re-run." >&2
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. code-server in a directory of its own, kept out of the extension's node_modules and .vsix.
mkdir -p "$DIR"
cd "$DIR"
[[ -f package.json ]] || echo '{ "name": "gradlens-e2e-code-server", "private": true }' > package.json
if [[ ! -f node_modules/code-server/package.json ]] || ! grep -q "\"version\": \"$VERSION\"" node_modules/code-server/package.json; then
  log "npm install code-server@$VERSION --ignore-scripts"
  npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"
fi
log "rebuilding argon2 from source"
npm rebuild argon2 --build-from-source

# 3. code-server's postinstall refuses root and downloads ripgrep, so do its work by hand.
cd "$VSCODE"
log "installing VS Code's own dependencies"
npm install --no-audit --no-fund --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
log "rebuilding native modules"
npm_config_yes=true npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog native-watchdog @vscode/deviceid
ln -sfn node_modules node_modules.asar
log "installing built-in extensions' dependencies"
(cd extensions && npm install --no-audit --no-fund --omit=dev)

touch "$MARKER"
log "done: $DIR"
