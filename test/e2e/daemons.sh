#!/usr/bin/env bash
# daemons.sh — run ON A LAB HOST: one line per long-running process, "PID START COMMAND",
# sorted, for before/after comparisons (a restarted service gets a new PID and start
# time). Leaves out this check's own shell and SSH session, and short-lived helpers.
set -euo pipefail
ps -eo pid=,lstart=,comm= | awk '{ pid = $1; start = $2 " " $3 " " $4 " " $5 " " $6; $1 = $2 = $3 = $4 = $5 = $6 = ""; sub(/^ +/, ""); print pid, start, $0 }' \
  | awk '$NF !~ /^(ps|awk|sort|bash|sh|sshd|sleep|grep|sed|timeout|cat|sudo|apt-get|dpkg|http|gpgv|flock|sshd-session|sshd-auth)$/' \
  | LC_ALL=C sort
