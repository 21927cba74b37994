/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building raw 9P2000.L T-messages for the inject hook's test tools
 * (hvl-9prace, hvl-9pswap): little-endian fields, tag 1, the size field
 * filled in by end().
 */
#ifndef HVL_9PMSG_H
#define HVL_9PMSG_H

#include <stdint.h>
#include <string.h>

struct msg {
	unsigned char b[512];
	size_t n;
};

static inline void put(struct msg *m, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		m->b[m->n++] = v >> (8 * i);
}

static inline void str(struct msg *m, const char *s)
{
	size_t len = strlen(s);

	put(m, len, 2);
	memcpy(m->b + m->n, s, len);
	m->n += len;
}

static inline void begin(struct msg *m, int type)
{
	m->n = 0;
	put(m, 0, 4);
	put(m, type, 1);
	put(m, 1, 2);	/* tag */
}

static inline void end(struct msg *m)
{
	for (int i = 0; i < 4; i++)
		m->b[i] = m->n >> (8 * i);
}

#endif
