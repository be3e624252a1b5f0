// SPDX-License-Identifier: GPL-2.0
/*
 * dag_parse_test: libbertha's DAG text parser, bertha_dag_parse(). Runs
 * without bertha.ko. Every blob the parser produces is decoded by a strict
 * checker here, which renders the tree for comparison and back into text
 * (a second parse must give the same bytes); every rejected text gets its
 * errno and a message naming the right column; random texts never get
 * anything else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "dag_blob.h"
#include "libbertha.h"

/* ---- the checker: decode a blob strictly, render it twice ---- */

struct out {
	char s[16384];
	size_t len;
};

struct dec {
	struct out tree;	/* select{a;b>c}>d[k="v"]@host */
	struct out text;	/* select(a, b |> c) |> d(k=v, scope=host) */
	int nodes, depth;
	const char *why;	/* the first malformation, NULL if none */
};

static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= sizeof(o->s))
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->s + o->len, sizeof(o->s) - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += n;
}

static int bad(struct dec *d, const char *why)
{
	if (!d->why)
		d->why = why;
	return 0;
}

struct attr {
	uint16_t type;
	int nested;
	const uint8_t *data;
	size_t len;
};

/* The attribute at *p (before end): bounds, zero padding, flags. */
static int next_attr(struct dec *d, const uint8_t **p, const uint8_t *end,
		     struct attr *a)
{
	size_t rem = end - *p, i, aligned;
	struct nlattr h;

	if (rem < NLA_HDRLEN)
		return bad(d, "truncated attribute header");
	memcpy(&h, *p, sizeof(h));
	if (h.nla_len < NLA_HDRLEN || h.nla_len > rem)
		return bad(d, "attribute length out of bounds");
	aligned = NLA_ALIGN((size_t)h.nla_len);
	if (aligned > rem)
		return bad(d, "attribute padding missing");
	for (i = h.nla_len; i < aligned; i++)
		if ((*p)[i])
			return bad(d, "padding not zero");
	if (h.nla_type & NLA_F_NET_BYTEORDER)
		return bad(d, "NLA_F_NET_BYTEORDER set");
	a->type = h.nla_type & NLA_TYPE_MASK;
	a->nested = !!(h.nla_type & NLA_F_NESTED);
	a->data = *p + NLA_HDRLEN;
	a->len = h.nla_len - NLA_HDRLEN;
	*p += aligned;
	return 1;
}

static int is_name(const char *s)
{
	if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (s++; *s; s++)
		if (!(*s == '_' || *s == '-' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static int is_space(char c)
{
	return c && strchr(" \t\n\r\v\f", c);
}

/* A non-nested NUL-terminated string of 1..max characters, into out. */
static int str_attr(struct dec *d, const struct attr *a, size_t max, char *out)
{
	if (a->nested)
		return bad(d, "string attribute marked nested");
	if (a->len < 2 || a->len - 1 > max)
		return bad(d, "string empty or too long");
	if (memchr(a->data, 0, a->len) != a->data + a->len - 1)
		return bad(d, "string not NUL-terminated exactly at its end");
	memcpy(out, a->data, a->len);
	return 1;
}

static int walk_nodes(struct dec *d, const uint8_t *data, size_t len,
		      int depth, int min, int max);

/* ARGS: one or more ARG, each KEY then VALUE. Leaves the text's '(' open. */
static int walk_args(struct dec *d, const struct attr *args)
{
	const uint8_t *p = args->data, *end = args->data + args->len;
	char key[BERTHA_NAME_MAX], value[256];
	struct attr a, k, v;
	int count = 0;

	if (!args->nested)
		return bad(d, "ARGS not nested");
	while (p < end) {
		const uint8_t *q, *qend;

		if (!next_attr(d, &p, end, &a))
			return 0;
		if (a.type != BERTHA_ARG_A_ARG || !a.nested)
			return bad(d, "ARGS holds something other than a nested ARG");
		q = a.data;
		qend = a.data + a.len;
		if (!next_attr(d, &q, qend, &k) || !next_attr(d, &q, qend, &v))
			return bad(d, "ARG without KEY and VALUE");
		if (q != qend)
			return bad(d, "ARG holds more than KEY and VALUE");
		if (k.type != BERTHA_ARG_A_KEY || v.type != BERTHA_ARG_A_VALUE)
			return bad(d, "ARG not KEY then VALUE");
		if (!str_attr(d, &k, BERTHA_NAME_MAX - 1, key) ||
		    !str_attr(d, &v, 255, value))
			return 0;
		if (!is_name(key) || !strcmp(key, "scope"))
			return bad(d, "bad argument key");
		if (strchr(value, '(') || strchr(value, ')') || strstr(value, "|>") ||
		    is_space(value[0]) || is_space(value[strlen(value) - 1]))
			return bad(d, "bad argument value");
		emit(&d->tree, "%s%s=\"%s\"", count ? "," : "[", key, value);
		emit(&d->text, "%s%s=%s", count ? ", " : "(", key, value);
		count++;
	}
	if (!count)
		return bad(d, "empty ARGS");
	emit(&d->tree, "]");
	return 1;
}

static const char *const scopes[] = { "any", "application", "host", "network" };

/* One node: TYPE, then optionally ARGS, SCOPE, ALTERNATIVES, NEXT in order. */
static int walk_node(struct dec *d, const uint8_t *data, size_t len, int depth)
{
	static const int rank[BERTHA_NODE_A_MAX + 1] = {
		[BERTHA_NODE_A_TYPE] = 1,
		[BERTHA_NODE_A_ARGS] = 2,
		[BERTHA_NODE_A_SCOPE] = 3,
		[BERTHA_NODE_A_ALTERNATIVES] = 4,
		[BERTHA_NODE_A_NEXT] = 5,
	};
	const uint8_t *p = data, *end = data + len;
	char type[BERTHA_NAME_MAX];
	int last = 0, paren = 0, select = 0, alts = 0;
	struct attr a;
	uint32_t scope;

	if (depth > d->depth)
		d->depth = depth;
	if (depth > BERTHA_DAG_MAX_DEPTH)
		return bad(d, "deeper than BERTHA_DAG_MAX_DEPTH");
	if (++d->nodes > BERTHA_DAG_MAX_NODES)
		return bad(d, "more than BERTHA_DAG_MAX_NODES nodes");
	while (p < end) {
		if (!next_attr(d, &p, end, &a))
			return 0;
		if (a.type < 1 || a.type > BERTHA_NODE_A_MAX ||
		    rank[a.type] <= last)
			return bad(d, "node attribute unknown, repeated or out of order");
		if (!last && a.type != BERTHA_NODE_A_TYPE)
			return bad(d, "node without TYPE first");
		last = rank[a.type];
		switch (a.type) {
		case BERTHA_NODE_A_TYPE:
			if (!str_attr(d, &a, BERTHA_NAME_MAX - 1, type))
				return 0;
			if (!is_name(type))
				return bad(d, "bad type name");
			select = !strcmp(type, "select");
			emit(&d->tree, "%s", type);
			emit(&d->text, "%s", type);
			break;
		case BERTHA_NODE_A_ARGS:
			if (select)
				return bad(d, "select with arguments");
			if (!walk_args(d, &a))
				return 0;
			paren = 1;
			break;
		case BERTHA_NODE_A_SCOPE:
			if (a.nested || a.len != sizeof(scope))
				return bad(d, "bad SCOPE attribute");
			memcpy(&scope, a.data, sizeof(scope));
			if (scope > BERTHA_SCOPE_MAX)
				return bad(d, "SCOPE out of range");
			if (select)
				return bad(d, "select with a scope");
			emit(&d->tree, "@%s", scopes[scope]);
			emit(&d->text, "%sscope=%s", paren ? ", " : "(", scopes[scope]);
			paren = 1;
			break;
		case BERTHA_NODE_A_ALTERNATIVES:
			if (!a.nested || !select)
				return bad(d, "ALTERNATIVES not nested or not on select");
			alts = 1;
			emit(&d->tree, "{");
			emit(&d->text, "(");
			if (!walk_nodes(d, a.data, a.len, depth + 1, 2, BERTHA_DAG_MAX_NODES))
				return 0;
			emit(&d->tree, "}");
			emit(&d->text, ")");
			break;
		case BERTHA_NODE_A_NEXT:
			if (!a.nested)
				return bad(d, "NEXT not nested");
			if (paren)
				emit(&d->text, ")");
			paren = 0;
			emit(&d->tree, ">");
			emit(&d->text, " |> ");
			if (!walk_nodes(d, a.data, a.len, depth + 1, 1, 1))
				return 0;
			break;
		}
	}
	if (!last)
		return bad(d, "empty node");
	if (select != alts)
		return bad(d, "select without ALTERNATIVES");
	if (paren)
		emit(&d->text, ")");
	return 1;
}

/* A list of nested NODE attributes, min..max of them. */
static int walk_nodes(struct dec *d, const uint8_t *data, size_t len,
		      int depth, int min, int max)
{
	const uint8_t *p = data, *end = data + len;
	int count = 0;
	struct attr a;

	while (p < end) {
		if (!next_attr(d, &p, end, &a))
			return 0;
		if (a.type != BERTHA_DAG_A_NODE || !a.nested)
			return bad(d, "expected a nested NODE");
		if (++count > max)
			return bad(d, "too many nodes in a list");
		if (count > 1) {
			emit(&d->tree, ";");
			emit(&d->text, ", ");
		}
		if (!walk_node(d, a.data, a.len, depth))
			return 0;
	}
	if (count < min)
		return bad(d, "too few nodes in a list");
	return 1;
}

/* Decode a whole blob; 1 if well-formed. */
static int decode(struct dec *d, const void *blob, int len)
{
	memset(d, 0, sizeof(*d));
	if (len <= 0 || len > BERTHA_DAG_MAX_BYTES)
		return bad(d, "blob length out of range");
	if (!walk_nodes(d, blob, len, 1, 1, 1))
		return 0;
	if (d->tree.len >= sizeof(d->tree.s) || d->text.len >= sizeof(d->text.s))
		return bad(d, "rendering too long for the checker");
	return 1;
}

/* ---- helpers ---- */

struct result {
	uint8_t blob[BERTHA_DAG_MAX_BYTES];
	char err[256];
	int len;
	int errnum;
	struct dec d;
};

static int parse(struct result *r, const char *text)
{
	memset(r->err, 'X', sizeof(r->err));
	errno = 0;
	r->len = bertha_dag_parse(text, r->blob, sizeof(r->blob), r->err,
				  sizeof(r->err));
	r->errnum = r->len < 0 ? errno : 0;
	return r->len;
}

/* The column a message names, 0 if it names none. */
static int column_of(const char *msg)
{
	int col;

	if (sscanf(msg, "column %d: ", &col) != 1)
		return 0;
	return col;
}

/* The text re-rendered from a blob parses to the same bytes. */
static int round_trips(struct result *r)
{
	static struct result again;

	if (parse(&again, r->d.text.s) != r->len)
		return 0;
	return !memcmp(again.blob, r->blob, r->len);
}

static char *repeat(const char *first, const char *piece, int n, const char *last)
{
	size_t len = strlen(first) + n * strlen(piece) + strlen(last) + 1;
	char *s = malloc(len), *t;
	int i;

	if (!s)
		abort();
	t = stpcpy(s, first);
	for (i = 0; i < n; i++)
		t = stpcpy(t, piece);
	stpcpy(t, last);
	return s;
}

/* ---- valid texts ---- */

static const struct {
	const char *text, *tree;
	int nodes, depth;
} valid[] = {
	{ "identity", "identity", 1, 1 },
	{ "shard(ports=7001,7002) |> reliable",
	  "shard[ports=\"7001,7002\"]>reliable", 2, 2 },
	{ "select(identity, identity |> identity) |> identity(mode=fast, scope=host)",
	  "select{identity;identity>identity}>identity[mode=\"fast\"]@host", 5, 3 },
	{ "shard(ports=7001,7002, key=0:4)",
	  "shard[ports=\"7001,7002\",key=\"0:4\"]", 1, 1 },
	{ "  a ( k = v w ,  j=x ) |>b( scope = network )  ",
	  "a[k=\"v w\",j=\"x\"]>b@network", 2, 2 },
	{ "\ta\n|>\tb\r\n", "a>b", 2, 2 },
	{ "a()", "a", 1, 1 },
	{ "a( )|>b", "a>b", 2, 2 },
	{ "a(scope=any)", "a@any", 1, 1 },
	{ "a(scope=application)", "a@application", 1, 1 },
	{ "a(k=v, scope=host, j=w)", "a[k=\"v\",j=\"w\"]@host", 1, 1 },
	{ "a(k=1, k=2)", "a[k=\"1\",k=\"2\"]", 1, 1 },
	{ "a(k=v, x)", "a[k=\"v, x\"]", 1, 1 },
	{ "a(k=v, , j=1)", "a[k=\"v,\",j=\"1\"]", 1, 1 },
	{ "a(k = x=y|z)", "a[k=\"x=y|z\"]", 1, 1 },
	{ "a-b_c(x_1-y=1)", "a-b_c[x_1-y=\"1\"]", 1, 1 },
	{ "_A9", "_A9", 1, 1 },
	{ "selection(k=v)", "selection[k=\"v\"]", 1, 1 },
	{ "select (a,b)", "select{a;b}", 3, 2 },
	{ "select(select(a, b), c |> d) |> e", "select{select{a;b};c>d}>e", 7, 3 },
	{ "select(a |> b, c) |> d", "select{a>b;c}>d", 5, 3 },
	{ "select(a(k=v), b(scope=host)) |> c",
	  "select{a[k=\"v\"];b@host}>c", 4, 2 },
};

TEST(valid_texts)
{
	static struct result r;
	size_t i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		ASSERT_LT(0, parse(&r, valid[i].text))
			TH_LOG("\"%s\": errno %d: %s", valid[i].text, r.errnum, r.err);
		EXPECT_STREQ("", r.err);
		ASSERT_TRUE(decode(&r.d, r.blob, r.len))
			TH_LOG("\"%s\": malformed: %s", valid[i].text, r.d.why);
		EXPECT_STREQ(valid[i].tree, r.d.tree.s) TH_LOG("\"%s\"", valid[i].text);
		EXPECT_EQ(valid[i].nodes, r.d.nodes) TH_LOG("\"%s\"", valid[i].text);
		EXPECT_EQ(valid[i].depth, r.d.depth) TH_LOG("\"%s\"", valid[i].text);
		EXPECT_TRUE(round_trips(&r)) TH_LOG("\"%s\" -> \"%s\"",
						    valid[i].text, r.d.text.s);
	}
}

/* The blob dag_sockopt.c builds by hand as its valid DAG, byte for byte. */
TEST(same_bytes_as_hand_built)
{
	static struct result r;
	static struct blob b;

	build_valid(&b);
	ASSERT_EQ(b.len, parse(&r, DAG_VALID_TEXT)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, memcmp(b.buf, r.blob, b.len));
}

/* ---- rejected texts ---- */

static const struct {
	const char *text;
	int err;
	int column;
	const char *says;
} invalid[] = {
	{ "", EINVAL, 1, "expected a chunnel name, found end of input" },
	{ "   ", EINVAL, 4, "expected a chunnel name, found end of input" },
	{ "|>", EINVAL, 1, "expected a chunnel name, found '|>'" },
	{ "a |>", EINVAL, 5, "expected a chunnel name, found end of input" },
	{ "a |> |> b", EINVAL, 6, "expected a chunnel name, found '|>'" },
	{ "a b", EINVAL, 3, "expected '|>' or end of input, found 'b'" },
	{ "a | b", EINVAL, 3, "expected '|>' or end of input, found '|'" },
	{ "a)", EINVAL, 2, "expected '|>' or end of input, found ')'" },
	{ "a(k=v))", EINVAL, 7, "expected '|>' or end of input, found ')'" },
	{ "a\x01", EINVAL, 2, "found byte 0x01" },
	{ "1abc", EINVAL, 1, "expected a chunnel name, found '1'" },
	{ "a |> -b", EINVAL, 6, "expected a chunnel name, found '-'" },
	{ "select(a)", EINVAL, 9, "select needs at least two" },
	{ "select()", EINVAL, 8, "expected a chunnel name, found ')'" },
	{ "select", EINVAL, 7, "expected '(' and the alternatives after 'select'" },
	{ "select |> a", EINVAL, 8, "expected '(' and the alternatives" },
	{ "select(a, b", EINVAL, 12, "expected '|>', ',' or ')', found end" },
	{ "select(a b)", EINVAL, 10, "expected '|>', ',' or ')', found 'b'" },
	{ "select(a,)", EINVAL, 10, "expected a chunnel name, found ')'" },
	{ "select(k=v, a)", EINVAL, 9, "expected '|>', ',' or ')', found '='" },
	{ "a(", EINVAL, 3, "expected an argument (key=value) or ')', found end" },
	{ "a(k)", EINVAL, 4, "expected '=' after the argument key, found ')'" },
	{ "a(k=)", EINVAL, 5, "expected a value after '='" },
	{ "a(k=  , j=1)", EINVAL, 7, "expected a value after '='" },
	{ "a(=v)", EINVAL, 3, "expected an argument (key=value) or ')', found '='" },
	{ "a(1k=v)", EINVAL, 3, "expected an argument" },
	{ "a(k=v", EINVAL, 6, "expected ')' or ',' after argument, found end of input" },
	{ "a(k=v, j", EINVAL, 9, "expected ')' or ',' after argument" },
	{ "a(k=v,)", EINVAL, 7, "expected another argument (key=value) after ','" },
	{ "a(k=v(x))", EINVAL, 6, "found '(' (not allowed in a value)" },
	{ "a(k=v |> b)", EINVAL, 7, "found '|>' (not allowed in a value)" },
	{ "a(scope=galaxy)", EINVAL, 9, "expected a scope (application, host, network or any), found 'galaxy'" },
	{ "a(scope=Host)", EINVAL, 9, "expected a scope" },
	{ "a(scope=host, scope=any)", EINVAL, 15, "scope given twice" },
};

static void expect_error(struct __test_metadata *_metadata, struct result *r,
			 const char *text, int err, int column, const char *says)
{
	EXPECT_EQ(-1, parse(r, text)) TH_LOG("\"%s\" parsed", text);
	EXPECT_EQ(err, r->errnum) TH_LOG("\"%s\": %s", text, r->err);
	EXPECT_EQ(column, column_of(r->err)) TH_LOG("\"%s\": %s", text, r->err);
	if (says)
		EXPECT_NE(NULL, strstr(r->err, says))
			TH_LOG("\"%s\": \"%s\" lacks \"%s\"", text, r->err, says);
}

/* @text for a log line, control characters as \xNN */
static const char *printable(const char *text)
{
	static char s[256];
	size_t n = 0;

	for (; *text && n < sizeof(s) - 5; text++) {
		if ((unsigned char)*text < ' ')
			n += sprintf(s + n, "\\x%02x", (unsigned char)*text);
		else
			s[n++] = *text;
	}
	s[n] = '\0';
	return s;
}

TEST(invalid_texts)
{
	static struct result r;
	size_t i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		expect_error(_metadata, &r, invalid[i].text, invalid[i].err,
			     invalid[i].column, invalid[i].says);
		TH_LOG("%-28s -> %s", printable(invalid[i].text), r.err);
	}
}

TEST(name_key_value_lengths)
{
	static struct result r;
	char name[64], text[600];

	memset(name, 'n', sizeof(name));
	name[31] = '\0';				/* the longest name */
	ASSERT_LT(0, parse(&r, name)) TH_LOG("%s", r.err);
	ASSERT_TRUE(decode(&r.d, r.blob, r.len));
	name[31] = 'n';
	name[32] = '\0';
	expect_error(_metadata, &r, name, ENAMETOOLONG, 1,
		     "chunnel name is 32 characters long, at most 31 allowed");
	name[32] = 'n';
	name[40] = '\0';
	expect_error(_metadata, &r, name, ENAMETOOLONG, 1, "40 characters");
	snprintf(text, sizeof(text), "a |> select(b, %s)", name);
	expect_error(_metadata, &r, text, ENAMETOOLONG, 16, "40 characters");

	name[31] = '\0';				/* the longest key */
	snprintf(text, sizeof(text), "a(%s=v)", name);
	ASSERT_LT(0, parse(&r, text)) TH_LOG("%s", r.err);
	ASSERT_TRUE(decode(&r.d, r.blob, r.len));
	name[31] = 'n';
	name[32] = '\0';
	snprintf(text, sizeof(text), "a(k=v, %s=v)", name);
	expect_error(_metadata, &r, text, ENAMETOOLONG, 8,
		     "argument key is 32 characters long, at most 31 allowed");

	memset(text, 0, sizeof(text));			/* the longest value */
	strcpy(text, "a(k= ");
	memset(text + 5, 'v', 255);
	strcat(text, " )");
	ASSERT_LT(0, parse(&r, text)) TH_LOG("%s", r.err);
	ASSERT_TRUE(decode(&r.d, r.blob, r.len));
	memset(text, 0, sizeof(text));
	strcpy(text, "a(k= ");
	memset(text + 5, 'v', 256);
	strcat(text, ")");
	expect_error(_metadata, &r, text, ENAMETOOLONG, 6,
		     "value is 256 characters long, at most 255 allowed");
	memset(text, 0, sizeof(text));
	strcpy(text, "a(k=");
	memset(text + 4, 'v', 300);
	strcat(text, ")");
	expect_error(_metadata, &r, text, ENAMETOOLONG, 5, "300 characters");
}

TEST(depth_limit)
{
	static struct result r;
	char *text;

	/* "a |> " is 5 characters: the ninth a is at column 41. */
	text = repeat("", "a |> ", BERTHA_DAG_MAX_DEPTH - 1, "a");
	ASSERT_LT(0, parse(&r, text)) TH_LOG("%s", r.err);
	ASSERT_TRUE(decode(&r.d, r.blob, r.len));
	EXPECT_EQ(BERTHA_DAG_MAX_DEPTH, r.d.depth);
	free(text);

	text = repeat("", "a |> ", BERTHA_DAG_MAX_DEPTH, "a");
	expect_error(_metadata, &r, text, E2BIG, 41, "BERTHA_DAG_MAX_DEPTH");
	free(text);

	/* the alternatives of a select at depth 8 are at depth 9 */
	text = repeat("", "a |> ", BERTHA_DAG_MAX_DEPTH - 1, "select(b, c)");
	expect_error(_metadata, &r, text, E2BIG, 43, "BERTHA_DAG_MAX_DEPTH");
	free(text);
	text = repeat("", "select(", BERTHA_DAG_MAX_DEPTH, "a, b)");
	expect_error(_metadata, &r, text, E2BIG, 57, "BERTHA_DAG_MAX_DEPTH");
	free(text);

	/* deep nesting in the text never gets near the stack's limits */
	text = repeat("", "select(", 100000, "a");
	expect_error(_metadata, &r, text, E2BIG, 57, "BERTHA_DAG_MAX_DEPTH");
	free(text);
}

TEST(node_limit)
{
	static struct result r;
	char *text;

	/* select and 31 alternatives: 32 nodes */
	text = repeat("select(", "a, ", BERTHA_DAG_MAX_NODES - 2, "a)");
	ASSERT_LT(0, parse(&r, text)) TH_LOG("%s", r.err);
	ASSERT_TRUE(decode(&r.d, r.blob, r.len));
	EXPECT_EQ(BERTHA_DAG_MAX_NODES, r.d.nodes);
	free(text);

	/* 32 alternatives: the last, at column 7 + 31 * 3 + 1, is node 33 */
	text = repeat("select(", "a, ", BERTHA_DAG_MAX_NODES - 1, "a)");
	expect_error(_metadata, &r, text, E2BIG, 101,
		     "this is chunnel number 33, a DAG holds at most 32");
	free(text);
}

TEST(byte_limit)
{
	static struct result r;
	char text[8192], *t = text;
	int i;

	/*
	 * Each "kNN=<250 v>" argument takes 268 bytes after 16 for the node,
	 * its type and ARGS: the 16th pushes the blob past 4096. Each takes
	 * 256 characters of text after "a(", so its key is at column 3843.
	 */
	t += sprintf(t, "a(");
	for (i = 0; i < 20; i++) {
		t += sprintf(t, "k%02d=", i);
		memset(t, 'v', 250);
		t += 250;
		t += sprintf(t, "%s", i < 19 ? ", " : ")");
	}
	expect_error(_metadata, &r, text, E2BIG, 3843, "BERTHA_DAG_MAX_BYTES");

	/* 15 of them fit */
	sprintf(text + 2 + 15 * 256 - 2, ")");
	ASSERT_LT(0, parse(&r, text)) TH_LOG("%s", r.err);
	ASSERT_TRUE(decode(&r.d, r.blob, r.len));
	EXPECT_EQ(16 + 15 * 268, r.len);
}

TEST(buffer_too_small)
{
	uint8_t buf[64], want[64];
	char err[128];
	int i;

	/* "identity": node header, TYPE header and "identity\0" padded to 12 */
	memset(buf, 0xaa, sizeof(buf));
	errno = 0;
	EXPECT_EQ(-1, bertha_dag_parse("identity", buf, 19, err, sizeof(err)));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_STREQ("the DAG blob needs 20 bytes, the buffer holds 19", err);
	for (i = 19; i < 64; i++)
		ASSERT_EQ(0xaa, buf[i]) TH_LOG("byte %d written", i);

	EXPECT_EQ(-1, bertha_dag_parse("identity", NULL, 0, err, sizeof(err)));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_STREQ("the DAG blob needs 20 bytes, the buffer holds 0", err);

	EXPECT_EQ(20, bertha_dag_parse("identity", want, 20, err, sizeof(err)));
	EXPECT_STREQ("", err);

	/* a syntax error wins over the size, wherever it is */
	EXPECT_EQ(-1, bertha_dag_parse("identity |> x b", buf, 8, err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(15, column_of(err));
}

TEST(odd_arguments)
{
	char err[8];

	errno = 0;
	EXPECT_EQ(-1, bertha_dag_parse(NULL, NULL, 0, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, bertha_dag_parse("a b", NULL, 0, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	/* a short message buffer gets a truncated message */
	memset(err, 'X', sizeof(err));
	EXPECT_EQ(-1, bertha_dag_parse("a b", NULL, 0, err, sizeof(err)));
	EXPECT_STREQ("column ", err);
	memset(err, 'X', sizeof(err));
	EXPECT_EQ(-1, bertha_dag_parse("a b", NULL, 0, err, 1));
	EXPECT_EQ('\0', err[0]);
	EXPECT_EQ('X', err[1]);
}

TEST(set_dag)
{
	uint8_t want[BERTHA_DAG_MAX_BYTES], got[BERTHA_DAG_MAX_BYTES];
	const char *text = "select(identity, identity) |> identity(scope=host)";
	socklen_t len = sizeof(got);
	char err[256];
	int fd, n;

	/* parse errors come before the socket is looked at */
	EXPECT_EQ(-1, bertha_set_dag(-1, "a b", err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(3, column_of(err));
	/* then setsockopt's */
	EXPECT_EQ(-1, bertha_set_dag(-1, "identity", err, sizeof(err)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_NE(NULL, strstr(err, "setsockopt(SOL_BERTHA, BERTHA_DAG): "));

	/* the runner loads bertha.ko: no AF_BERTHA is a failure, not a skip */
	fd = socket(bertha_family(), SOCK_SEQPACKET, 0);
	ASSERT_LE(0, fd) TH_LOG("socket(AF_BERTHA): %s", strerror(errno));
	EXPECT_EQ(0, bertha_set_dag(fd, text, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_STREQ("", err);
	n = bertha_dag_parse(text, want, sizeof(want), NULL, 0);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, getsockopt(fd, SOL_BERTHA, BERTHA_DAG, got, &len));
	EXPECT_EQ(n, (int)len);
	EXPECT_EQ(0, memcmp(want, got, n));
	EXPECT_EQ(-1, bertha_set_dag(fd, "identity |> no-such-chunnel", err, sizeof(err)));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_NE(NULL, strstr(err, "no chunnel")) TH_LOG("%s", err);
	close(fd);
}

/* ---- random texts ---- */

/*
 * Parse @text: either a well-formed blob that round-trips, also into a
 * buffer of exactly its size and not one byte less, or a documented errno
 * with a message naming a column inside the text (or just past its end).
 */
static int check_random(struct __test_metadata *_metadata, struct result *r,
			const char *text)
{
	static uint8_t exact[BERTHA_DAG_MAX_BYTES];
	int col;

	if (parse(r, text) > 0) {
		ASSERT_TRUE(decode(&r->d, r->blob, r->len))
			TH_LOG("\"%s\": malformed: %s", text, r->d.why);
		ASSERT_TRUE(round_trips(r))
			TH_LOG("\"%s\" -> \"%s\"", text, r->d.text.s);
		ASSERT_EQ(r->len, bertha_dag_parse(text, exact, r->len, NULL, 0));
		ASSERT_EQ(0, memcmp(exact, r->blob, r->len));
		ASSERT_EQ(-1, bertha_dag_parse(text, exact, r->len - 1, NULL, 0));
		ASSERT_EQ(E2BIG, errno);
		return 1;
	}
	ASSERT_EQ(-1, r->len);
	ASSERT_TRUE(r->errnum == EINVAL || r->errnum == E2BIG ||
		    r->errnum == ENAMETOOLONG)
		TH_LOG("\"%s\": errno %d", text, r->errnum);
	ASSERT_NE(NULL, memchr(r->err, 0, sizeof(r->err)));
	ASSERT_NE('\0', r->err[0]) TH_LOG("\"%s\": no message", text);
	col = column_of(r->err);
	ASSERT_TRUE(col >= 1 && (size_t)col <= strlen(text) + 1)
		TH_LOG("\"%s\": %s", text, r->err);
	return 0;
}

static unsigned int seed(struct __test_metadata *_metadata)
{
	const char *env = getenv("DAG_PARSE_SEED");
	unsigned int s = env ? (unsigned int)strtoul(env, NULL, 0) :
			       (unsigned int)getpid() ^ (unsigned int)time(NULL);

	TH_LOG("seed %u (set DAG_PARSE_SEED to repeat)", s);
	srandom(s);
	return s;
}

TEST(random_characters)
{
	static const char alphabet[] = "a(),=|> selct";
	static struct result r;
	char text[41];
	int i, j, len, ok = 0;

	seed(_metadata);
	for (i = 0; i < 20000; i++) {
		len = random() % 41;
		for (j = 0; j < len; j++)
			text[j] = alphabet[random() % (sizeof(alphabet) - 1)];
		text[len] = '\0';
		ok += check_random(_metadata, &r, text);
	}
	TH_LOG("%d of 20000 random texts parsed", ok);
	/* the round trip was checked: some texts parsed (every short word does) */
	EXPECT_LT(0, ok);
}

TEST(random_tokens)
{
	static const char *const tokens[] = {
		"a", "bb", "select", "scope", "host", "(", ")", ",", "=", "|>",
		" ", "k=v", "scope=any", "x", "7001,7002", "|",
	};
	static struct result r;
	char text[256];
	int i, j, n, ok = 0;

	seed(_metadata);
	for (i = 0; i < 20000; i++) {
		text[0] = '\0';
		n = random() % 24;
		for (j = 0; j < n; j++)
			strcat(text, tokens[random() % (sizeof(tokens) / sizeof(tokens[0]))]);
		ok += check_random(_metadata, &r, text);
	}
	TH_LOG("%d of 20000 random token strings parsed", ok);
	EXPECT_LT(0, ok);
}

TEST_HARNESS_MAIN
