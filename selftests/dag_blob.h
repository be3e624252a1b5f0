/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal netlink-attribute writer for the DAG selftests: they must also
 * build blobs that no well-behaved library would produce. Header-only, so
 * each test binary stays one file plus this.
 */
#ifndef DAG_BLOB_H
#define DAG_BLOB_H

#include <stdint.h>
#include <string.h>

#include <linux/bertha.h>
#include <linux/netlink.h>

struct blob {
	uint8_t buf[2 * BERTHA_DAG_MAX_BYTES];
	int len;
};

static inline struct nlattr *put(struct blob *b, uint16_t type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)(b->buf + b->len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(b->buf + b->len + NLA_HDRLEN, data, len);
	memset(b->buf + b->len + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	b->len += NLA_ALIGN(a->nla_len);
	return a;
}

static inline void put_str(struct blob *b, uint16_t type, const char *s)
{
	put(b, type, s, strlen(s) + 1);
}

static inline void put_u32(struct blob *b, uint16_t type, uint32_t v)
{
	put(b, type, &v, sizeof(v));
}

static inline int nest(struct blob *b, uint16_t type)
{
	int at = b->len;

	put(b, type | NLA_F_NESTED, NULL, 0);
	return at;
}

static inline void end(struct blob *b, int at)
{
	((struct nlattr *)(b->buf + at))->nla_len = b->len - at;
}

/* node TYPE, optionally opened for more attributes: returns its offset */
static inline int node(struct blob *b, const char *type)
{
	int at = nest(b, BERTHA_DAG_A_NODE);

	put_str(b, BERTHA_NODE_A_TYPE, type);
	return at;
}

static inline void arg(struct blob *b, const char *key, const char *value)
{
	int a = nest(b, BERTHA_ARG_A_ARG);

	put_str(b, BERTHA_ARG_A_KEY, key);
	put_str(b, BERTHA_ARG_A_VALUE, value);
	end(b, a);
}

/* The text form of the DAG build_valid() writes. */
#define DAG_VALID_TEXT "select(identity, identity(scope=host)) |> " \
		       "identity(mode=fast, ports=7001,7002)"

/* select(identity, identity) |> identity(mode=fast) with a host scope */
static inline void build_valid(struct blob *b)
{
	int sel, alts, next, id, args;

	b->len = 0;
	sel = node(b, "select");
	alts = nest(b, BERTHA_NODE_A_ALTERNATIVES);
	end(b, node(b, "identity"));
	id = node(b, "identity");
	put_u32(b, BERTHA_NODE_A_SCOPE, BERTHA_SCOPE_HOST);
	end(b, id);
	end(b, alts);
	next = nest(b, BERTHA_NODE_A_NEXT);
	id = node(b, "identity");
	args = nest(b, BERTHA_NODE_A_ARGS);
	arg(b, "mode", "fast");
	arg(b, "ports", "7001,7002");
	end(b, args);
	end(b, id);
	end(b, next);
	end(b, sel);
}

#endif /* DAG_BLOB_H */
