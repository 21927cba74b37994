# SPDX-License-Identifier: GPL-2.0
# vsock's integrity test of make check (tests/integration/
# 51-vsock-integrity.sh) at full size: 4 connections each way of
# SOAK_VSOCK_MB MiB each (default 8: 32 MiB each way), checksummed;
# make check sends 4 MiB a connection.
# hvl-timeout: 1800
VSOCK_MB=${SOAK_VSOCK_MB:-8} exec sh /tests/51-vsock-integrity.sh
