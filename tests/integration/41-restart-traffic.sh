# SPDX-License-Identifier: GPL-2.0
# The soak's restart runs at make check size: 2 peer (front-end) restarts
# and 2 backend unbinds + module reloads, each under traffic on every
# device (console, vsock, 9P, net), with the counters back to their start at
# the end (tests/soak/20-peer-restarts.sh, 30-backend-reloads.sh; make
# soak runs 1000 of each).
# hvl-timeout: 420
SOAK_RESTARTS=2 sh /soak/20-peer-restarts.sh || exit
SOAK_RELOADS=2 sh /soak/30-backend-reloads.sh
