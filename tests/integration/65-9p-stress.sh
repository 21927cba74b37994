# SPDX-License-Identifier: GPL-2.0
# stress-ng's file-system stressors through the 9P backend, in each cache
# mode (loose, none, mmap), with --verify: renames, file I/O with
# verification, chmod, flock, seeks, directories, dentries, utime and
# mknod.  Each stressor is bounded by an operation count: at the test
# guest's 2-8 ms per 9P round trip the defaults would not fit in make
# check.  The link and symlink stressors are left out for that reason
# (each of their operations makes 8192 links); 62-9p-posix covers links.
# Afterwards the export must be empty (stress-ng cleans up after itself
# through the mount) and every fid clunked.
. /tests/lib.sh
. /tests/lib-9p.sh

stress() {
	stress-ng --temp-path $MNT/stress --timeout 60s --verify --metrics-brief \
		--rename 1 --rename-ops 8 --hdd 1 --hdd-ops 8 --hdd-bytes 1m \
		--chmod 1 --chmod-ops 2 --flock 1 --flock-ops 8 \
		--seek 1 --seek-ops 16 --seek-size 1m \
		--dir 1 --dir-ops 2 --dir-dirs 64 \
		--dentry 1 --dentry-ops 2 --dentries 16 \
		--utime 1 --utime-ops 16 --mknod 1 --mknod-ops 2 \
		>/tmp/stress.out 2>&1 || { cat /tmp/stress.out; fail "stress-ng ($OPTS)"; }
	tail -1 /tmp/stress.out
	grep -qw "successful run completed" /tmp/stress.out || { cat /tmp/stress.out; fail "stress-ng reports failures ($OPTS)"; }
}

# A lock still contended after the server's wait (lock_wait_ms) makes
# v9fs sleep locktimeout (default 30 s) before it retries: shorten it.
for OPTS in cache=loose,locktimeout=1 cache=none,locktimeout=1 cache=mmap,locktimeout=1; do
	echo "== $OPTS"
	p9_up
	mkdir $MNT/stress
	chmod 777 $MNT/stress
	t0=$(now)
	stress
	echo "$OPTS: $(($(now) - t0))0 ms"
	rmdir $MNT/stress || fail "stress-ng left files: $(ls -R $EXPORT/stress | head -5)"
	p9_umount_clean
	p9_down
done
