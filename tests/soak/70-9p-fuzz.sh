# SPDX-License-Identifier: GPL-2.0
# The hostile 9P peer at soak size: SOAK_9P_FUZZ messages (default
# 200 000, some 4 minutes at the 915 a second of the debug kernel, where
# 10^6 would take 18; 60-fuzz's cases add 3.25 million inputs) seeded with
# SOAK_FUZZ_SEED (default: the time, printed), as
# tests/integration/69-9p-fuzz.sh does with 5000 and seed 1.
# hvl-timeout: 14400
P9_FUZZ=${SOAK_9P_FUZZ:-200000} P9_FUZZ_SEED=${SOAK_FUZZ_SEED:-$(date +%s)} \
	exec sh /tests/69-9p-fuzz.sh
