#!/bin/bash
# lab/host-boot.sh — runs INSIDE a lab host, as the only child of tini (PID 1),
# like a tiny init: create this host's SSH host keys on first boot, start sshd
# the way the program will start services (`service X start`, there is no
# systemd), then stay alive. tini reaps the orphans of daemonised services.
# Restarting sshd (`service ssh restart`) is safe: the host does not depend
# on it staying up, only on this process.
set -euo pipefail
ssh-keygen -A >/dev/null # only the missing keys: new per host, kept on its disk
service ssh start
echo "host $(hostname) booted"
exec sleep infinity
