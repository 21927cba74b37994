# SPDX-License-Identifier: GPL-2.0
# hvl_net's checks of make check (tests/integration/70-net.sh) once more
# in the soak's boot (normal RCU grace periods, after the long runs),
# with its TCP streams of SOAK_NET_MIB (default 64, as in make check; a
# multiple of 4; the guest's /tmp holds three times that) each way at
# once, checksums compared.
# hvl-timeout: 1800
NET_TCP_MIB=${SOAK_NET_MIB:-64} exec sh /tests/70-net.sh
