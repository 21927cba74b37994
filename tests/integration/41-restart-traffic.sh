# SPDX-License-Identifier: GPL-2.0
# The soak's restart runs at make check size, on one start: 2 peer
# (front-end) restarts, then 2 backend unbinds + module reloads, each
# under traffic on every device (console, vsock, 9P, net), with the
# counters back to their start after each: one start for both, so what
# the restarts left counts against the reloads' limits too
# (tests/soak/20-peer-restarts.sh, 30-backend-reloads.sh; make soak runs
# 1000 of each, each on a start of its own).
# hvl-timeout: 420
. /tests/lib.sh
. /tests/lib-9p.sh
. /soak/lib-soak.sh

soak_start
restart_rounds 2
check_baseline 2
echo "$DONE: ok"
reload_rounds 2
check_baseline 2
echo "$DONE: ok"
