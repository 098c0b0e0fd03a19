#!/usr/bin/env bash
# The main job on the embedded default: local Kafka + SQLite. Installs what is missing, starts the
# broker, provisions topics and the database, then runs `learnloop demo`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/bootstrap.sh
bin=.venv/bin
$bin/learnloop infra kafka up
$bin/learnloop topics ensure
$bin/learnloop db upgrade
exec $bin/learnloop demo "$@"
