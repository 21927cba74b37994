// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-raw: put terminals into raw mode without echo now, as
 * "stty -F TTY raw -echo" would once their output has drained.
 *
 *   hvl-raw TTY...
 *   hvl-raw -c TTY...
 *   hvl-raw -k TTY...
 *   hvl-raw -n TTY...
 *
 * stty applies its settings with tcsetattr(TCSADRAIN), which first waits
 * until everything written to the terminal is sent.  The tests set a
 * console's two ends raw just after they opened them, when the peer's
 * hvc may still be echoing what reached it before (a restarted peer gets
 * the output our console kept), and the stock hvc wakes whoever waits
 * for its output to drain from khvcd's poll only, which backs off to
 * 2 s: a stty waited seconds for nothing the tests need.  TCSANOW does
 * not wait, and one process sets both ends.
 *
 * The settings are those of "raw -echo": no input or output processing,
 * no signals, no echo, reads return each byte as it comes (MIN 1, TIME 0);
 * cfmakeraw() also makes the characters 8 bits wide.  Opened without
 * becoming the controlling terminal and without waiting for a carrier.
 * Errors: status 1, naming the terminal.
 *
 * With -c, the first of the terminals that opens (within 5 s) stays open
 * once raw, and what it receives is copied to standard output until
 * either side fails (the reader went); its name goes to standard error
 * once it is raw.  A peer's console that has bytes waiting passes them
 * on as soon as it is opened, and they are lost when it is closed: a
 * test cannot look for the live /dev/hvcN by opening each, nor open it
 * cooked (a shell's redirection), whose echo would send the first bytes
 * back a write each.  Here they meet raw mode, but for any taken in the
 * moment between open() and tcsetattr(), which the tests close by
 * holding the console until it is raw (hvl_front's hold_consoles).
 *
 * With -k, the first of the terminals that opens is set raw, its name is
 * printed, and it is kept open until the program is killed: a shell that
 * opens it meanwhile shares a raw terminal from the start (the terminal
 * keeps its settings while anyone has it open).
 *
 * With -n, for each terminal, the bytes its line discipline holds for a
 * reader (FIONREAD) and what its driver still has to send (TIOCOUTQ), as
 * "TTY in N out N": where a transfer that stalled left its last bytes.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* "raw -echo", now; 0 or -1 */
static int make_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -1;
	cfmakeraw(&t);
	/* stty's "raw" clears these too; cfmakeraw() leaves them. */
	t.c_iflag &= ~(IXOFF | IXANY | IMAXBEL);
	return tcsetattr(fd, TCSANOW, &t);
}

/*
 * Name @name on standard error, then copy @fd to standard output until a
 * read or a write fails or ends.
 */
static int copy_out(int fd, const char *name)
{
	char buf[4096];
	ssize_t n, w, off;

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK))
		return -1;
	if (fprintf(stderr, "%s\n", name) < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; off += w) {
			w = write(1, buf + off, n - off);
			if (w <= 0)
				return 0;
		}
	}
	return n < 0 ? -1 : 0;
}

/* Name @name on standard output, then wait to be killed. */
static int keep(const char *name)
{
	if (printf("%s\n", name) < 0 || fflush(stdout))
		return -1;
	for (;;)
		pause();
}

/*
 * -c, -k: the first of @tty[0..@n) that opens, trying for 5 s, set raw,
 * then copied (@copy) or kept.
 */
static int first(char **tty, int n, bool copy)
{
	int i, fd, tries, rc;

	for (tries = 0; tries < 50; tries++) {
		for (i = 0; i < n; i++) {
			fd = open(tty[i], O_RDWR | O_NOCTTY | O_NONBLOCK);
			if (fd < 0)
				continue;
			rc = make_raw(fd) ?:
			     copy ? copy_out(fd, tty[i]) : keep(tty[i]);
			if (rc)
				perror(tty[i]);
			close(fd);
			return !!rc;
		}
		usleep(100000);
	}
	fprintf(stderr, "hvl-raw: none of the %d terminals opens\n", n);
	return 1;
}

/* -n: "TTY in N out N" for each; 0 or 1 */
static int queued(char **tty, int n)
{
	int i, fd, in, out, rc = 0;

	for (i = 0; i < n; i++) {
		fd = open(tty[i], O_RDONLY | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 || ioctl(fd, FIONREAD, &in) ||
		    ioctl(fd, TIOCOUTQ, &out)) {
			perror(tty[i]);
			rc = 1;
		} else {
			printf("%s in %d out %d\n", tty[i], in, out);
		}
		if (fd >= 0)
			close(fd);
	}
	return rc;
}

int main(int argc, char **argv)
{
	int i, fd, rc = 0;

	if (argc > 2 && (!strcmp(argv[1], "-c") || !strcmp(argv[1], "-k")))
		return first(argv + 2, argc - 2, argv[1][1] == 'c');
	if (argc > 2 && !strcmp(argv[1], "-n"))
		return queued(argv + 2, argc - 2);
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: hvl-raw TTY... | hvl-raw -c|-k|-n TTY...\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		fd = open(argv[i], O_RDWR | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 || make_raw(fd)) {
			perror(argv[i]);
			rc = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return rc;
}
