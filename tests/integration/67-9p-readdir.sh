# SPDX-License-Identifier: GPL-2.0
# Directories larger than one Rreaddir, listed by the stock client.  Each
# entry of a reply carries the offset to resume after it; the last one of
# a full reply was sent as 0, so the client started the directory again
# and "ls" never ended.  2200 names, made on the Linux side, must be
# listed exactly once at msize=524288 and at msize=8192.
. /tests/lib.sh
. /tests/lib-9p.sh

N=2200
LS=/usr/bin/ls
[ -x $LS ] || fail "no GNU ls in the guest"
p9_up
mkdir $EXPORT/big
# 240-byte names: 264 bytes of Rreaddir each, 580 KB in all, more than
# one reply even at the largest msize (524288 asked, 512000 given: the
# virtio transport's cap), and about 70 at msize=8192.  Long
# names rather than many: each create costs milliseconds here (5000
# names of 100 bytes took 18 s to make).
pfx=$(printf 'e%0235d' 0)
(cd $EXPORT/big && seq -w 1 $N | sed "s/^/$pfx/" | xargs touch) ||
	fail "creating $N files"
ls -1 -a $EXPORT/big | sort >/tmp/rd.want
[ "$(wc -l </tmp/rd.want)" = $((N + 2)) ] || fail "export: $(wc -l </tmp/rd.want) names"

for ms in 524288 8192; do
	if [ $ms != 524288 ]; then
		p9_umount
		P9_MSIZE=$ms p9_mount
	fi
	t0=$(now)
	# GNU ls does not stat when its output is not a terminal: readdir
	# only (busybox's ls stats every name: a walk and a getattr each).
	timeout 60 $LS -1 -a $MNT/big >/tmp/rd.got ||
		fail "msize=$ms: ls did not finish within 60 s ($(wc -l </tmp/rd.got) names by then)"
	dt=$((($(now) - t0) * 10))
	sort /tmp/rd.got >/tmp/rd.sorted
	n=$(wc -l </tmp/rd.sorted)
	[ "$n" = $((N + 2)) ] || fail "msize=$ms: $n names listed, want $((N + 2))"
	cmp -s /tmp/rd.want /tmp/rd.sorted ||
		fail "msize=$ms: the names differ: $(diff /tmp/rd.want /tmp/rd.sorted | head -5)"
	echo "msize=$ms: $N entries (and . ..) listed once each, the names of the export, in $dt ms: ok"
done
rm -f /tmp/rd.*
p9_umount_clean
p9_down
