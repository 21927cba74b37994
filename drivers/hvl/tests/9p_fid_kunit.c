// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the 9P fid table (devices/9p/fid.c): reuse refused, lookups
 * reference-counted, a cleared table refuses inserts from the old
 * session, so no fid survives a peer reset; a replaced fid stays with
 * the requests that hold it; the xattr buffer budget.
 */
#include <kunit/test.h>

#include "../devices/9p/fid.c"

static struct hvl_9p_fid *new_fid(struct kunit *test, u32 n)
{
	struct hvl_9p_fid *f = hvl_9p_fid_alloc(n, NULL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	return f;
}

static void insert_get_remove(struct kunit *test)
{
	struct hvl_9p_fids t;
	struct hvl_9p_fid *f, *g;

	hvl_9p_fid_init(&t, 1000, NULL);
	f = new_fid(test, 1);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, f, 0), 0);
	g = hvl_9p_fid_get(&t, 1);
	KUNIT_EXPECT_PTR_EQ(test, g, f);
	KUNIT_EXPECT_EQ(test, refcount_read(&f->ref), 2);
	hvl_9p_fid_put(g);
	KUNIT_EXPECT_NULL(test, hvl_9p_fid_get(&t, 2));
	KUNIT_EXPECT_PTR_EQ(test, hvl_9p_fid_remove(&t, 1), f);
	KUNIT_EXPECT_NULL(test, hvl_9p_fid_remove(&t, 1));
	hvl_9p_fid_put(f);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_count(&t), 0);
	xa_destroy(&t.xa);
}

/* Fid reuse and NOFID are protocol errors. */
static void reuse(struct kunit *test)
{
	struct hvl_9p_fids t;
	struct hvl_9p_fid *a = new_fid(test, 7), *b = new_fid(test, 7);
	struct hvl_9p_fid *nofid = new_fid(test, P9_NOFID);

	hvl_9p_fid_init(&t, 1000, NULL);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, a, 0), 0);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, b, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, nofid, 0), -EINVAL);
	hvl_9p_fid_put(b);
	hvl_9p_fid_put(nofid);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_clear(&t), 1);
	xa_destroy(&t.xa);
}

/* A full table refuses new fids until one is removed; a reset empties it. */
static void limit(struct kunit *test)
{
	struct hvl_9p_fids t;
	struct hvl_9p_fid *over, *dup;
	u32 i;

	hvl_9p_fid_init(&t, 4, NULL);
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, hvl_9p_fid_insert(&t, new_fid(test, i), 0),
				0);
	over = new_fid(test, 4);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, over, 0), -EMFILE);
	KUNIT_EXPECT_EQ(test, t.refused, 1);
	/* Refused means not published, and the caller keeps its reference. */
	KUNIT_EXPECT_NULL(test, hvl_9p_fid_get(&t, 4));
	KUNIT_EXPECT_EQ(test, refcount_read(&over->ref), 1);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_count(&t), 4);
	/* Reuse of a number is still EINVAL, not EMFILE, when full. */
	dup = new_fid(test, 0);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, dup, 0), -EINVAL);
	hvl_9p_fid_put(dup);
	hvl_9p_fid_put(hvl_9p_fid_remove(&t, 2));
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_count(&t), 3);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, over, 0), 0);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_clear(&t), 4);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_count(&t), 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, new_fid(test, i), 1),
				0);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_clear(&t), 4);
	xa_destroy(&t.xa);
}

/* Peer reset: everything goes, a late insert of the old session fails. */
static void reset(struct kunit *test)
{
	struct hvl_9p_fids t;
	struct hvl_9p_fid *held, *late;
	u32 i;

	hvl_9p_fid_init(&t, 1000, NULL);
	for (i = 0; i < 100; i++)
		KUNIT_ASSERT_EQ(test, hvl_9p_fid_insert(&t, new_fid(test, i * 3),
							0), 0);
	held = hvl_9p_fid_get(&t, 3);	/* a request in flight */
	KUNIT_ASSERT_NOT_NULL(test, held);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_clear(&t), 100);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_count(&t), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&held->ref), 1);
	hvl_9p_fid_put(held);

	late = new_fid(test, 5);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, late, 0), -ESTALE);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_insert(&t, late, 1), 0);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_clear(&t), 1);
	xa_destroy(&t.xa);
}

/*
 * The xattr buffer budget: charges up to the limit succeed, one beyond
 * it is refused and counted, and a fid returns its charge when freed.
 */
static void budget(struct kunit *test)
{
	struct hvl_9p_fids t;
	struct hvl_9p_fid *f;

	hvl_9p_fid_init(&t, 1000, NULL);
	t.xmax = 100;
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_charge(&t, 60), 0);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_charge(&t, 41), -ENOSPC);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t.xrefused), 1);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_charge(&t, 40), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t.xbytes), 100);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_charge(&t, 1), -ENOSPC);
	hvl_9p_fid_uncharge(&t, 40);
	/* A fid that holds a charge gives it back on its last put. */
	f = new_fid(test, 1);
	f->xtable = &t;
	f->xcharge = 40;
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_charge(&t, 40), 0);
	hvl_9p_fid_put(f);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t.xbytes), 60);
	hvl_9p_fid_uncharge(&t, 60);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t.xbytes), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t.xrefused), 2);
}

/*
 * Replace: the number names the new fid at once, the count does not
 * move, a request holding the old one keeps it; a fid that is no longer
 * published (clunked, replaced) or a dead session is refused.
 */
static void replace(struct kunit *test)
{
	struct hvl_9p_fids t;
	struct hvl_9p_fid *old = new_fid(test, 9), *f = new_fid(test, 9);
	struct hvl_9p_fid *held, *g = new_fid(test, 9);

	hvl_9p_fid_init(&t, 1000, NULL);
	KUNIT_ASSERT_EQ(test, hvl_9p_fid_insert(&t, old, 0), 0);
	held = hvl_9p_fid_get(&t, 9);	/* a request in flight */
	KUNIT_ASSERT_PTR_EQ(test, held, old);
	mutex_lock(&old->lock);
	KUNIT_EXPECT_TRUE(test, hvl_9p_fid_published(&t, old));
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_replace(&t, old, f, 0), 0);
	KUNIT_EXPECT_FALSE(test, hvl_9p_fid_published(&t, old));
	/* Replaced already: a second replacer of the old fid loses. */
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_replace(&t, old, g, 0), -EBADF);
	mutex_unlock(&old->lock);
	KUNIT_EXPECT_EQ(test, refcount_read(&old->ref), 1);
	hvl_9p_fid_put(held);
	held = hvl_9p_fid_get(&t, 9);
	KUNIT_EXPECT_PTR_EQ(test, held, f);
	hvl_9p_fid_put(held);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_count(&t), 1);

	/* A peer reset in between: the new fid is not published. */
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_clear(&t), 1);
	KUNIT_ASSERT_EQ(test, hvl_9p_fid_insert(&t, new_fid(test, 9), 1), 0);
	held = hvl_9p_fid_get(&t, 9);
	mutex_lock(&held->lock);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_replace(&t, held, g, 0), -ESTALE);
	mutex_unlock(&held->lock);
	hvl_9p_fid_put(held);
	hvl_9p_fid_put(g);
	KUNIT_EXPECT_EQ(test, hvl_9p_fid_clear(&t), 1);
	xa_destroy(&t.xa);
}

static struct kunit_case fid_cases[] = {
	KUNIT_CASE(insert_get_remove),
	KUNIT_CASE(reuse),
	KUNIT_CASE(limit),
	KUNIT_CASE(reset),
	KUNIT_CASE(budget),
	KUNIT_CASE(replace),
	{}
};

static struct kunit_suite fid_suite = {
	.name = "hvl_9p_fid",
	.test_cases = fid_cases,
};

kunit_test_suite(fid_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the hvl 9P fid table");
