// SPDX-License-Identifier: GPL-2.0
/*
 * The shard XDP offload of `berthactl daemon` (shard_offload.h).
 *
 * A setup request carries the listener's address and its DAG blob; the
 * shard node's arguments (ports=P1,...,Pn, key=OFF:LEN, fn=fnv1a, read
 * exactly as the kernel reads them) become the XDP program's entry for
 * that address. Connections on one listener share the entry: it goes with
 * the teardown of the last of them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>

#include <linux/bertha.h>

#include "shard_offload.h"

/* The kernel's default key: the first four bytes of a message. */
#define SHARD_KEY_DEFAULT	4

/* A setup request that took: which listener entry it holds. */
struct shard_conn {
	uint32_t id;
	unsigned int listener;
};

/* A listener entry of the program and how many connections hold it. */
struct shard_entry {
	struct shard_xdp_listener l;
	unsigned int refs;
};

struct shard_offload {
	struct shard_xdp *sx;
	struct shard_entry *entry;
	unsigned int nentries;
	struct shard_conn *conn;
	unsigned int nconns;
};

static int why_fmt(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_fmt(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The attributes of a nest or blob, walked without a library. */
struct attr_iter {
	const unsigned char *at;
	size_t left;
};

static const struct nlattr *attr_next(struct attr_iter *it)
{
	const struct nlattr *a = (const void *)it->at;
	size_t step;

	if (it->left < NLA_HDRLEN || a->nla_len < NLA_HDRLEN || a->nla_len > it->left)
		return NULL;
	step = NLA_ALIGN(a->nla_len);
	it->at += step < it->left ? step : it->left;
	it->left -= step < it->left ? step : it->left;
	return a;
}

static struct attr_iter attr_inner(const struct nlattr *a)
{
	struct attr_iter it = {
		.at = (const unsigned char *)a + NLA_HDRLEN,
		.left = a->nla_len - NLA_HDRLEN,
	};

	return it;
}

static int attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

/* A NUL-terminated string attribute, or NULL. */
static const char *attr_str(const struct nlattr *a)
{
	const char *s = (const char *)a + NLA_HDRLEN;
	size_t n = a->nla_len - NLA_HDRLEN;

	return n && memchr(s, '\0', n) ? s : NULL;
}

static int parse_ports(const char *value, struct shard_xdp_listener *l, char *why,
		       size_t whylen)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long p;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		p = strtoul(tok, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (end == tok || *end || !p || p > 65535)
			return why_fmt(why, whylen, "shard: bad port '%s'", tok);
		if (l->nshards == BERTHA_SHARD_MAX)
			return why_fmt(why, whylen, "shard: more than %d ports", BERTHA_SHARD_MAX);
		for (unsigned int i = 0; i < l->nshards; i++)
			if (l->ports[i] == p)
				return why_fmt(why, whylen, "shard: port %lu twice", p);
		l->ports[l->nshards++] = (uint16_t)p;
	}
	if (!l->nshards)
		return why_fmt(why, whylen, "shard: no ports");
	return 0;
}

static int parse_key(const char *value, struct shard_xdp_listener *l, char *why,
		     size_t whylen)
{
	unsigned long off, len;
	char *end;

	off = strtoul(value, &end, 10);
	if (end == value || *end != ':')
		return why_fmt(why, whylen, "shard: key '%s' is not OFF:LEN", value);
	value = end + 1;
	len = strtoul(value, &end, 10);
	if (end == value || *end || !len || len > BERTHA_SHARD_KEY_MAX ||
	    off > BERTHA_MSG_MAX - len)
		return why_fmt(why, whylen, "shard: bad key length or offset");
	l->key_off = (uint32_t)off;
	l->key_len = (uint32_t)len;
	return 0;
}

static int parse_args(const struct nlattr *args, struct shard_xdp_listener *l, char *why,
		      size_t whylen)
{
	struct attr_iter it = attr_inner(args);
	const struct nlattr *arg;
	bool ports = false;

	l->key_off = 0;
	l->key_len = SHARD_KEY_DEFAULT;
	while ((arg = attr_next(&it))) {
		struct attr_iter kv = attr_inner(arg);
		const char *key = NULL, *value = NULL;
		const struct nlattr *a;
		int err = 0;

		if (attr_type(arg) != BERTHA_ARG_A_ARG)
			continue;
		while ((a = attr_next(&kv))) {
			if (attr_type(a) == BERTHA_ARG_A_KEY)
				key = attr_str(a);
			else if (attr_type(a) == BERTHA_ARG_A_VALUE)
				value = attr_str(a);
		}
		if (!key || !value)
			return why_fmt(why, whylen, "shard: an argument without key or value");
		if (!strcmp(key, "ports")) {
			ports = true;
			err = parse_ports(value, l, why, whylen);
		} else if (!strcmp(key, "key")) {
			err = parse_key(value, l, why, whylen);
		} else if (!strcmp(key, "fn")) {
			if (strcmp(value, "fnv1a"))
				err = why_fmt(why, whylen, "shard: fn '%s' (only fnv1a)", value);
		} else {
			err = why_fmt(why, whylen, "shard: unknown argument '%s'", key);
		}
		if (err)
			return err;
	}
	return ports ? 0 : why_fmt(why, whylen, "shard: no ports=");
}

/* Find the shard node among the nodes of @it (a DAG or node list). */
static int find_shard(struct attr_iter it, struct shard_xdp_listener *l, char *why,
		      size_t whylen, int depth)
{
	const struct nlattr *node, *a;

	if (depth > 32)
		return -ENOENT;
	while ((node = attr_next(&it))) {
		struct attr_iter in = attr_inner(node);
		const struct nlattr *args = NULL;
		const char *type = NULL;

		if (attr_type(node) != BERTHA_DAG_A_NODE)
			continue;
		while ((a = attr_next(&in))) {
			if (attr_type(a) == BERTHA_NODE_A_TYPE)
				type = attr_str(a);
			else if (attr_type(a) == BERTHA_NODE_A_ARGS)
				args = a;
		}
		if (type && !strcmp(type, "shard")) {
			if (!args)
				return why_fmt(why, whylen, "shard: no arguments");
			return parse_args(args, l, why, whylen);
		}
		in = attr_inner(node);
		while ((a = attr_next(&in))) {
			int err;

			if (attr_type(a) != BERTHA_NODE_A_NEXT &&
			    attr_type(a) != BERTHA_NODE_A_ALTERNATIVES)
				continue;
			err = find_shard(attr_inner(a), l, why, whylen, depth + 1);
			if (err != -ENOENT)
				return err;
		}
	}
	return -ENOENT;
}

int shard_offload_parse(const void *dag, size_t dag_len, struct shard_xdp_listener *l,
			char *why, size_t whylen)
{
	struct attr_iter it = { .at = dag, .left = dag_len };
	int err;

	memset(l, 0, sizeof(*l));
	err = find_shard(it, l, why, whylen, 0);
	if (err == -ENOENT)
		return why_fmt(why, whylen, "the DAG has no shard node");
	return err;
}

struct shard_offload *shard_offload_open(void)
{
	struct shard_offload *so = calloc(1, sizeof(*so));

	if (!so)
		return NULL;
	so->sx = shard_xdp_open();
	if (!so->sx) {
		int err = errno;

		free(so);
		errno = err;
		return NULL;
	}
	return so;
}

int shard_offload_attach(struct shard_offload *so, int ifindex, enum shard_xdp_mode want,
			 enum shard_xdp_mode *got)
{
	return shard_xdp_attach(so->sx, ifindex, want, got);
}

static bool same_listener(const struct shard_xdp_listener *a,
			  const struct shard_xdp_listener *b)
{
	size_t n = a->family == AF_INET6 ? sizeof(a->addr.v6) : sizeof(a->addr.v4);

	return a->family == b->family && a->port == b->port && !memcmp(&a->addr, &b->addr, n);
}

int shard_offload_setup(struct shard_offload *so, uint32_t id, const void *dag,
			size_t dag_len, int family, const void *addr, uint16_t port,
			char *why, size_t whylen)
{
	struct shard_xdp_listener l;
	struct shard_conn *conn;
	unsigned int i;
	int err;

	err = shard_offload_parse(dag, dag_len, &l, why, whylen);
	if (err)
		return err;
	l.family = family;
	memcpy(&l.addr, addr, family == AF_INET6 ? sizeof(l.addr.v6) : sizeof(l.addr.v4));
	l.port = port;

	for (i = 0; i < so->nentries; i++)
		if (so->entry[i].refs && same_listener(&so->entry[i].l, &l))
			break;
	if (i == so->nentries) {
		for (i = 0; i < so->nentries && so->entry[i].refs; i++)
			;
		if (i == so->nentries) {
			struct shard_entry *e = realloc(so->entry, (i + 1) * sizeof(*e));

			if (!e)
				return -ENOMEM;
			so->entry = e;
			so->nentries++;
		}
		so->entry[i].refs = 0;
	}
	/* Add or replace: a listener that set a new DAG gets its new table. */
	err = shard_xdp_listener_add(so->sx, &l);
	if (err) {
		why_fmt(why, whylen, "cannot fill the listener map: %s", strerror(-err));
		return err;
	}
	conn = realloc(so->conn, (so->nconns + 1) * sizeof(*conn));
	if (!conn) {
		if (!so->entry[i].refs)
			shard_xdp_listener_del(so->sx, l.family, &l.addr, l.port);
		return -ENOMEM;
	}
	so->conn = conn;
	so->conn[so->nconns].id = id;
	so->conn[so->nconns].listener = i;
	so->nconns++;
	so->entry[i].l = l;
	so->entry[i].refs++;
	return 0;
}

void shard_offload_teardown(struct shard_offload *so, uint32_t id)
{
	struct shard_entry *e;
	unsigned int i;

	for (i = 0; i < so->nconns && so->conn[i].id != id; i++)
		;
	if (i == so->nconns)
		return;
	e = &so->entry[so->conn[i].listener];
	so->conn[i] = so->conn[--so->nconns];
	if (--e->refs == 0)
		shard_xdp_listener_del(so->sx, e->l.family, &e->l.addr, e->l.port);
}

int shard_offload_counters(struct shard_offload *so, struct shard_xdp_counters *c)
{
	return shard_xdp_counters_read(so->sx, c);
}

void shard_offload_close(struct shard_offload *so)
{
	if (!so)
		return;
	shard_xdp_destroy(so->sx);
	free(so->entry);
	free(so->conn);
	free(so);
}
