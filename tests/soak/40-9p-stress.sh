# SPDX-License-Identifier: GPL-2.0
# stress-ng's file-system stressors through the 9P backend for
# SOAK_STRESS seconds (default 120) in each cache mode, two instances of
# each, with --verify and no operation bound; make check runs a bounded
# instance (tests/integration/65-9p-stress.sh).  No length is asked
# for, only longer than make check, whose run takes some 8 s a mode with
# one instance each: 2 minutes a mode, unbounded, is 15 times that and
# leaves the whole make soak room in a 3-hour session, with the net
# device in the restarts and reloads (5 minutes a mode cost 20 minutes
# in all).  Not the link and
# symlink stressors: each of their operations makes 8192 links, which at
# 9P round-trip times overruns --timeout by minutes (62-9p-posix covers
# links).
# hvl-timeout: 7200
. /tests/lib.sh
. /tests/lib-9p.sh

T=${SOAK_STRESS:-120}
for OPTS in cache=loose,locktimeout=1 cache=none,locktimeout=1 cache=mmap,locktimeout=1; do
	echo "== $OPTS, $T s"
	p9_up
	mkdir $MNT/stress
	chmod 777 $MNT/stress
	stress-ng --temp-path $MNT/stress --timeout ${T}s --verify --metrics-brief \
		--rename 2 --hdd 2 --hdd-bytes 4m --chmod 2 --flock 2 \
		--seek 2 --seek-size 4m --dir 2 --dir-dirs 64 --dentry 2 \
		--utime 2 --mknod 2 \
		>/tmp/stress.out 2>&1 || { cat /tmp/stress.out; fail "stress-ng ($OPTS)"; }
	grep -qw "successful run completed" /tmp/stress.out ||
		{ cat /tmp/stress.out; fail "stress-ng reports failures ($OPTS)"; }
	tail -3 /tmp/stress.out
	rmdir $MNT/stress || fail "stress-ng left files: $(ls -R $EXPORT/stress | head -5)"
	p9_umount_clean
	p9_down
done
