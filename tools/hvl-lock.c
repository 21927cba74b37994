// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-lock: take a POSIX write lock on a whole file, hold it, release it.
 * The 9P tests run it on both sides of a mount, so that a lock held by a
 * Linux process contends with the peer's in the server (flock(1) on one
 * client is settled by the client's own lock table and never reaches
 * the server contended).
 *
 *   hvl-lock [-n] FILE MS [MARKER]
 *
 * Waits for the lock (F_SETLKW), or with -n fails at once if it is held
 * (F_SETLK; exit status 2).  Once it holds the lock it creates MARKER, if
 * given, holds the lock MS milliseconds and exits 0.  Errors: status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct timespec ts;
	int nowait = 0, fd;
	long ms;

	if (argc > 1 && !strcmp(argv[1], "-n")) {
		nowait = 1;
		argv++;
		argc--;
	}
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: hvl-lock [-n] FILE MS [MARKER]\n");
		return 1;
	}
	ms = atol(argv[2]);
	fd = open(argv[1], O_RDWR | O_CREAT, 0666);
	if (fd < 0) {
		fprintf(stderr, "hvl-lock: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (fcntl(fd, nowait ? F_SETLK : F_SETLKW, &fl)) {
		int busy = errno == EAGAIN || errno == EACCES;

		fprintf(stderr, "hvl-lock: lock %s: %s\n", argv[1], strerror(errno));
		return busy ? 2 : 1;
	}
	if (argc == 4 && close(open(argv[3], O_WRONLY | O_CREAT, 0644))) {
		fprintf(stderr, "hvl-lock: marker %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000;
	nanosleep(&ts, NULL);
	return close(fd) ? 1 : 0;
}
