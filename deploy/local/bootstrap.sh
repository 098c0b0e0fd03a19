#!/usr/bin/env bash
# Install what LearnLoop needs on a fresh Debian/Ubuntu machine (idempotent):
# Java 17 + Maven (to assemble Kafka from Maven Central), PostgreSQL, and the Python virtualenv.
# With --test-tools also what the test suites need: Chromium (browser tests) and the deployment
# validation tools (kustomize, compose, KEDA CRDs, Dockerfile linter).
set -euo pipefail
cd "$(dirname "$0")/../.."
test_tools=false
[ "${1:-}" = "--test-tools" ] && test_tools=true

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
# The dashboard's browser test drives Debian's Chromium (no browser download from the internet).
if $test_tools; then command -v chromium >/dev/null 2>&1 || need+=(chromium); fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${need[*]} (run: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${need[@]}" >/dev/null
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "Python >= 3.11 is required" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# Deployment validation tools (kustomize, compose, KEDA CRDs, Dockerfile linter) from the Go
# module proxy and npm, pinned, into .learnloop/tools (tests/unit/deploy uses them).
if $test_tools; then
  if command -v go >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    bash deploy/kubernetes/tools.sh
  else
    echo "Go and npm are needed for the deployment validation tools (tests/unit/deploy)" >&2
    exit 1
  fi
fi
echo "bootstrap: ready (.venv, Java $(java -version 2>&1 | head -1 | cut -d'"' -f2), $(mvn -v 2>/dev/null | head -1 | cut -d' ' -f1-3))"
