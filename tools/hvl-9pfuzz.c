// SPDX-License-Identifier: GPL-2.0
/*
 * hvl-9pfuzz: a hostile 9P2000.L peer.  Sends random and mutated
 * T-messages through hvl_9p's inject hook (hvl_9p inject=1, debug.c:
 * each write is served at once, through the peer's decoder, fid table
 * and credentials, and a read returns the R-message) and checks every
 * reply's framing: the size field is the reply's length, the tag is the
 * request's, the type is the request's plus one or Rlerror with an
 * errno in range.  What the server does to the kernel (KASAN, lockdep,
 * WARN, a hang) the test harness sees.
 *
 *   hvl-9pfuzz INJECT [-n COUNT] [-s SEED]
 *
 * Messages are built from each type's field layout with plausible
 * values (fids from a small pool, names that are paths, "..", empty or
 * long, lengths at the edges), then one in four is mutated: truncated,
 * bytes flipped, or the size field made to lie.  Fids 9000-9015 are
 * used, away from a stock client's; every 64 messages they are clunked,
 * 9000 attached again, 9001-9007 walked from it, 9008 walked to "f" and
 * 9009 to the root and both opened (reads and writes use 9008 half the
 * time, readdirs 9009), and at the end all are clunked and a Tversion
 * ends the session.
 *
 * The room each reply gets (inject_rsize, beside the hook: the writable
 * part of the peer's chain) changes every 64 messages too: three times
 * in four the whole 64 KiB, else 11 bytes and up (room for an Rlerror,
 * not always for the reply) or 7 to 10 (not even for an Rlerror: an
 * error is then answered with nothing, which the server must survive
 * as well).  A reply must fit its room.
 *
 * Output, one line: "9pfuzz: n=.. seed=.. ms=.. msgs/s=.. ok=.. rlerror=..
 * noreply=.. roomless=.. sent=.. malformed=.. short=..": every message
 * sent (ours included), and of them those whose framing the server must
 * count as malformed (its serve(): shorter than a header, or a size
 * field below a header's or beyond what was written), the short ones
 * apart (they have no type to count a call under); noreply the messages
 * unanswered with room for an Rlerror, roomless those without.
 * tests/integration/69-9p-fuzz.sh holds the server's counters to these.
 * A second line, "9pfuzz: succeeded: statfs=.. lopen=.. ...", counts the
 * fuzzed messages (not the fuzzer's own set-up) answered with success,
 * by type: how far past the decoding and the fid lookup they got.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXMSG		(64 * 1024)
#define FID0		9000u
#define NFIDS		16u
#define RLERROR		7
/* The fuzzer's own set-up messages */
#define TLOPEN		12
#define TVERSION	100
#define TATTACH		104
#define TWALK		110
#define TCLUNK		120

static uint8_t msg[MAXMSG], rep[MAXMSG];
static size_t len;
static uint64_t rnd_state;
static unsigned long sent, malformed, shortm, roomless, ok, lerr;
/* inject_rsize, and the room it gives the replies now */
static int room_fd = -1;
static uint32_t room = MAXMSG;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from the seed, no libc state. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (rnd_state * 2685821657736338717ull) >> 32;
}

static uint32_t below(uint32_t n)
{
	return rnd() % n;
}

static void put(uint64_t v, int bytes)
{
	while (bytes-- && len < MAXMSG) {
		msg[len++] = v;
		v >>= 8;
	}
}

/* The message's size field, little-endian: honest or not. */
static void set_size(uint32_t v)
{
	msg[0] = v;
	msg[1] = v >> 8;
	msg[2] = v >> 16;
	msg[3] = v >> 24;
}

/* Start a message: its size (set once the body is built), type and tag. */
static void begin(uint8_t type, uint16_t tag)
{
	len = 0;
	put(0, 4);
	put(type, 1);
	put(tag, 2);
}

/* A 9P string: its length, then as much of it as fits. */
static void putstr(const char *s)
{
	size_t n = strlen(s);

	put(n, 2);
	if (len + n <= MAXMSG) {
		memcpy(msg + len, s, n);
		len += n;
	}
}

/*
 * Fids clunk_all() opens: a file and the export's root, so that reads,
 * writes and readdirs can get past the fid's open state.
 */
#define FID_FILE	(FID0 + 8)
#define FID_DIR		(FID0 + 9)

/*
 * A fid to use: mostly from the pool, sometimes any number; for I/O,
 * half the time the open one it needs.
 */
static void fid(uint8_t type)
{
	if ((type == 116 || type == 118) && below(2))
		put(FID_FILE, 4);
	else if (type == 40 && below(2))
		put(FID_DIR, 4);
	else
		put(below(8) ? FID0 + below(NFIDS) : rnd(), 4);
}

/*
 * A fid to create (attach, walk, xattrwalk): always from the pool, so
 * that clunk_all() can take every fid back and the test can demand an
 * empty table afterwards.
 */
static void newfid(void)
{
	put(FID0 + below(NFIDS), 4);
}

static const char *const names[] = {
	"a", "b", "d", "f", "sub", ".", "..", "", "a/b", "/", "../..",
	"x\xff", "lost+found", "with space", "-", "f.txt", "abs",
};

static void str(void)
{
	size_t n;

	if (!below(16)) {
		n = below(300);
		put(n, 2);
		while (n-- && len < MAXMSG)
			msg[len++] = 'a' + below(26);
		return;
	}
	putstr(names[below(sizeof(names) / sizeof(names[0]))]);
}

static uint64_t edge64(void)
{
	switch (below(6)) {
	case 0: return 0;
	case 1: return ~0ull;
	case 2: return (uint64_t)rnd() << 32 | rnd();
	case 3: return 1ull << below(64);
	default: return below(1 << 20);
	}
}

static uint32_t edge32(void)
{
	switch (below(6)) {
	case 0: return 0;
	case 1: return ~0u;
	case 2: return rnd();
	default: return below(1 << 17);
	}
}

/*
 * Field layouts of the T-messages (9P2000.L, include/net/9p/9p.h):
 * f fid, n new fid, 4 u32, 8 u64, 2 u16, s string, w nwname + names,
 * d count + data, m mode/flags-like u32 with common bits.
 */
static const struct {
	uint8_t type;
	const char *fields;
	const char *name;		/* as the server's debugfs names it */
} layouts[] = {
	{ 8, "f", "statfs" },
	{ 12, "fm", "lopen" },
	{ 14, "fsmm4", "lcreate" },
	{ 16, "fss4", "symlink" },
	{ 18, "fsm444", "mknod" },
	{ 20, "ffs", "rename" },
	{ 22, "f", "readlink" },
	{ 24, "f8", "getattr" },
	{ 26, "f4m4488888", "setattr" },
	{ 30, "fns", "xattrwalk" },
	{ 32, "fs84", "xattrcreate" },
	{ 40, "f84", "readdir" },
	{ 50, "f4", "fsync" },
	{ 52, "fl", "lock" },
	{ 54, "fl", "getlock" },
	{ 70, "ffs", "link" },
	{ 72, "fsm4", "mkdir" },
	{ 74, "fsfs", "renameat" },
	{ 76, "fs4", "unlinkat" },
	{ 100, "4s", "version" },
	{ 104, "nfss4", "attach" },
	{ 108, "2", "flush" },
	{ 110, "fnw", "walk" },
	{ 116, "f84", "read" },
	{ 118, "f8d", "write" },
	{ 120, "f", "clunk" },
	{ 122, "f", "remove" },
};
#define NLAYOUTS	(sizeof(layouts) / sizeof(layouts[0]))

/* Successful replies to the fuzzed messages (not our own), by type. */
static unsigned long succeeded[256];

static void field(char c, uint8_t type)
{
	uint32_t n, i;

	switch (c) {
	case 'f': fid(type); break;
	case 'n': newfid(); break;
	case '2': put(rnd(), 2); break;
	case '4': put(edge32(), 4); break;
	case '8': put(edge64(), 8); break;
	case 's': str(); break;
	case 'm':
		/* open flags, modes and masks: common bits, sometimes any */
		put(below(4) ? (below(8) | (below(2) ? 0100 : 0) |
				(below(4) ? 0 : 040000) | (below(2) ? 0644 : 04755) |
				(below(8) ? 0 : 0100000)) : rnd(), 4);
		break;
	case 'l':
		/* type, flags (never blocking: each wait is lock_wait_ms),
		 * start, length, proc_id, client_id
		 */
		put(below(3), 1);
		if (type == 52)
			put(below(8) ? 0 : rnd() & ~1u, 4);
		put(edge64(), 8);
		put(edge64(), 8);
		put(rnd(), 4);
		str();
		break;
	case 'w':
		n = below(8) ? below(5) : below(20);
		put(n, 2);
		for (i = 0; i < n; i++)
			str();
		break;
	case 'd':
		n = below(4) ? below(512) : below(8192);
		put(below(8) ? n : rnd(), 4);
		for (i = 0; i < n && len < MAXMSG; i++)
			msg[len++] = rnd();
		break;
	}
}

static void build(uint8_t *type, uint16_t *tag)
{
	unsigned int k = below(NLAYOUTS);
	const char *f;

	*type = below(32) ? layouts[k].type : rnd();
	*tag = below(0xffff);
	begin(*type, *tag);
	for (f = layouts[k].fields; *f; f++)
		field(*f, *type);
	set_size(len);

	if (below(4))
		return;
	switch (below(3)) {
	case 0:	/* truncated, the size field honest or not */
		len = below(len + 1);
		if (len >= 4 && below(2))
			set_size(len);
		break;
	case 1:	/* a few bytes flipped, the header included */
		for (k = below(4) + 1; k; k--)
			if (len)
				msg[below(len)] ^= 1 << below(8);
		break;
	default: /* the size field lies */
		set_size(below(2) ? rnd() : len + below(16));
		break;
	}
}

static void set_room(uint32_t r)
{
	char b[16];
	int n = snprintf(b, sizeof(b), "%u", r);

	/* A debugfs attribute is not seekable: pwrite() fails (ESPIPE). */
	if (write(room_fd, b, n) != n) {
		perror("9pfuzz: inject_rsize");
		exit(1);
	}
	room = r;
}

/* Mostly all the room there is, sometimes little or too little. */
static void fuzz_room(void)
{
	if (below(4))
		set_room(MAXMSG);
	else if (below(4))
		set_room(11 + below(below(2) ? 256 : MAXMSG - 11));
	else
		set_room(7 + below(4));
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void dump(const char *why, const uint8_t *p, size_t n)
{
	size_t i;

	fprintf(stderr, "9pfuzz: %s\n  sent %zu:", why, len);
	for (i = 0; i < len && i < 64; i++)
		fprintf(stderr, " %02x", msg[i]);
	fprintf(stderr, "\n  got %zu:", n);
	for (i = 0; i < n && i < 64; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
}

/*
 * Send msg; 0 with the reply checked, 1 if none came (the server answers
 * everything through the inject hook, malformed messages with Rlerror:
 * the test wants noreply=0), -1 on a violation.
 */
static int send_check(int fd)
{
	uint8_t type = len > 4 ? msg[4] : 0;
	uint16_t tag = len > 6 ? (msg[5] | msg[6] << 8) : 0;
	ssize_t n;

	sent++;
	if (len < 7) {
		shortm++;
		malformed++;
	} else if (le32(msg) < 7 || le32(msg) > len) {
		malformed++;
	}
	if (pwrite(fd, msg, len, 0) != (ssize_t)len) {
		fprintf(stderr, "9pfuzz: inject write: %s\n", strerror(errno));
		return -1;
	}
	n = pread(fd, rep, sizeof(rep), 0);
	if (n < 0) {
		fprintf(stderr, "9pfuzz: inject read: %s\n", strerror(errno));
		return -1;
	}
	if (n == 0) {
		/* An error, with no room to say so. */
		if (room < 11) {
			roomless++;
			return 0;
		}
		return 1;
	}
	if ((size_t)n > room) {
		dump("reply larger than its room", rep, n);
		return -1;
	}
	if (n < 7 || le32(rep) != (uint32_t)n) {
		dump("reply size field is not its length", rep, n);
		return -1;
	}
	if (len >= 7 && (rep[5] | rep[6] << 8) != tag) {
		dump("reply tag is not the request's", rep, n);
		return -1;
	}
	if (rep[4] == RLERROR) {
		uint32_t e = n >= 11 ? le32(rep + 7) : 0;

		if (n != 11 || !e || e >= 4096) {
			dump("malformed Rlerror", rep, n);
			return -1;
		}
		lerr++;
	} else if (len >= 7 && rep[4] != (uint8_t)(type + 1)) {
		dump("reply type is neither T+1 nor Rlerror", rep, n);
		return -1;
	} else {
		ok++;
	}
	return 0;
}

/* One of our own well-formed messages, finished: it must be answered. */
static int answered(int fd)
{
	int ret;

	set_size(len);
	ret = send_check(fd);
	if (ret > 0)
		dump("no reply to a well-formed message", rep, 0);
	return ret ? -1 : 0;
}

static int clunk_all(int fd)
{
	unsigned int i;

	for (i = 0; i < NFIDS; i++) {
		begin(TCLUNK, 1);
		put(FID0 + i, 4);
		if (answered(fd))
			return -1;
	}
	/* Tattach fid 9000, no afid, as nobody */
	begin(TATTACH, 1);
	put(FID0, 4);
	put(~0u, 4);
	putstr("nobody");
	putstr("");
	put(65534, 4);
	if (answered(fd))
		return -1;
	/*
	 * Half the pool walked from the root (a clone, or one name), so
	 * that most messages reach a handler with a live fid, not only the
	 * fid lookup's EBADF.
	 */
	for (i = 1; i < NFIDS / 2; i++) {
		begin(TWALK, 1);
		put(FID0, 4);
		put(FID0 + i, 4);
		if (i == 1) {
			put(0, 2);
		} else {
			put(1, 2);
			str();
		}
		if (answered(fd))
			return -1;
	}
	/*
	 * FID_FILE walked to "f" and opened read-write, FID_DIR a clone of
	 * the root opened read-only (the fuzzed messages may have renamed,
	 * removed or replaced "f": then these fail, and that is fine too).
	 */
	for (i = 0; i < 2; i++) {
		begin(TWALK, 1);
		put(FID0, 4);
		put(i ? FID_DIR : FID_FILE, 4);
		put(!i, 2);
		if (!i)
			putstr("f");
		if (answered(fd))
			return -1;
		begin(TLOPEN, 1);
		put(i ? FID_DIR : FID_FILE, 4);
		put(i ? 0 : 2, 4);		/* O_RDONLY, O_RDWR */
		if (answered(fd))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n = 10000, i, k, noreply = 0;
	unsigned long long seed = 1;
	struct timespec t0, t1;
	uint8_t type;
	uint16_t tag;
	long ms;
	int fd, c, ret;

	while ((c = getopt(argc, argv, "n:s:")) != -1) {
		switch (c) {
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	fd = open(argv[optind], O_RDWR);
	if (fd < 0) {
		perror(argv[optind]);
		return 1;
	}
	snprintf((char *)rep, sizeof(rep), "%s_rsize", argv[optind]);
	room_fd = open((char *)rep, O_WRONLY);
	if (room_fd < 0) {
		perror((char *)rep);
		return 1;
	}
	set_room(MAXMSG);
	rnd_state = seed * 0x9e3779b97f4a7c15ull + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (clunk_all(fd))
		return 1;
	for (i = 0; i < n; i++) {
		if (i && !(i % 64)) {
			set_room(MAXMSG);
			if (clunk_all(fd))
				return 1;
		}
		if (!(i % 64))
			fuzz_room();
		build(&type, &tag);
		k = ok;
		ret = send_check(fd);
		if (ret < 0) {
			fprintf(stderr, "9pfuzz: message %lu of seed %llu (type %u)\n",
				i, seed, type);
			return 1;
		}
		noreply += ret;
		if (ok != k && len > 4)
			succeeded[msg[4]]++;
	}
	/* Leave no fid of ours behind: clunk_all attaches 9000 again. */
	set_room(MAXMSG);
	if (clunk_all(fd))
		return 1;
	begin(TCLUNK, 1);
	put(FID0, 4);
	if (answered(fd))
		return 1;
	/*
	 * A flipped bit can still turn a new fid's number into one outside
	 * the pool: end the session with a Tversion, which clunks every
	 * fid, so that the test can demand an empty table.
	 */
	begin(TVERSION, 0xffff);
	put(512000, 4);
	putstr("9P2000.L");
	if (answered(fd))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	printf("9pfuzz: n=%lu seed=%llu ms=%ld msgs/s=%ld ok=%lu rlerror=%lu noreply=%lu roomless=%lu sent=%lu malformed=%lu short=%lu\n",
	       n, seed, ms, ms ? (long)(n * 1000 / ms) : 0, ok, lerr, noreply,
	       roomless, sent, malformed, shortm);
	/* What got past the decoding and the fid lookup, by type. */
	printf("9pfuzz: succeeded:");
	for (k = 0; k < NLAYOUTS; k++)
		printf(" %s=%lu", layouts[k].name, succeeded[layouts[k].type]);
	printf("\n");
	/*
	 * Most mutations keep the framing: a server that answers none, or
	 * never succeeds or never refuses, is not being exercised.
	 */
	if (n >= 1000 && (!ok || !lerr || noreply > n / 2)) {
		fprintf(stderr, "9pfuzz: the server answered %lu of %lu messages (%lu Rlerror): not exercised\n",
			n - noreply, n, lerr);
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: hvl-9pfuzz INJECT [-n COUNT] [-s SEED]\n");
	return 2;
}
