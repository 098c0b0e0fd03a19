#!/usr/bin/env bash
# The test command: install what is missing, start the real Kafka and PostgreSQL, lint, run pytest.
# Extra arguments go to pytest (e.g. `make test ARGS="-k broker"`).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/bootstrap.sh --test-tools
bin=.venv/bin
$bin/learnloop infra kafka up
$bin/learnloop infra postgres up
# The fault-injection suite brings up its own 3-node cluster and PostgreSQL (tests/faults).
$bin/ruff check .
$bin/ruff format --check .
$bin/mypy
set +e
$bin/pytest "$@"
code=$?
set -e
if [ "$code" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$code"
