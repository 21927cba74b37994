# SPDX-License-Identifier: GPL-2.0
# hvl_net's checks of make check (tests/integration/70-net.sh) with its
# TCP streams at full size: SOAK_NET_MIB (default 64, a multiple of 4)
# each way at once, checksums compared; make check streams 16 MiB.
# hvl-timeout: 1800
NET_TCP_MIB=${SOAK_NET_MIB:-64} exec sh /tests/70-net.sh
