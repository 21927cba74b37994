# SPDX-License-Identifier: GPL-2.0
# stress-ng's file-system stressors through the 9P backend (cache=loose),
# with --verify.  Each stressor is bounded by a few operations: at the
# test guest's 20-40 ms per 9P round trip, teardown of the thousands of
# files the default settings create would not fit in the time limit.
. /tests/lib.sh
. /tests/lib-9p.sh

P9_OPTS=cache=loose
OPTS=$P9_OPTS
p9_up
mkdir $MNT/stress
stress-ng --temp-path $MNT/stress --timeout 10s --verify --metrics-brief \
	--link 1 --link-ops 4 --symlink 1 --symlink-ops 4 \
	--rename 1 --rename-ops 16 --hdd 1 --hdd-ops 16 --hdd-bytes 1m \
	--chmod 1 --chmod-ops 4 --flock 1 --flock-ops 32 \
	--lockf 1 --lockf-ops 32 --seek 1 --seek-ops 32 --seek-size 1m \
	>/tmp/stress.out 2>&1 || { cat /tmp/stress.out; fail "stress-ng"; }
grep -E "successful|passed|failed|skipped" /tmp/stress.out | tail -4
rm -rf $MNT/stress
[ "$(p9_stat malformed)" = 0 ] || fail "the client sent malformed messages?"
p9_down
