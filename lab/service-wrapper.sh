#!/bin/sh
# /usr/local/sbin/service on every lab host (installed at each boot by host-init.sh; first
# in PATH). The lab's hosts have no systemd, so `service X restart` runs X's init script in
# the caller's environment. On a systemd host (what Debian 12 and 13 install) the service
# runs in the manager's environment instead: the system locale, C.UTF-8 where none is set
# (systemd's default), whatever LC_ALL the caller exported. That difference matters: the
# program's steps export LC_ALL=C, and an OpenStack API under uwsgi (an embedded Python,
# which does not switch to UTF-8 by itself in the C locale) then reads its config as ASCII —
# Debian 13's packaged nova.conf has non-ASCII characters in comments, so nova-api failed
# to load (UnicodeDecodeError). This wrapper gives the init scripts the systemd host's
# locale, so the lab behaves like the hosts it stands for.
exec env -u LC_ALL -u LANGUAGE LANG=C.UTF-8 /usr/sbin/service "$@"
