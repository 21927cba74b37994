// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 9P message codec: little-endian fields over a kernel buffer, every
 * access checked against what is left.  Requests are always copied out of
 * the shared window before they reach this code (the peer could rewrite
 * them between a check and a use), so a cursor sees stable bytes; the
 * checks here are about hostile lengths, not about races.
 *
 * Errors are sticky: the first field that does not fit sets p->err
 * (-EINVAL when decoding a short or malformed request, -EMSGSIZE when a
 * reply outgrows the client's buffer) and later accesses do nothing.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "hvl_9p.h"

void hvl_9p_pdu_init(struct hvl_9p_pdu *p, void *buf, size_t size)
{
	p->buf = buf;
	p->size = size;
	p->pos = 0;
	p->err = 0;
}

size_t hvl_9p_pdu_room(const struct hvl_9p_pdu *p)
{
	return p->err ? 0 : p->size - p->pos;
}

/* The next @len bytes, or NULL (and a sticky error) if they are not there. */
static u8 *take(struct hvl_9p_pdu *p, size_t len, int err)
{
	u8 *at;

	if (p->err)
		return NULL;
	if (len > p->size - p->pos) {
		p->err = err;
		return NULL;
	}
	at = p->buf + p->pos;
	p->pos += len;
	return at;
}

u8 hvl_9p_pdu_get8(struct hvl_9p_pdu *p)
{
	u8 *at = take(p, 1, -EINVAL);

	return at ? *at : 0;
}

u16 hvl_9p_pdu_get16(struct hvl_9p_pdu *p)
{
	u8 *at = take(p, 2, -EINVAL);

	return at ? get_unaligned_le16(at) : 0;
}

u32 hvl_9p_pdu_get32(struct hvl_9p_pdu *p)
{
	u8 *at = take(p, 4, -EINVAL);

	return at ? get_unaligned_le32(at) : 0;
}

u64 hvl_9p_pdu_get64(struct hvl_9p_pdu *p)
{
	u8 *at = take(p, 8, -EINVAL);

	return at ? get_unaligned_le64(at) : 0;
}

/**
 * hvl_9p_pdu_getdata() - the next @len bytes of a request, in place
 * @p: the cursor
 * @len: a length the peer sent; checked against what is left
 *
 * Return: a pointer into the (private) request buffer, or NULL.
 */
const void *hvl_9p_pdu_getdata(struct hvl_9p_pdu *p, size_t len)
{
	return take(p, len, -EINVAL);
}

/**
 * hvl_9p_pdu_getstr() - a string[s] field as a NUL-terminated copy
 * @p: the cursor
 * @max: longest string accepted (bytes)
 *
 * Strings longer than @max, longer than what is left of the message, or
 * with an embedded NUL (which would silently truncate a name) are
 * refused with -EINVAL, or -ENAMETOOLONG for the first case.
 *
 * Return: a kmalloc()ed string the caller frees, or NULL with p->err set.
 */
char *hvl_9p_pdu_getstr(struct hvl_9p_pdu *p, size_t max)
{
	u16 len = hvl_9p_pdu_get16(p);
	const char *at;
	char *s;

	if (p->err)
		return NULL;
	if (len > max) {
		p->err = -ENAMETOOLONG;
		return NULL;
	}
	at = take(p, len, -EINVAL);
	if (!at)
		return NULL;
	if (memchr(at, 0, len)) {
		p->err = -EINVAL;
		return NULL;
	}
	s = kmemdup_nul(at, len, GFP_KERNEL);
	if (!s)
		p->err = -ENOMEM;
	return s;
}

void *hvl_9p_pdu_reserve(struct hvl_9p_pdu *p, size_t len)
{
	return take(p, len, -EMSGSIZE);
}

void hvl_9p_pdu_put8(struct hvl_9p_pdu *p, u8 v)
{
	u8 *at = take(p, 1, -EMSGSIZE);

	if (at)
		*at = v;
}

void hvl_9p_pdu_put16(struct hvl_9p_pdu *p, u16 v)
{
	u8 *at = take(p, 2, -EMSGSIZE);

	if (at)
		put_unaligned_le16(v, at);
}

void hvl_9p_pdu_put32(struct hvl_9p_pdu *p, u32 v)
{
	u8 *at = take(p, 4, -EMSGSIZE);

	if (at)
		put_unaligned_le32(v, at);
}

void hvl_9p_pdu_put64(struct hvl_9p_pdu *p, u64 v)
{
	u8 *at = take(p, 8, -EMSGSIZE);

	if (at)
		put_unaligned_le64(v, at);
}

void hvl_9p_pdu_putstr(struct hvl_9p_pdu *p, const char *s, size_t len)
{
	u8 *at;

	if (len > U16_MAX) {
		p->err = p->err ?: -ENAMETOOLONG;
		return;
	}
	hvl_9p_pdu_put16(p, len);
	at = take(p, len, -EMSGSIZE);
	if (at)
		memcpy(at, s, len);
}

void hvl_9p_pdu_putqid(struct hvl_9p_pdu *p, const struct p9_qid *q)
{
	hvl_9p_pdu_put8(p, q->type);
	hvl_9p_pdu_put32(p, q->version);
	hvl_9p_pdu_put64(p, q->path);
}
