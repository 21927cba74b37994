// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-9psend: one raw 9P T-message through hvl_9p's inject hook, for the
 * integration tests' t_send (tests/integration/lib-9p.sh).
 *
 *   hvl-9psend INJECT TYPE BODY-FILE [SIZE]
 *
 * Puts the 7-byte header (size, TYPE, tag 1) in front of BODY-FILE's
 * bytes, writes the message to INJECT in one write (the hook takes one
 * write as one message), reads the reply back and prints its bytes in
 * decimal on one line, space-separated (what `od -An -tu1 -v` printed,
 * folded).  SIZE, if given, goes into the size field instead of the
 * message's real length: the tests' malformed messages.
 *
 * One process instead of the five (wc, mv, cat, dd, od) the shell took
 * per message: a fork and exec costs some 60 ms in the test guest.
 *
 * Exit status 1 if the message cannot be written (the hook refused it),
 * 2 on a usage or file error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HDR	7
#define MAX_MSG	(1 << 20)

static unsigned char buf[MAX_MSG];

int main(int argc, char **argv)
{
	unsigned long type, size;
	ssize_t n, len, got;
	int fd, body;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: hvl-9psend INJECT TYPE BODY-FILE [SIZE]\n");
		return 2;
	}
	type = strtoul(argv[2], NULL, 0);
	body = open(argv[3], O_RDONLY);
	if (body < 0) {
		perror(argv[3]);
		return 2;
	}
	len = HDR;
	while ((n = read(body, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	close(body);
	if (n < 0) {
		perror(argv[3]);
		return 2;
	}
	size = argc == 5 ? strtoul(argv[4], NULL, 0) : (unsigned long)len;
	for (int i = 0; i < 4; i++)
		buf[i] = size >> (8 * i);
	buf[4] = type;
	buf[5] = 1;	/* tag 1 */
	buf[6] = 0;

	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (write(fd, buf, len) != len) {
		fprintf(stderr, "hvl-9psend: write to %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	/* The reply, from offset 0 of the hook's last one. */
	got = 0;
	while ((n = pread(fd, buf + got, sizeof(buf) - got, got)) > 0)
		got += n;
	close(fd);
	for (ssize_t i = 0; i < got; i++)
		printf(i ? " %u" : "%u", buf[i]);
	putchar('\n');
	return 0;
}
