#!/usr/bin/env bash
# Install what LBP-KG needs on a fresh Debian-like machine: system packages (apt), a virtualenv
# with the Python packages, and the front-end packages (npm). Idempotent: fast when all is there.
#   scripts/setup.sh run    what `make run` needs (Java for the reasoner, the OWL API for the DL check)
#   scripts/setup.sh test   what `make test` needs (also Chromium and Virtuoso for the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-run}"
PY="${PYTHON:-python3}"

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

command -v "$PY" >/dev/null || die "python3 (3.10 or newer) is missing: install it (Debian: apt-get install python3 python3-venv)"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || die "python 3.10 or newer is needed, found $("$PY" --version)"

# --- system packages -------------------------------------------------------------------------
need=()
# Java for HermiT; a JDK because the OWL 2 DL profile check (kg/build/OwlDlProfile.java) runs as a Java
# source file, against the OWL API jars that libowlapi-java installs in /usr/share/java.
command -v javac >/dev/null || need+=(default-jdk-headless)
[ -f /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
if [ "$profile" = test ]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v virtuoso-t >/dev/null || need+=(virtuoso-opensource)
fi
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing system packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    say "installing system packages with sudo: ${need[*]}"
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    die "missing system packages: ${need[*]} (install them with your package manager, then re-run)"
  fi
fi

# --- Python ------------------------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  say "creating virtualenv .venv"
  "$PY" -m venv .venv || die "cannot create a virtualenv (Debian: apt-get install python3-venv)"
fi
extras=""
[ "$profile" = test ] && extras="[test]"
stamp=".venv/.installed-$profile"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "installing Python packages$extras"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".$extras" || die "pip install failed (see above)"
  touch "$stamp"
fi

# --- front-end packages (pinned by package-lock.json) -------------------------------------------
if [ -f package.json ]; then
  command -v npm >/dev/null || die "npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm)"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    say "installing front-end packages (npm ci)"
    npm ci --silent --no-audit --no-fund || die "npm ci failed (see above)"
    touch node_modules
  fi
fi
say "ready ($profile)"
