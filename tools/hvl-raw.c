// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-raw: put terminals into raw mode without echo now, as
 * "stty -F TTY raw -echo" would once their output has drained.
 *
 *   hvl-raw TTY...
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
 */
#include <fcntl.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct termios t;
	int i, fd, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: hvl-raw TTY...\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		fd = open(argv[i], O_RDWR | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 || tcgetattr(fd, &t)) {
			perror(argv[i]);
			rc = 1;
			if (fd >= 0)
				close(fd);
			continue;
		}
		cfmakeraw(&t);
		/* stty's "raw" clears these too; cfmakeraw() leaves them. */
		t.c_iflag &= ~(IXOFF | IXANY | IMAXBEL);
		if (tcsetattr(fd, TCSANOW, &t)) {
			perror(argv[i]);
			rc = 1;
		}
		close(fd);
	}
	return rc;
}
