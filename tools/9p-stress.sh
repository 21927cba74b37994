# SPDX-License-Identifier: GPL-2.0
# stress-ng's file-system stressors through the 9P backend (cache=loose),
# with --verify.  Not part of make check: in the test guest this run took
# 306 s (its 10 s timeout plus a slow teardown) and passed, which does
# not fit the time limit; copy it to tests/integration/65-9p-stress.sh
# to run it there (hvl.only='65*').  Each stressor is bounded by a few operations: at the
# test guest's 20-40 ms per 9P round trip, teardown of the thousands of
# files the default settings create would not fit in the time limit.
. /tests/lib.sh
. /tests/lib-9p.sh

# A contended lock makes v9fs sleep locktimeout (default 30 s) between
# retries: shorten it, and keep lock contention small.
OPTS=cache=loose,locktimeout=1
p9_up
mkdir $MNT/stress
stress-ng --temp-path $MNT/stress --timeout 10s --verify --metrics-brief \
	--link 1 --link-ops 4 --symlink 1 --symlink-ops 4 \
	--rename 1 --rename-ops 16 --hdd 1 --hdd-ops 16 --hdd-bytes 1m \
	--chmod 1 --chmod-ops 4 --flock 1 --flock-ops 16 \
	--seek 1 --seek-ops 32 --seek-size 1m \
	>/tmp/stress.out 2>&1 || { cat /tmp/stress.out; fail "stress-ng"; }
grep -E "successful|passed|failed|skipped" /tmp/stress.out | tail -4
rm -rf $MNT/stress
p9_down
