// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the 9P codec (devices/9p/pdu.c) against hostile messages, and
 * qid generation (devices/9p/qid.c).  The units are compiled into this
 * suite (hvl_9p.ko exports nothing and init loads suites on their own).
 */
#include <kunit/test.h>
#include <linux/stat.h>

#include "../devices/9p/pdu.c"
#include "../devices/9p/qid.c"

/* Decoding: every field of a message that is too short is refused. */
struct str_case {
	const char *name;
	const u8 *msg;
	size_t len;
	size_t max;
	int err;
	const char *want;
};

static const u8 s_ok[] = { 3, 0, 'a', 'b', 'c' };
static const u8 s_empty[] = { 0, 0 };
static const u8 s_long[] = { 0xff, 0xff, 'a' };
static const u8 s_short[] = { 4, 0, 'a', 'b', 'c' };
static const u8 s_nohdr[] = { 3 };
static const u8 s_nul[] = { 3, 0, 'a', 0, 'c' };
static const u8 s_max[] = { 4, 0, 'a', 'b', 'c', 'd' };

static const struct str_case str_cases[] = {
	{ "good", s_ok, sizeof(s_ok), 255, 0, "abc" },
	{ "empty", s_empty, sizeof(s_empty), 255, 0, "" },
	{ "length beyond message", s_long, sizeof(s_long), 0xffff, -EINVAL },
	{ "one byte short", s_short, sizeof(s_short), 255, -EINVAL },
	{ "no room for length", s_nohdr, sizeof(s_nohdr), 255, -EINVAL },
	{ "embedded NUL", s_nul, sizeof(s_nul), 255, -EINVAL },
	{ "longer than allowed", s_max, sizeof(s_max), 3, -ENAMETOOLONG },
	{ "zero-length message", s_ok, 0, 255, -EINVAL },
};

static void str_desc(const struct str_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(str, str_cases, str_desc);

static void getstr(struct kunit *test)
{
	const struct str_case *c = test->param_value;
	u8 buf[16];
	struct hvl_9p_pdu p;
	char *s;

	memcpy(buf, c->msg, c->len);
	hvl_9p_pdu_init(&p, buf, c->len);
	s = hvl_9p_pdu_getstr(&p, c->max);
	KUNIT_EXPECT_EQ(test, p.err, c->err);
	if (c->want) {
		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_STREQ(test, s, c->want);
	} else {
		KUNIT_EXPECT_NULL(test, s);
	}
	kfree(s);
}

/* Integers: little-endian, and a short read poisons the rest. */
static void ints(struct kunit *test)
{
	u8 buf[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
	struct hvl_9p_pdu p;

	hvl_9p_pdu_init(&p, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, hvl_9p_pdu_get8(&p), 1);
	KUNIT_EXPECT_EQ(test, hvl_9p_pdu_get16(&p), 0x0302);
	KUNIT_EXPECT_EQ(test, hvl_9p_pdu_get32(&p), 0x07060504);
	KUNIT_EXPECT_EQ(test, hvl_9p_pdu_get64(&p), 0ULL);	/* 8 wanted, 7 left */
	KUNIT_EXPECT_EQ(test, p.err, -EINVAL);
	KUNIT_EXPECT_EQ(test, hvl_9p_pdu_get8(&p), 0);		/* sticky */
	KUNIT_EXPECT_EQ(test, hvl_9p_pdu_room(&p), 0);
}

/* A data field whose count exceeds the message (Twrite count lies). */
static void data_count_lies(struct kunit *test)
{
	u8 buf[8] = {};
	struct hvl_9p_pdu p;

	hvl_9p_pdu_init(&p, buf, sizeof(buf));
	KUNIT_EXPECT_NOT_NULL(test, hvl_9p_pdu_getdata(&p, 8));
	hvl_9p_pdu_init(&p, buf, sizeof(buf));
	KUNIT_EXPECT_NULL(test, hvl_9p_pdu_getdata(&p, 9));
	KUNIT_EXPECT_EQ(test, p.err, -EINVAL);
	hvl_9p_pdu_init(&p, buf, sizeof(buf));
	hvl_9p_pdu_get32(&p);
	KUNIT_EXPECT_NULL(test, hvl_9p_pdu_getdata(&p, SIZE_MAX));
	KUNIT_EXPECT_EQ(test, p.err, -EINVAL);
}

/* Encoding: a reply that outgrows the client's buffer is EMSGSIZE. */
static void encode(struct kunit *test)
{
	u8 buf[16];
	struct hvl_9p_pdu p;
	struct p9_qid q = { .type = P9_QTDIR, .version = 7, .path = 0x1122 };

	hvl_9p_pdu_init(&p, buf, sizeof(buf));
	hvl_9p_pdu_putqid(&p, &q);
	KUNIT_EXPECT_EQ(test, p.err, 0);
	KUNIT_EXPECT_EQ(test, p.pos, 13);
	KUNIT_EXPECT_EQ(test, buf[0], P9_QTDIR);
	KUNIT_EXPECT_EQ(test, buf[1], 7);
	KUNIT_EXPECT_EQ(test, buf[5], 0x22);
	KUNIT_EXPECT_EQ(test, buf[6], 0x11);
	hvl_9p_pdu_putstr(&p, "abcd", 4);	/* 6 bytes, 3 left */
	KUNIT_EXPECT_EQ(test, p.err, -EMSGSIZE);
	hvl_9p_pdu_init(&p, buf, sizeof(buf));
	hvl_9p_pdu_putstr(&p, "abc", 3);
	KUNIT_EXPECT_EQ(test, p.pos, 5);
	KUNIT_EXPECT_EQ(test, buf[0], 3);
	KUNIT_EXPECT_EQ(test, buf[1], 0);
	KUNIT_EXPECT_MEMEQ(test, buf + 2, "abc", 3);
}

/* Qids: type from the mode, path from the inode, other devices apart. */
struct qid_case {
	const char *name;
	umode_t mode;
	u64 ino;
	u32 gen;
	dev_t dev;
	u8 type;
	bool same_path;
};

static const struct qid_case qid_cases[] = {
	{ "directory", S_IFDIR | 0755, 2, 7, MKDEV(8, 1), P9_QTDIR, true },
	{ "file", S_IFREG | 0644, 12, 0xdeadbeef, MKDEV(8, 1), P9_QTFILE, true },
	{ "symlink", S_IFLNK | 0777, 13, 9, MKDEV(8, 1), P9_QTSYMLINK, true },
	{ "fifo", S_IFIFO | 0600, 14, 10, MKDEV(8, 1), P9_QTFILE, true },
	{ "file on a submount", S_IFREG | 0644, 12, 11, MKDEV(0, 42),
	  P9_QTFILE, false },
	{ "file system without generations", S_IFREG | 0644, 15, 0,
	  MKDEV(8, 1), P9_QTFILE, true },
};

static void qid_desc(const struct qid_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(qid, qid_cases, qid_desc);

static void qid_gen(struct kunit *test)
{
	const struct qid_case *c = test->param_value;
	struct p9_qid q;

	hvl_9p_qid_from_mode(&q, c->mode, c->ino, c->gen, c->dev, MKDEV(8, 1));
	KUNIT_EXPECT_EQ(test, q.type, c->type);
	/* 0 would make the client bypass its page cache (qid.c). */
	KUNIT_EXPECT_NE(test, q.version, 0);
	if (c->gen)
		KUNIT_EXPECT_EQ(test, q.version, c->gen);
	if (c->same_path)
		KUNIT_EXPECT_EQ(test, q.path, c->ino);
	else
		KUNIT_EXPECT_NE(test, q.path, c->ino);
}

static void qid_dtype(struct kunit *test)
{
	struct p9_qid q;

	hvl_9p_qid_from_dtype(&q, DT_DIR, 5);
	KUNIT_EXPECT_EQ(test, q.type, P9_QTDIR);
	KUNIT_EXPECT_NE(test, q.version, 0);
	KUNIT_EXPECT_EQ(test, q.path, 5);
	hvl_9p_qid_from_dtype(&q, DT_LNK, 6);
	KUNIT_EXPECT_EQ(test, q.type, P9_QTSYMLINK);
	hvl_9p_qid_from_dtype(&q, DT_UNKNOWN, 7);
	KUNIT_EXPECT_EQ(test, q.type, P9_QTFILE);
}

static struct kunit_case pdu_cases[] = {
	KUNIT_CASE_PARAM(getstr, str_gen_params),
	KUNIT_CASE(ints),
	KUNIT_CASE(data_count_lies),
	KUNIT_CASE(encode),
	KUNIT_CASE_PARAM(qid_gen, qid_gen_params),
	KUNIT_CASE(qid_dtype),
	{}
};

static struct kunit_suite pdu_suite = {
	.name = "hvl_9p_pdu",
	.test_cases = pdu_cases,
};

kunit_test_suite(pdu_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the hvl 9P codec and qids");
