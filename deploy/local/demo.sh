#!/usr/bin/env bash
# The main job on the embedded default: local Kafka + SQLite. Installs what is missing, starts the
# broker, provisions the topics, then runs `learnloop demo` (each service migrates its own SQLite
# database under .learnloop/demo). Arguments go to `learnloop demo` (see --help).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/bootstrap.sh
bin=.venv/bin
$bin/learnloop infra kafka up
$bin/learnloop topics ensure
exec $bin/learnloop demo "$@"
