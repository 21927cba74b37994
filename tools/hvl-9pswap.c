// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-9pswap: race two raw 9P requests that each make a fid something
 * else, through hvl_9p's inject hook (module parameter inject=1), and
 * check what their replies say.  Each process opens the hook once, so
 * each reads the reply to its own request.
 *
 *   hvl-9pswap INJECT ROOTFID FID NAME EXPORT-FILE MODE ROUNDS
 *
 * Every round walks ROOTFID to FID (the file NAME), then two processes
 * send their request on FID at once (the second after a delay that
 * sweeps 0 to 490 us over the rounds, so the race window is found
 * whatever its place), and FID is clunked.
 *
 * xattr: Tlopen FID O_RDONLY against Txattrcreate FID "user.hvl".  Each
 *   needs a path fid that is not open and makes it an open file or an
 *   xattr fid: both succeeding means one of them changed a fid that was
 *   no longer the one in the table (the server mutated it in place).
 * trunc: Tlopen FID O_WRONLY|O_TRUNC against Tclunk FID, EXPORT-FILE
 *   (NAME seen from the Linux side) holding 64 KiB first.  An lopen that
 *   fails must not have truncated it (the server truncated before its
 *   swap, which the clunk then made fail).
 *
 * Output, one line: "9pswap: mode=.. rounds=.. first=.. second=..
 * bad=..", the first two counting successes.  Exit status 1 if bad > 0
 * or a write failed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvl-9pmsg.h"

#define TLOPEN		12
#define TXATTRCREATE	32
#define TWALK		110
#define TCLUNK		120
#define RLERROR		7
#define O_TRUNC_9P	01000

/* Send @m through @fd; return the reply's type, or -1. */
static int send_msg(int fd, struct msg *m)
{
	unsigned char r[256];

	end(m);
	if (pwrite(fd, m->b, m->n, 0) != (ssize_t)m->n)
		return -1;
	if (pread(fd, r, sizeof(r), 0) < 7)
		return -1;
	return r[4];
}

static void delay_us(long us)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000 +
	       (t.tv_nsec - t0.tv_nsec) / 1000 < us);
}

/*
 * A racer: per byte on @go, wait that many units of 10 us, send @m,
 * answer 1 (success), 0 (Rlerror) or 2 (broken hook) on @done.
 */
static void racer(const char *inject, struct msg *m, int go, int done)
{
	int fd = open(inject, O_RDWR);
	unsigned char d;

	while (read(go, &d, 1) == 1) {
		int t;

		delay_us(d * 10);
		t = fd < 0 ? -1 : send_msg(fd, m);
		d = t < 0 ? 2 : t != RLERROR;
		if (write(done, &d, 1) != 1)
			break;
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	int go[2][2], done[2][2], fd, i, bad = 0, ok[2] = { 0, 0 };
	unsigned int root, fid, rounds;
	struct msg m[2], w;
	const char *file, *mode;
	char buf[65536];
	pid_t pid[2];

	if (argc != 8) {
		fprintf(stderr, "usage: %s INJECT ROOTFID FID NAME FILE MODE ROUNDS\n",
			argv[0]);
		return 2;
	}
	root = strtoul(argv[2], NULL, 0);
	fid = strtoul(argv[3], NULL, 0);
	file = argv[5];
	mode = argv[6];
	rounds = strtoul(argv[7], NULL, 0);
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}

	begin(&m[0], TLOPEN);
	put(&m[0], fid, 4);
	if (!strcmp(mode, "xattr")) {
		put(&m[0], 0, 4);			/* O_RDONLY */
		begin(&m[1], TXATTRCREATE);
		put(&m[1], fid, 4);
		str(&m[1], "user.hvl");
		put(&m[1], 1, 8);
		put(&m[1], 0, 4);
	} else {
		put(&m[0], 1 | O_TRUNC_9P, 4);		/* O_WRONLY|O_TRUNC */
		begin(&m[1], TCLUNK);
		put(&m[1], fid, 4);
	}
	memset(buf, 'x', sizeof(buf));

	for (i = 0; i < 2; i++)
		if (pipe(go[i]) || pipe(done[i]))
			return 1;
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			return 1;
		if (!pid[i]) {
			/* Only its own ends: EOF on go when the parent ends. */
			close(go[i][1]);
			close(done[i][0]);
			close(go[!i][0]);
			close(go[!i][1]);
			close(done[!i][0]);
			close(done[!i][1]);
			racer(argv[1], &m[i], go[i][0], done[i][1]);
		}
	}
	for (i = 0; i < 2; i++) {
		close(go[i][0]);
		close(done[i][1]);
	}

	for (unsigned int r = 0; r < rounds; r++) {
		unsigned char d[2] = { 0, r % 50 };
		unsigned char res[2];
		struct stat st;

		if (strcmp(mode, "xattr")) {
			int f = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0666);

			if (f < 0 || write(f, buf, sizeof(buf)) != sizeof(buf))
				return 1;
			close(f);
		}
		begin(&w, TWALK);
		put(&w, root, 4);
		put(&w, fid, 4);
		put(&w, 1, 2);
		str(&w, argv[4]);
		if (send_msg(fd, &w) != TWALK + 1) {
			fprintf(stderr, "9pswap: round %u: walk failed\n", r);
			return 1;
		}
		for (i = 0; i < 2; i++)
			if (write(go[i][1], &d[i], 1) != 1)
				return 1;
		for (i = 0; i < 2; i++) {
			if (read(done[i][0], &res[i], 1) != 1 || res[i] == 2) {
				fprintf(stderr, "9pswap: round %u: racer %d failed\n",
					r, i);
				return 1;
			}
		}
		ok[0] += res[0];
		ok[1] += res[1];
		if (!strcmp(mode, "xattr"))
			bad += res[0] && res[1];
		else if (!res[0] && (stat(file, &st) || st.st_size != sizeof(buf)))
			bad++;
		begin(&w, TCLUNK);
		put(&w, fid, 4);
		send_msg(fd, &w);	/* EBADF if the racer clunked it */
	}
	for (i = 0; i < 2; i++) {
		close(go[i][1]);
		waitpid(pid[i], NULL, 0);
	}
	printf("9pswap: mode=%s rounds=%u first=%d second=%d bad=%d\n", mode,
	       rounds, ok[0], ok[1], bad);
	return bad ? 1 : 0;
}
