// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-fsstorm: a metadata storm over N files, one phase per call, so that
 * a test can check the result on the other side of a 9P mount between
 * phases.  Every file holds its own index, so a lost, swapped or
 * truncated file is caught by "verify".
 *
 *   hvl-fsstorm create DIR N [-j JOBS] [-s SIZE]  DIR/fI, I < N, SIZE bytes each
 *   hvl-fsstorm stat   DIR N [-j JOBS] [-s SIZE]  each is a regular file of SIZE
 *   hvl-fsstorm rename DIR N [-j JOBS] DIR2       DIR/fI -> DIR2/gI
 *   hvl-fsstorm unlink DIR N [-j JOBS] [-p PFX]   remove DIR/<PFX>I (PFX f)
 *   hvl-fsstorm verify DIR N [-s SIZE] [-p PFX]   exactly N files, contents intact
 *
 * JOBS processes share the files (I mod JOBS); a 9P client keeps that many
 * requests in flight.  Output, one line: "<phase>: n=.. jobs=.. ms=.. ops/s=..";
 * the first failure is printed with its file and errno, and the exit
 * status is then 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE	65536

static char buf[MAX_SIZE], rbuf[MAX_SIZE + 1];

/* The content of file @i: its index, repeated. */
static void fill(unsigned long i, size_t size)
{
	char word[32];
	size_t off, n = (size_t)snprintf(word, sizeof(word), "hvl-fsstorm %lu\n", i);

	for (off = 0; off < size; off += n)
		memcpy(buf + off, word, size - off < n ? size - off : n);
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "hvl-fsstorm: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

static int create_one(const char *dir, unsigned long i, size_t size)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/f%lu", dir, i);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0)
		return fail("create", path);
	fill(i, size);
	if (write(fd, buf, size) != (ssize_t)size) {
		close(fd);
		return fail("write", path);
	}
	if (close(fd))
		return fail("close", path);
	return 0;
}

static int stat_one(const char *dir, unsigned long i, size_t size)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/f%lu", dir, i);
	if (stat(path, &st))
		return fail("stat", path);
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size != size) {
		errno = EUCLEAN;
		return fail("stat (mode or size)", path);
	}
	return 0;
}

static int rename_one(const char *dir, const char *dir2, unsigned long i)
{
	char from[4096], to[4096];

	snprintf(from, sizeof(from), "%s/f%lu", dir, i);
	snprintf(to, sizeof(to), "%s/g%lu", dir2, i);
	if (rename(from, to))
		return fail("rename", from);
	return 0;
}

static int unlink_one(const char *dir, const char *pfx, unsigned long i)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s%lu", dir, pfx, i);
	if (unlink(path))
		return fail("unlink", path);
	return 0;
}

static int verify(const char *dir, unsigned long n, size_t size, const char *pfx)
{
	char path[4096];
	unsigned long i, count = 0;
	struct dirent *d;
	DIR *dp;
	int fd;

	for (i = 0; i < n; i++) {
		ssize_t got;

		snprintf(path, sizeof(path), "%s/%s%lu", dir, pfx, i);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return fail("verify: open", path);
		got = read(fd, rbuf, sizeof(rbuf));
		close(fd);
		fill(i, size);
		if (got != (ssize_t)size || memcmp(rbuf, buf, size)) {
			errno = EUCLEAN;
			return fail("verify: content", path);
		}
	}
	dp = opendir(dir);
	if (!dp)
		return fail("verify: opendir", dir);
	while ((d = readdir(dp)))
		count += d->d_name[0] != '.';
	closedir(dp);
	if (count != n) {
		fprintf(stderr, "hvl-fsstorm: verify %s: %lu entries, expected %lu\n",
			dir, count, n);
		return 1;
	}
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int usage(void)
{
	fprintf(stderr, "usage: hvl-fsstorm create|stat|rename|unlink|verify DIR N [-j JOBS] [-s SIZE] [-p PFX] [DIR2]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *phase, *dir, *dir2 = NULL, *pfx = "f";
	unsigned long n, i, jobs = 1, size = 64, j;
	int ret = 0, st, opt;
	double t0, ms;

	if (argc < 3)
		return usage();
	phase = argv[1];
	dir = argv[2];
	optind = 3;
	if (argc < 4)
		return usage();
	n = strtoul(argv[optind++], NULL, 0);
	while ((opt = getopt(argc, argv, "j:s:p:")) != -1) {
		switch (opt) {
		case 'j': jobs = strtoul(optarg, NULL, 0); break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 'p': pfx = optarg; break;
		default: return usage();
		}
	}
	if (optind < argc)
		dir2 = argv[optind++];
	if (optind != argc || !jobs || jobs > 64 || size > MAX_SIZE ||
	    (!strcmp(phase, "rename") != !!dir2))
		return usage();

	t0 = now_ms();
	if (!strcmp(phase, "verify")) {
		ret = verify(dir, n, size, pfx);
		goto out;
	}
	if (strcmp(phase, "create") && strcmp(phase, "stat") &&
	    strcmp(phase, "rename") && strcmp(phase, "unlink"))
		return usage();
	for (j = 0; j < jobs; j++) {
		pid_t pid = fork();

		if (pid < 0)
			return fail("fork", phase);
		if (pid)
			continue;
		for (i = j; i < n; i += jobs) {
			switch (phase[0]) {
			case 'c': ret = create_one(dir, i, size); break;
			case 's': ret = stat_one(dir, i, size); break;
			case 'r': ret = rename_one(dir, dir2, i); break;
			default: ret = unlink_one(dir, pfx, i); break;
			}
			if (ret)
				_exit(1);
		}
		_exit(0);
	}
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			ret = 1;
out:
	ms = now_ms() - t0;
	printf("%s: n=%lu jobs=%lu ms=%.0f ops/s=%.0f%s\n", phase, n, jobs, ms,
	       n * 1e3 / (ms > 0 ? ms : 1), ret ? " FAILED" : "");
	return ret;
}
