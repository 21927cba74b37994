// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: Tsetattr's attribute sanitizer (devices/9p/attr.c).  Whatever
 * the peer asks, notify_change() must never see ATTR_MODE together with
 * ATTR_KILL_SUID or ATTR_KILL_SGID (it BUG()s), and a chown must drop
 * the set-id bits as chown(2) does.
 */
#include <kunit/test.h>
#include <linux/fs.h>

#include "../devices/9p/attr.c"

#define KILL	(ATTR_KILL_SUID | ATTR_KILL_SGID | ATTR_KILL_PRIV)

struct attr_case {
	const char *name;
	umode_t i_mode;		/* the file */
	unsigned int valid;	/* what the peer asks */
	umode_t mode;
	unsigned int want;	/* ATTR_MODE and ATTR_KILL_* afterwards */
	umode_t want_mode;	/* if ATTR_MODE */
};

static const struct attr_case attr_cases[] = {
	{ "chown+mode of u+s", S_IFREG | 04755, ATTR_MODE | ATTR_UID, 04755,
	  ATTR_MODE | ATTR_KILL_PRIV, S_IFREG | 0755 },
	{ "chgrp+mode of g+s,g+x", S_IFREG | 02755, ATTR_MODE | ATTR_GID, 02755,
	  ATTR_MODE | ATTR_KILL_PRIV, S_IFREG | 0755 },
	{ "chgrp+mode of g+s,g-x", S_IFREG | 02745, ATTR_MODE | ATTR_GID, 02745,
	  ATTR_MODE | ATTR_KILL_PRIV, S_IFREG | 02745 },
	{ "chown+chgrp+mode of ug+s", S_IFREG | 06755,
	  ATTR_MODE | ATTR_UID | ATTR_GID, 06755,
	  ATTR_MODE | ATTR_KILL_PRIV, S_IFREG | 0755 },
	{ "chown of u+s", S_IFREG | 04755, ATTR_UID, 0,
	  ATTR_KILL_SUID | ATTR_KILL_PRIV, 0 },
	{ "chgrp of g+s,g+x", S_IFREG | 02755, ATTR_GID, 0,
	  ATTR_KILL_SUID | ATTR_KILL_SGID | ATTR_KILL_PRIV, 0 },
	{ "chgrp+mode of a g+s directory", S_IFDIR | 02755,
	  ATTR_MODE | ATTR_GID, 02755, ATTR_MODE, S_IFDIR | 02755 },
	{ "chmod of a symlink", S_IFLNK | 0777, ATTR_MODE, 0644, 0, 0 },
	{ "chmod keeps the type", S_IFREG | 0644, ATTR_MODE, S_IFDIR | 0600,
	  ATTR_MODE, S_IFREG | 0600 },
	{ "chmod only", S_IFREG | 04755, ATTR_MODE, 04700,
	  ATTR_MODE, S_IFREG | 04700 },
};

static void attr_desc(const struct attr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(attr, attr_cases, attr_desc);

static void sanitize(struct kunit *test)
{
	const struct attr_case *c = test->param_value;
	struct super_block *sb = kunit_kzalloc(test, sizeof(*sb), GFP_KERNEL);
	struct inode *inode = kunit_kzalloc(test, sizeof(*inode), GFP_KERNEL);
	struct iattr ia = { .ia_valid = c->valid, .ia_mode = c->mode };

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_NOT_NULL(test, inode);
	sb->s_user_ns = &init_user_ns;
	inode->i_sb = sb;
	inode->i_mode = c->i_mode;
	inode->i_uid = GLOBAL_ROOT_UID;
	inode->i_gid = GLOBAL_ROOT_GID;

	hvl_9p_attr_sanitize(&nop_mnt_idmap, inode, &ia);
	KUNIT_EXPECT_FALSE(test, (ia.ia_valid & ATTR_MODE) &&
			   (ia.ia_valid & (ATTR_KILL_SUID | ATTR_KILL_SGID)));
	KUNIT_EXPECT_EQ(test, ia.ia_valid & (ATTR_MODE | KILL), c->want);
	KUNIT_EXPECT_EQ(test, ia.ia_valid & ~(ATTR_MODE | KILL),
			c->valid & ~ATTR_MODE);
	if (ia.ia_valid & ATTR_MODE)
		KUNIT_EXPECT_EQ(test, ia.ia_mode, c->want_mode);
}

static struct kunit_case attr_kunit_cases[] = {
	KUNIT_CASE_PARAM(sanitize, attr_gen_params),
	{}
};

static struct kunit_suite attr_suite = {
	.name = "hvl_9p_attr",
	.test_cases = attr_kunit_cases,
};

kunit_test_suite(attr_suite);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the hvl 9P setattr sanitizer");
