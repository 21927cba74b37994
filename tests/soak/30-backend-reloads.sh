# SPDX-License-Identifier: GPL-2.0
# SOAK_RELOADS (default 1000) backend restarts and module reloads while
# the front-end stays: every backend device (console, vsock, 9P, net) is
# unbound from its driver through sysfs while a vsock stream, a console
# flood and a TCP stream run towards the peer, then every device module
# is unloaded and loaded again.  (A module cannot go while the traffic
# runs: each Linux vsock socket holds a reference on its transport's
# module, and an open tty on its driver's, so the unbind is what the
# traffic crosses.)  Each time every device must come back and carry
# traffic, and at the end the counters are back to their starting
# values (kmemleak: init).
# hvl-timeout: 21600
# hvl-quiet: 900
. /tests/lib.sh
. /tests/lib-9p.sh
. /soak/lib-soak.sh

R=${SOAK_RELOADS:-1000}
soak_start
reload_rounds "$R"
check_baseline "$R"
echo "$DONE: ok"
