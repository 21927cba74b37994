# SPDX-License-Identifier: GPL-2.0
# Sourced, after lib.sh, by 70-net.sh and tools/bench-net.sh; named so
# that init's [0-9]*.sh glob does not run it.
#
# hvl_net through the window: our hvlnet0 on Linux, the stock virtio_net
# over hvl_front as the peer, its interface (hvlpeer) moved into a network
# namespace of its own so that traffic between the two addresses crosses
# the window instead of the loopback.

IP=/usr/bin/ip		# iproute2: busybox's ip cannot change a link's netns
LA=10.77.0.1		# Linux (hvlnet0)
PA=10.77.0.2		# the peer (hvlpeer)
LA6=fd77::1
PA6=fd77::2
NS=			# the pid holding the peer's namespace

# The peer's side of things: its namespace, its CPUs.  peer_ns: the
# namespace only, one exec less, for what measures nothing.
peer() { nsenter -t "$NS" -n taskset $PEER_CPUS "$@"; }
peer_ns() { nsenter -t "$NS" -n "$@"; }
linux() { taskset $LINUX_CPUS "$@"; }

ns_ready() {
	[ "$(readlink /proc/$NS/ns/net)" != "$(readlink /proc/self/ns/net)" ]
}

# new_ns: a network namespace held by a sleeping process, whose pid is $NS
new_ns() {
	# Not on our output: a benchmark's is a pipe, which this would hold
	# open until the guest's timeout.
	unshare -n sleep 100000 >/dev/null 2>&1 &
	NS=$!
	retry 50 ns_ready || fail "no network namespace"
}

# listening <proc net dir> <port>: a TCP listener there (builtins only)
listening() {
	local hex l st x
	hex=$(printf '%04X' "$2")
	while read -r x l x st x; do
		[ "$st" = 0A ] && [ "${l#*:}" = "$hex" ] && return 0
	done <"$1/tcp"
	return 1
}

# Take the peer's new interface into its namespace and configure it.
# One ip a namespace (-batch): each process costs 50 to 80 ms in the
# test guest, and the soak does this every round.
adopt_peer() {
	local dev
	retry 100 front_net || fail "virtio_net did not bind through hvl_front"
	retry 50 peer_dev >/dev/null || fail "virtio_net has no interface"
	dev=$(peer_dev)
	$IP -batch - <<EOF || fail "move $dev to the peer's namespace as hvlpeer"
link set dev $dev name hvlpeer
link set dev hvlpeer netns $NS
EOF
	peer_ns $IP -batch - <<EOF || fail "hvlpeer: addresses and up"
addr add $PA/24 dev hvlpeer
addr add $PA6/64 dev hvlpeer nodad
link set dev hvlpeer up
EOF
}

# carrier 1|0: hvlnet0's carrier (builtins only: the soak asks every round)
carrier() {
	local c
	{ read -r c </sys/class/net/hvlnet0/carrier; } 2>/dev/null
	[ "$c" = "$1" ]
}
peer_carrier() { # peer_carrier 1|0
	if peer $IP -o link show dev hvlpeer | grep -q NO-CARRIER; then
		[ "$1" = 0 ]
	else
		[ "$1" = 1 ]
	fi
}

# hvlnet0's addresses and the link up, one process.
linux_addr() {
	# Our IPv6 address survives "link down", as the peer's does not need to.
	echo 1 >/proc/sys/net/ipv6/conf/hvlnet0/keep_addr_on_down
	$IP -batch - <<EOF || fail "hvlnet0: addresses and up"
addr add $LA/24 dev hvlnet0
addr add $LA6/64 dev hvlnet0 nodad
link set dev hvlnet0 up
EOF
}

# linux_addr, and the link up as both sides see it.
linux_up() {
	linux_addr
	retry 50 carrier 1 || fail "hvlnet0 has no carrier with the peer's driver up"
	retry 50 peer_carrier 1 || fail "the peer sees no link with hvlnet0 up"
}

# net_up [module...]: the window with hvl_net (and the other backends
# named), the peer in its namespace, both addresses, the link up.
net_up() {
	only_windows soc:hvl-backend-0
	load hvl_mbox_loopback hvl_core hvl_net "$@" hvl_front
	wait_for /sys/class/net/hvlnet0 || fail "no hvlnet0"
	pin
	new_ns
	adopt_peer
	linux_up
}
