#!/bin/bash
# lab/clean.sh — `npm run lab:clean`: lab:down, then delete the whole state
# dir (base rootfs cache, apt cache, lab key, logs). The next lab:up is cold.
# Pulumi.lab.yaml stays; its secret key no longer matches after this.
set -euo pipefail
LAB_BIN=$(dirname "$(readlink -f "$0")")
# shellcheck source=lib.sh
source "$LAB_BIN/lib.sh"

require_root lab:clean
check_lab_dir
bash "$LAB_BIN/down.sh"
safe_remove "$LAB_DIR"
log "removed $LAB_DIR"
