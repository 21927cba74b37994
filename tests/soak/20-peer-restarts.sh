# SPDX-License-Identifier: GPL-2.0
# SOAK_RESTARTS (default 1000) peer restarts: the front-end is unbound
# and bound again while a vsock stream, a console flood and a TCP stream
# run towards the peer; each time every device (console,
# vsock, 9P, net) must come back and carry traffic, the Linux sender must
# see the reset, the peer's DMA pool must be empty while the front-end is
# unbound, and at the end the counters are back to their starting values
# (kmemleak: init).
# hvl-timeout: 21600
# hvl-quiet: 900
. /tests/lib.sh
. /tests/lib-9p.sh
. /soak/lib-soak.sh

[ -n "${SOAK_TRACE:-}" ] && set -x
R=${SOAK_RESTARTS:-1000}
soak_start
restart_rounds "$R"
check_baseline "$R"
echo "$DONE: ok"
