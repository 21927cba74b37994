// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-dirhold: hold a directory's inode lock until a file is read, so
 * that a test can make a writer of that directory wait for as long as it
 * likes (busybox has nothing that holds an inode lock).
 *
 *   hvl-dirhold DIR FILE GO
 *
 * Maps FILE's first page privately without touching it, opens DIR,
 * prints "ready", waits until GO exists, then lists DIR into the mapping
 * with getdents64(2): the kernel takes DIR's lock (shared) and, with it
 * held, faults the page in, which reads FILE.  With FILE on a 9P mount
 * whose server does not answer, the listing, and the lock, last until it
 * does; a setxattr(2) of DIR meanwhile waits for both.
 *
 * Exit status 0 once the listing is done, 1 on an error.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE	4096

int main(int argc, char **argv)
{
	int fd, dir;
	void *buf;
	long n;

	if (argc != 4) {
		fprintf(stderr, "usage: hvl-dirhold DIR FILE GO\n");
		return 1;
	}
	fd = open(argv[2], O_RDONLY);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (buf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dir < 0) {
		perror(argv[1]);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (access(argv[3], F_OK))
		usleep(10000);
	n = syscall(SYS_getdents64, dir, buf, PAGE);
	if (n < 0) {
		perror("getdents64");
		return 1;
	}
	printf("listed %ld bytes\n", n);
	return 0;
}
