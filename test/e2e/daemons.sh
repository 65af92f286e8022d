#!/usr/bin/env bash
# daemons.sh — run ON A LAB HOST: one line per long-running process, "PID START COMMAND",
# sorted, for before/after comparisons (a restarted service gets a new PID and start
# time). START is the kernel's start time in clock ticks since boot (/proc/PID/stat field
# 22), not the wall-clock time that `ps -o lstart` derives from it: when this machine's
# clock is stepped (a paused VM resumed), every lstart moves and all processes would look
# restarted. Leaves out this check's own shell and SSH session, and short-lived helpers.
set -euo pipefail
ps -eo pid=,comm= | while read -r pid comm; do
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue # gone meanwhile
  # shellcheck disable=SC2086 # split on purpose: the fields after "(comm) "
  set -- ${stat##*) }
  echo "$pid ${20} $comm"
done | awk '$NF !~ /^(ps|awk|sort|bash|sh|sshd|sleep|grep|sed|timeout|cat|sudo|apt-get|dpkg|http|gpgv|flock|sshd-session|sshd-auth)$/' \
  | LC_ALL=C sort
