// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-rr: request/response latency and stream throughput over AF_VSOCK
 * or TCP, with the same code on both, so the figures compare transports
 * and nothing else.  The kernel's vsock_perf measures vsock streams; it
 * has no round-trip mode and no TCP, which is what this adds.
 *
 *   hvl-rr server ADDR                  serve until killed, one client at a time
 *   hvl-rr rr ADDR [-n COUNT] [-s SIZE] [-T FILE]
 *                                       COUNT round trips of SIZE bytes; -T
 *                                       writes each one's start and length
 *                                       (ns, CLOCK_MONOTONIC: perf record -k
 *                                       mono's clock) to FILE, a line each
 *   hvl-rr stream ADDR [-b BYTES] [-m MSG]  send BYTES in MSG-byte writes
 *   hvl-rr connect ADDR [-n COUNT]      COUNT connect, 1-byte round trip, close
 *   hvl-rr feed ADDR [-n COUNT] [-b BYTES] [-s BUFSIZE]
 *                                       accept COUNT connections and write
 *                                       BYTES to each, never reading
 *
 * ADDR is vsock:CID:PORT or tcp:IPV4:PORT (the server may say vsock:any:PORT).
 * Output, one line, for scripts:
 *   rr: n=10000 size=1 p50_us=.. p99_us=.. avg_us=.. max_us=..
 *   stream: bytes=.. msg=.. MiB/s=..
 *   connect: n=.. avg_us=..
 *   feed: conn=.. wrote=.. error=..     one line per connection
 * Either side may run on the peer: it is plain POSIX plus AF_VSOCK.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define MODE_RR		'R'
#define MODE_STREAM	'S'

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_vm vm;
};

/* The server survives its clients: errors there end only the connection. */
static jmp_buf serving;
static int in_server;

static void die(const char *what)
{
	perror(what);
	if (in_server)
		longjmp(serving, 1);
	exit(1);
}

static socklen_t parse(const char *s, union addr *a, int *family)
{
	char buf[128], *host, *port;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		goto bad;
	host = strchr(buf, ':');
	if (!host)
		goto bad;
	*host++ = 0;
	port = strrchr(host, ':');
	if (!port)
		goto bad;
	*port++ = 0;
	memset(a, 0, sizeof(*a));
	if (!strcmp(buf, "vsock")) {
		*family = AF_VSOCK;
		a->vm.svm_family = AF_VSOCK;
		a->vm.svm_cid = strcmp(host, "any") ? strtoul(host, NULL, 0) :
						      VMADDR_CID_ANY;
		a->vm.svm_port = strtoul(port, NULL, 0);
		return sizeof(a->vm);
	}
	if (!strcmp(buf, "tcp")) {
		*family = AF_INET;
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons(strtoul(port, NULL, 0));
		if (inet_pton(AF_INET, host, &a->in.sin_addr) != 1)
			goto bad;
		return sizeof(a->in);
	}
bad:
	fprintf(stderr, "hvl-rr: bad address '%s' (vsock:CID:PORT or tcp:IP:PORT)\n", s);
	exit(2);
}

static void tune(int fd, int family)
{
	int one = 1;

	if (family == AF_INET &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
}

static void xwrite(int fd, const void *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("write");
		p = (const char *)p + r;
		n -= r;
	}
}

/* Returns 0 at EOF before anything was read. */
static size_t xread(int fd, void *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read");
		if (!r) {
			if (!got)
				return 0;
			fprintf(stderr, "hvl-rr: short read\n");
			exit(1);
		}
		got += r;
	}
	return got;
}

static void serve_one(int fd)
{
	static char buf[1 << 16];
	uint64_t total = 0;
	uint32_t size;
	char mode;
	ssize_t r;

	if (!xread(fd, &mode, 1))
		return;
	if (mode == MODE_RR) {
		if (!xread(fd, &size, sizeof(size)) || !size || size > sizeof(buf))
			return;
		while (xread(fd, buf, size))
			xwrite(fd, buf, size);
		return;
	}
	/* Stream: drain to EOF, then say how much arrived. */
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += r;
	if (r < 0)
		die("read");
	xwrite(fd, &total, sizeof(total));
}

static void server(const char *where)
{
	union addr a;
	int family, fd, c, one = 1;
	socklen_t len = parse(where, &a, &family);

	signal(SIGPIPE, SIG_IGN);
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, &a.sa, len))
		die("bind");
	if (listen(fd, 16))
		die("listen");
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		if (!setjmp(serving)) {
			in_server = 1;
			tune(c, family);
			serve_one(c);
		}
		in_server = 0;
		close(c);
	}
}

/*
 * A server started just before may not listen yet: retry a refused or
 * reset connection up to TRIES times, every 10 ms (the soak's rounds
 * start a server and dial it at once, a thousand times: 1000, 10 s).
 * Other errors (ENODEV: no such peer) are final, and so is a refusal
 * with TRIES 1.
 */
static int dial(const char *where, int *family, int tries)
{
	union addr a;
	socklen_t len = parse(where, &a, family);
	int fd;

	for (;;) {
		fd = socket(*family, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (!connect(fd, &a.sa, len))
			break;
		if ((errno != ECONNREFUSED && errno != ECONNRESET) || !--tries)
			die("connect");
		close(fd);
		usleep(10000);
	}
	tune(fd, *family);
	return fd;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int rr(const char *where, unsigned long n, uint32_t size,
	      const char *times)
{
	uint64_t *lat = calloc(n, sizeof(*lat)), *start = calloc(n, sizeof(*start));
	char *buf = calloc(1, size), mode = MODE_RR;
	int family, fd = dial(where, &family, 1000);
	uint64_t sum = 0, t;
	unsigned long i;
	FILE *f;

	if (!lat || !start || !buf || !n || !size || size > (1 << 16)) {
		fprintf(stderr, "hvl-rr: bad count or size\n");
		return 2;
	}
	xwrite(fd, &mode, 1);
	xwrite(fd, &size, sizeof(size));
	for (i = 0; i < n; i++) {
		t = now_ns();
		xwrite(fd, buf, size);
		if (!xread(fd, buf, size)) {
			fprintf(stderr, "hvl-rr: server closed\n");
			return 1;
		}
		/* After the round trip: a first touch of a page is a fault. */
		lat[i] = now_ns() - t;
		start[i] = t;
		sum += lat[i];
	}
	close(fd);
	/* Before the sort: the file pairs each start with its own length. */
	if (times) {
		f = fopen(times, "w");
		if (!f)
			die(times);
		for (i = 0; i < n; i++)
			fprintf(f, "%llu %llu\n", (unsigned long long)start[i],
				(unsigned long long)lat[i]);
		if (fclose(f))
			die(times);
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("rr: n=%lu size=%u p50_us=%.1f p99_us=%.1f avg_us=%.1f max_us=%.1f\n",
	       n, size, lat[n / 2] / 1e3, lat[(n * 99) / 100] / 1e3,
	       sum / 1e3 / n, lat[n - 1] / 1e3);
	return 0;
}

static int stream(const char *where, uint64_t bytes, size_t msg)
{
	char *buf = calloc(1, msg), mode = MODE_STREAM;
	int family, fd = dial(where, &family, 1000);
	uint64_t left = bytes, got = 0, t;
	double s;

	if (!buf || !msg) {
		fprintf(stderr, "hvl-rr: bad message size\n");
		return 2;
	}
	t = now_ns();
	xwrite(fd, &mode, 1);
	while (left) {
		size_t n = left < msg ? left : msg;

		xwrite(fd, buf, n);
		left -= n;
	}
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	if (!xread(fd, &got, sizeof(got)) || got != bytes) {
		fprintf(stderr, "hvl-rr: server got %llu of %llu bytes\n",
			(unsigned long long)got, (unsigned long long)bytes);
		return 1;
	}
	s = (now_ns() - t) / 1e9;
	printf("stream: bytes=%llu msg=%zu MiB/s=%.1f\n",
	       (unsigned long long)bytes, msg, bytes / s / (1 << 20));
	return 0;
}

static int cycles(const char *where, unsigned long n)
{
	uint32_t size = 1;
	char b[5] = { MODE_RR };
	unsigned long i;
	uint64_t t = now_ns();
	int family, fd;

	memcpy(b + 1, &size, sizeof(size));
	for (i = 0; i < n; i++) {
		/*
		 * Once the server has answered, it listens: a refused or
		 * reset connection after the first is a fault of the
		 * transport (the churn's point), not a slow start.
		 */
		fd = dial(where, &family, i ? 1 : 1000);
		xwrite(fd, b, sizeof(b));
		xwrite(fd, b, 1);
		if (!xread(fd, b, 1)) {
			fprintf(stderr, "hvl-rr: server closed in cycle %lu\n", i);
			return 1;
		}
		b[0] = MODE_RR;
		if (close(fd))
			die("close");
	}
	printf("connect: n=%lu avg_us=%.1f\n", n, (now_ns() - t) / 1e3 / (n ? n : 1));
	return 0;
}

/*
 * A Linux server for a peer that does not read: every connection gets its
 * own writer process, so that each one blocks on its own credit, and the
 * backlog holds all COUNT requests however slowly the writers start.
 * BUFSIZE (SO_VM_SOCKETS_BUFFER_SIZE, inherited by accepted sockets) is
 * the credit the Linux side grants itself per connection.
 */
static int feed(const char *where, unsigned long n, uint64_t bytes,
		uint64_t bufsize)
{
	static char buf[1 << 16];
	unsigned long i;
	union addr a;
	int family, fd, c, one = 1;
	socklen_t len = parse(where, &a, &family);

	signal(SIGPIPE, SIG_IGN);
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bufsize && family == AF_VSOCK &&
	    (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, &bufsize,
			sizeof(bufsize)) ||
	     setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &bufsize,
			sizeof(bufsize))))
		die("SO_VM_SOCKETS_BUFFER_SIZE");
	if (bind(fd, &a.sa, len))
		die("bind");
	if (listen(fd, n > 128 ? 128 : (int)n))
		die("listen");
	for (i = 0; i < n; i++) {
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			die("accept");
		}
		if (fork() == 0) {
			uint64_t done = 0;
			ssize_t r = 0;

			close(fd);
			while (done < bytes) {
				size_t m = bytes - done < sizeof(buf) ?
					   bytes - done : sizeof(buf);

				r = write(c, buf, m);
				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0)
					break;
				done += r;
			}
			printf("feed: conn=%lu wrote=%llu error=%s\n", i,
			       (unsigned long long)done,
			       done < bytes ? strerror(r < 0 ? errno : EPIPE) : "none");
			fflush(stdout);
			_exit(0);
		}
		close(c);
	}
	while (wait(NULL) > 0)
		;
	return 0;
}

static uint64_t size_arg(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10;
	}
	return v;
}

int main(int argc, char **argv)
{
	uint64_t bytes = 64 << 20, size = 1, msg = 4096, n = 10000, bufsize = 0;
	const char *times = NULL;
	int i;

	if (argc < 3)
		goto usage;
	for (i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-n"))
			n = size_arg(argv[i + 1]);
		else if (!strcmp(argv[i], "-s"))
			size = bufsize = size_arg(argv[i + 1]);
		else if (!strcmp(argv[i], "-b"))
			bytes = size_arg(argv[i + 1]);
		else if (!strcmp(argv[i], "-m"))
			msg = size_arg(argv[i + 1]);
		else if (!strcmp(argv[i], "-T"))
			times = argv[i + 1];
		else
			goto usage;
	}
	if (i != argc)
		goto usage;
	if (!strcmp(argv[1], "server")) {
		server(argv[2]);
		return 1;
	}
	if (times && strcmp(argv[1], "rr"))
		goto usage;
	if (!strcmp(argv[1], "rr"))
		return rr(argv[2], n, size, times);
	if (!strcmp(argv[1], "stream"))
		return stream(argv[2], bytes, msg);
	if (!strcmp(argv[1], "connect"))
		return cycles(argv[2], n);
	if (!strcmp(argv[1], "feed"))
		return feed(argv[2], n, bytes, bufsize);
usage:
	fprintf(stderr, "usage: hvl-rr server ADDR | rr ADDR [-n N] [-s SIZE] [-T FILE] | stream ADDR [-b BYTES] [-m MSG] | connect ADDR [-n N]\n"
		"       | feed ADDR [-n N] [-b BYTES] [-s BUFSIZE]\n"
		"       ADDR: vsock:CID:PORT | vsock:any:PORT | tcp:IPV4:PORT\n");
	return 2;
}
