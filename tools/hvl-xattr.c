// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-xattr: set many extended attributes on one file, so that a test
 * can make a list of names longer than any xattr buffer (busybox has no
 * setfattr).
 *
 *   hvl-xattr FILE N LEN
 *
 * Sets N attributes "user.<I>", I < N written as a LEN-digit number,
 * each with the value "v".  Exit status 0, or 1 with the failing name
 * and errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

int main(int argc, char **argv)
{
	char name[512];
	long i, n, len;

	if (argc != 4) {
		fprintf(stderr, "usage: hvl-xattr FILE N LEN\n");
		return 1;
	}
	n = atol(argv[2]);
	len = atol(argv[3]);
	if (len < 1 || len > 250) {
		fprintf(stderr, "hvl-xattr: LEN must be 1 to 250\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "user.%0*ld", (int)len, i);
		if (setxattr(argv[1], name, "v", 1, 0)) {
			fprintf(stderr, "hvl-xattr: %s %s: %s\n", argv[1], name,
				strerror(errno));
			return 1;
		}
	}
	return 0;
}
