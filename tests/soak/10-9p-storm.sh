# SPDX-License-Identifier: GPL-2.0
# The 9P metadata storm of make check (tests/integration/63-9p-storm.sh)
# at its full size: SOAK_STORM files (default 10 000) in cache=loose,
# SOAK_STORM/20 in cache=none.  About 16 minutes at 10 000 (967 s
# at 7c5cc63).
# hvl-timeout: 7200
P9_STORM=${SOAK_STORM:-10000} exec sh /tests/63-9p-storm.sh
