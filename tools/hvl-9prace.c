// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-9prace: race raw 9P messages on one fid number through hvl_9p's
 * inject hook (module parameter inject=1, debugfs .../inject), which
 * serves each write(2) at once in the writer's context, so several
 * processes writing to it are served concurrently, as a peer's requests
 * are by the worker pool.
 *
 *   hvl-9prace INJECT ROOTFID FID DIR MS
 *
 * One process turns FID into an open file, over and over: Twalk ROOTFID
 * to FID (DIR, or no name if DIR is "."), Tlcreate FID "f" (mode 0755,
 * so that a stale directory view of it passes the search permission
 * check), Tclunk FID.  Three others hit the same fid number meanwhile
 * with what needs a directory or a stable path: Tmkdir/Tunlinkat "d",
 * Tgetattr, Twalk FID to FID+1 and back, Tlink.  Replies are not read
 * (the hook keeps only the last one): the server must just survive, and
 * the test checks the kernel log and the fid table afterwards.
 *
 * Runs for MS milliseconds; exit status 0, or 1 if a write failed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvl-9pmsg.h"

#define TWALK		110
#define TCLUNK		120
#define TLCREATE	14
#define TMKDIR		72
#define TUNLINKAT	76
#define TGETATTR	24
#define TLINK		70
#define AT_REMOVEDIR	0x200

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fire(const char *inj, struct msg *msgs, int n, long ms)
{
	long deadline = now_ms() + ms;
	int fd = open(inj, O_WRONLY);

	if (fd < 0) {
		perror(inj);
		return 1;
	}
	while (now_ms() < deadline) {
		for (int i = 0; i < n; i++) {
			/* An Rlerror is a reply: the write succeeds. */
			if (write(fd, msgs[i].b, msgs[i].n) < 0) {
				perror("write");
				return 1;
			}
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct msg m[4][6];
	int n[4] = { 0 }, status, ret = 0;
	uint32_t root, fid;
	const char *dir;
	long ms;

	if (argc != 6) {
		fprintf(stderr, "usage: hvl-9prace INJECT ROOTFID FID DIR MS\n");
		return 1;
	}
	root = strtoul(argv[2], NULL, 0);
	fid = strtoul(argv[3], NULL, 0);
	dir = argv[4];
	ms = atol(argv[5]);

	/* 0: walk, lcreate, clunk. */
	begin(&m[0][n[0]], TWALK);
	put(&m[0][n[0]], root, 4);
	put(&m[0][n[0]], fid, 4);
	if (strcmp(dir, ".")) {
		put(&m[0][n[0]], 1, 2);
		str(&m[0][n[0]], dir);
	} else {
		put(&m[0][n[0]], 0, 2);
	}
	end(&m[0][n[0]++]);
	begin(&m[0][n[0]], TLCREATE);
	put(&m[0][n[0]], fid, 4);
	str(&m[0][n[0]], "f");
	put(&m[0][n[0]], 2, 4);		/* P9_DOTL_RDWR */
	put(&m[0][n[0]], 0755, 4);
	put(&m[0][n[0]], 0, 4);
	end(&m[0][n[0]++]);
	begin(&m[0][n[0]], TCLUNK);
	put(&m[0][n[0]], fid, 4);
	end(&m[0][n[0]++]);

	/* 1: mkdir and rmdir "d". */
	begin(&m[1][n[1]], TMKDIR);
	put(&m[1][n[1]], fid, 4);
	str(&m[1][n[1]], "d");
	put(&m[1][n[1]], 0755, 4);
	put(&m[1][n[1]], 0, 4);
	end(&m[1][n[1]++]);
	begin(&m[1][n[1]], TUNLINKAT);
	put(&m[1][n[1]], fid, 4);
	str(&m[1][n[1]], "d");
	put(&m[1][n[1]], AT_REMOVEDIR, 4);
	end(&m[1][n[1]++]);

	/* 2: getattr; walk a clone and clunk it. */
	begin(&m[2][n[2]], TGETATTR);
	put(&m[2][n[2]], fid, 4);
	put(&m[2][n[2]], 0x3fff, 8);
	end(&m[2][n[2]++]);
	begin(&m[2][n[2]], TWALK);
	put(&m[2][n[2]], fid, 4);
	put(&m[2][n[2]], fid + 1, 4);
	put(&m[2][n[2]], 0, 2);
	end(&m[2][n[2]++]);
	begin(&m[2][n[2]], TCLUNK);
	put(&m[2][n[2]], fid + 1, 4);
	end(&m[2][n[2]++]);

	/* 3: unlink a name that is not there; link the root into fid. */
	begin(&m[3][n[3]], TUNLINKAT);
	put(&m[3][n[3]], fid, 4);
	str(&m[3][n[3]], "nonexistent");
	put(&m[3][n[3]], 0, 4);
	end(&m[3][n[3]++]);
	begin(&m[3][n[3]], TLINK);
	put(&m[3][n[3]], fid, 4);
	put(&m[3][n[3]], root, 4);
	str(&m[3][n[3]], "l");
	end(&m[3][n[3]++]);

	for (int i = 0; i < 4; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid)
			_exit(fire(argv[1], m[i], n[i], ms));
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ret = 1;
	return ret;
}
