// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-ivshmem-server: the doorbell wiring between QEMU machines whose
 * ivshmem-doorbell devices ring each other (make check-2m, irq mode).
 * Debian does not package QEMU's contrib/ivshmem-server, and hvl wants
 * something it does not do: fixed IDs.
 *
 *   hvl-ivshmem-server -S <prefix> [-n <machines>]
 *
 * Listens on <prefix>.0 ... <prefix>.<n-1>; the QEMU that connects to
 * <prefix>.<i> (-chardev socket,path=<prefix>.<i>) gets ID i, the value
 * its guest reads in IVPosition and the one the other machines write to
 * Doorbell to ring it.  On a SoC a core's doorbell index is fixed by the
 * hardware and written in the device tree; QEMU's server hands out the
 * lowest free ID instead, so the IDs would depend on boot order and on
 * restarts.  A second connection to a busy ID is closed at once.
 *
 * The protocol is QEMU's (docs/specs/ivshmem-spec.rst): the server only
 * ever sends, 8-byte little-endian numbers, some with a file descriptor
 * (SCM_RIGHTS).  To a new client i: 0 (the version), i (its ID), -1 with
 * the shared memory, then j with j's eventfd for each other machine j
 * known so far, then i with its own eventfd (the one it is rung on).  To
 * the others, the first time i connects while they are: i with i's
 * eventfd.  One vector per machine.
 *
 * A machine that goes is never announced as gone, and its eventfd lives
 * as long as the server: when it comes back it is rung on the same one,
 * which the others still hold.  QEMU (hw/misc/ivshmem.c up to at least
 * 10.x) frees a peer's eventfd array on a disconnect message and writes
 * into the freed array on the next connect message for that ID: QEMU's
 * own server gives a returning client a new ID, ours gives it the same,
 * and the other machine's QEMU died of heap corruption ("malloc():
 * unaligned fastbin chunk detected") when the peer came back.  Rings
 * while a machine is down wait in its eventfd: it sees one ring when it
 * starts, which a doorbell allows.
 *
 * The shared memory ivshmem insists on (its BAR2) is a 4 KiB memfd that
 * nobody uses: the machines share their window through the memory
 * backend QEMU maps at a fixed guest-physical address, as a SoC's
 * carve-out, not through a PCI BAR that the firmware places.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <endian.h>

#define MAX_MACHINES	16

struct machine {
	int listen;	/* <prefix>.<id> */
	int conn;	/* the QEMU connected as this ID, or -1 */
	int event;	/* what the others write to ring it, for ever */
	int seen;	/* has connected at least once */
	unsigned char told[MAX_MACHINES]; /* this connection knows ID j */
};

static struct machine m[MAX_MACHINES];
static int n_machines = 2;
static int shm = -1;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One message: a number, and a descriptor if fd >= 0. */
static int send_msg(int sock, int64_t v, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	int64_t le = (int64_t)htole64((uint64_t)v);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	if (fd >= 0) {
		memset(&c, 0, sizeof(c));
		msg.msg_control = c.buf;
		msg.msg_controllen = sizeof(c.buf);
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&c.h), &fd, sizeof(int));
	}
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r == sizeof(le) ? 0 : -1;
}

/* Nothing to tell the others: see the top of this file. */
static void drop(int id)
{
	close(m[id].conn);
	m[id].conn = -1;
	memset(m[id].told, 0, sizeof(m[id].told));
	printf("machine %d gone\n", id);
	fflush(stdout);
}

/* Tell the client of machine @to about machine @id, once per connection. */
static int tell(int to, int id)
{
	if (m[to].told[id])
		return 0;
	m[to].told[id] = 1;
	return send_msg(m[to].conn, id, m[id].event);
}

/*
 * A QEMU connected to <prefix>.<id>.  A client that cannot take its setup
 * messages is dropped again.
 */
static void join(int id)
{
	int c = accept4(m[id].listen, NULL, NULL, SOCK_CLOEXEC);
	int j, bad = 0;

	if (c < 0)
		return;
	if (m[id].conn >= 0) {
		fprintf(stderr, "ID %d is taken: connection refused\n", id);
		close(c);
		return;
	}
	m[id].conn = c;
	m[id].seen = 1;
	bad |= send_msg(c, 0, -1);		/* protocol version */
	bad |= send_msg(c, id, -1);		/* your ID */
	bad |= send_msg(c, -1, shm);		/* the (unused) BAR2 */
	for (j = 0; j < n_machines; j++)
		if (j != id && m[j].seen)
			bad |= tell(id, j);
	bad |= tell(id, id);			/* you are rung on this */
	if (bad) {
		drop(id);
		return;
	}
	for (j = 0; j < n_machines; j++)
		if (j != id && m[j].conn >= 0 && tell(j, id))
			drop(j);
	printf("machine %d connected\n", id);
	fflush(stdout);
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "%s: path too long\n", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	unlink(path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s, 4)) {
		perror(path);
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

static void usage(void)
{
	fprintf(stderr, "usage: hvl-ivshmem-server -S <socket prefix> [-n <machines, 2..%d>]\n",
		MAX_MACHINES);
	exit(2);
}

int main(int argc, char **argv)
{
	struct pollfd p[2 * MAX_MACHINES];
	const char *prefix = NULL;
	char path[108];
	int i, o, n;

	while ((o = getopt(argc, argv, "S:n:")) != -1) {
		switch (o) {
		case 'S':
			prefix = optarg;
			break;
		case 'n':
			n_machines = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!prefix || n_machines < 2 || n_machines > MAX_MACHINES)
		usage();

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	shm = memfd_create("hvl-ivshmem-bar2", MFD_CLOEXEC);
	if (shm < 0 || ftruncate(shm, 4096)) {
		perror("memfd");
		return 1;
	}
	for (i = 0; i < n_machines; i++) {
		snprintf(path, sizeof(path), "%s.%d", prefix, i);
		m[i].conn = -1;
		m[i].event = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		m[i].listen = listen_on(path);
		if (m[i].event < 0 || m[i].listen < 0)
			return 1;
	}
	printf("listening on %s.0 to %s.%d\n", prefix, prefix, n_machines - 1);
	fflush(stdout);

	while (!stop) {
		n = 0;
		for (i = 0; i < n_machines; i++) {
			p[n++] = (struct pollfd){ .fd = m[i].listen, .events = POLLIN };
			/* The clients never send: readable means gone. */
			p[n++] = (struct pollfd){ .fd = m[i].conn, .events = POLLIN };
		}
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			break;
		}
		for (i = 0; i < n_machines; i++) {
			if (p[2 * i + 1].fd >= 0 && p[2 * i + 1].revents)
				drop(i);
			if (p[2 * i].revents & POLLIN)
				join(i);
		}
	}
	for (i = 0; i < n_machines; i++) {
		snprintf(path, sizeof(path), "%s.%d", prefix, i);
		unlink(path);
	}
	return 0;
}
