// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attribute changes from Tsetattr, made into what notify_change() expects
 * of its callers.
 *
 * notify_change() BUG()s on ATTR_MODE together with ATTR_KILL_SUID or
 * ATTR_KILL_SGID: a caller that sets the mode says itself which set-id
 * bits stay.  A chown from the v9fs client carries a mode whenever the
 * file is set-uid (or set-gid and group-executable), because the
 * client's own notify_change() has already turned chown(2)'s kill-suid
 * request into a mode without the bit.  So, as nfsd_sanitize_attrs()
 * does, a chown with a mode drops the set-id bits from that mode, and
 * only a chown without one asks notify_change() to drop them.
 */
#include <linux/fs.h>
#include <linux/stat.h>

#include "hvl_9p.h"

/**
 * hvl_9p_attr_sanitize() - make a Tsetattr's iattr safe for notify_change()
 * @idmap: the mount's idmap
 * @inode: the file
 * @ia: the change, as the peer asked for it (ia_mode: permission bits)
 *
 * Keeps the file type in a mode change, ignores a mode change of a
 * symlink (chmod(2) never reaches one) and, for a chown of anything but
 * a directory, drops the set-id bits and file capabilities as chown(2)
 * does, without ever setting ATTR_MODE and ATTR_KILL_S*ID together.
 */
void hvl_9p_attr_sanitize(struct mnt_idmap *idmap, const struct inode *inode,
			  struct iattr *ia)
{
	if (S_ISLNK(inode->i_mode))
		ia->ia_valid &= ~ATTR_MODE;
	if (ia->ia_valid & ATTR_MODE)
		ia->ia_mode = (ia->ia_mode & S_IALLUGO) |
			      (inode->i_mode & ~S_IALLUGO);
	if (S_ISDIR(inode->i_mode) || !(ia->ia_valid & (ATTR_UID | ATTR_GID)))
		return;
	ia->ia_valid |= ATTR_KILL_PRIV;
	if (ia->ia_valid & ATTR_MODE) {
		ia->ia_mode &= ~S_ISUID;
		/* Set-gid without group execute (0010) marks locking: it stays. */
		if (ia->ia_mode & 0010)
			ia->ia_mode &= ~S_ISGID;
	} else {
		ia->ia_valid |= ATTR_KILL_SUID |
				setattr_should_drop_sgid(idmap, inode);
	}
}
