# SPDX-License-Identifier: GPL-2.0
# The hostile 9P peer at soak size: SOAK_9P_FUZZ messages (default
# 1 000 000) seeded with SOAK_FUZZ_SEED (default: the time, printed), as
# tests/integration/69-9p-fuzz.sh does with 5000 and seed 1.
# hvl-timeout: 14400
P9_FUZZ=${SOAK_9P_FUZZ:-1000000} P9_FUZZ_SEED=${SOAK_FUZZ_SEED:-$(date +%s)} \
	exec sh /tests/69-9p-fuzz.sh
