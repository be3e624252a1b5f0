// SPDX-License-Identifier: GPL-2.0
/*
 * dag_sockopt: setsockopt/getsockopt(SOL_BERTHA, BERTHA_DAG). Valid DAGs are
 * stored and returned byte for byte; every kind of malformed blob gets its
 * documented errno and leaves the previous DAG in place; random and mutated
 * blobs never get anything but those errnos (the debug lane watches the
 * kernel meanwhile).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
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

/* a pipeline of @n identity nodes */
static void build_chain(struct blob *b, int n)
{
	int at[64], i;

	b->len = 0;
	for (i = 0; i < n; i++) {
		at[i] = node(b, "identity");
		if (i < n - 1)
			at[i + n] = nest(b, BERTHA_NODE_A_NEXT);
	}
	for (i = n - 1; i >= 0; i--) {
		end(b, at[i]);
		if (i > 0)
			end(b, at[i - 1 + n]);
	}
}

static int set_dag(int fd, const struct blob *b)
{
	return setsockopt(fd, SOL_BERTHA, BERTHA_DAG, b->buf, b->len) ? errno : 0;
}

FIXTURE(dag) {
	int fd;
	struct blob b, got;
};

FIXTURE_SETUP(dag)
{
	self->fd = socket(bertha_family(), SOCK_SEQPACKET, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dag)
{
	close(self->fd);
}

/* getsockopt returns exactly what the last successful setsockopt set. */
static int dag_equals(int fd, const struct blob *want, struct blob *got)
{
	socklen_t len = sizeof(got->buf);

	if (getsockopt(fd, SOL_BERTHA, BERTHA_DAG, got->buf, &len))
		return 0;
	return (int)len == want->len && !memcmp(got->buf, want->buf, len);
}

TEST_F(dag, unset_is_enoent)
{
	socklen_t len = sizeof(self->got.buf);

	EXPECT_EQ(-1, getsockopt(self->fd, SOL_BERTHA, BERTHA_DAG, self->got.buf, &len));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(dag, valid_dag_round_trips)
{
	build_valid(&self->b);
	ASSERT_EQ(0, set_dag(self->fd, &self->b));
	EXPECT_TRUE(dag_equals(self->fd, &self->b, &self->got));

	/* A new DAG replaces the old one. */
	build_chain(&self->b, 3);
	ASSERT_EQ(0, set_dag(self->fd, &self->b));
	EXPECT_TRUE(dag_equals(self->fd, &self->b, &self->got));
}

TEST_F(dag, small_buffer_is_erange_with_size)
{
	socklen_t len = 8;

	build_valid(&self->b);
	ASSERT_EQ(0, set_dag(self->fd, &self->b));
	EXPECT_EQ(-1, getsockopt(self->fd, SOL_BERTHA, BERTHA_DAG, self->got.buf, &len));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(self->b.len, (int)len);
}

TEST_F(dag, limits)
{
	int i, sel, alts;

	build_chain(&self->b, BERTHA_DAG_MAX_DEPTH);
	EXPECT_EQ(0, set_dag(self->fd, &self->b));
	build_chain(&self->b, BERTHA_DAG_MAX_DEPTH + 1);
	EXPECT_EQ(E2BIG, set_dag(self->fd, &self->b));

	/* one select with MAX_NODES alternatives: MAX_NODES + 1 nodes */
	self->b.len = 0;
	sel = node(&self->b, "select");
	alts = nest(&self->b, BERTHA_NODE_A_ALTERNATIVES);
	for (i = 0; i < BERTHA_DAG_MAX_NODES; i++)
		end(&self->b, node(&self->b, "identity"));
	end(&self->b, alts);
	end(&self->b, sel);
	EXPECT_EQ(E2BIG, set_dag(self->fd, &self->b));

	EXPECT_EQ(-1, setsockopt(self->fd, SOL_BERTHA, BERTHA_DAG, self->b.buf,
				 BERTHA_DAG_MAX_BYTES + 1));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, setsockopt(self->fd, SOL_BERTHA, BERTHA_DAG, self->b.buf, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(self->fd, SOL_BERTHA, BERTHA_DAG, self->b.buf, 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(self->fd, SOL_BERTHA, BERTHA_DAG, (void *)8, 64));
	EXPECT_EQ(EFAULT, errno);
}

/* Malformed blobs: one variant each, built by name in malformed(). */
FIXTURE(bad) {
	int fd;
	struct blob b, got;
};

FIXTURE_VARIANT(bad) {
	const char *what;
	int err;
};

FIXTURE_SETUP(bad)
{
	self->fd = socket(bertha_family(), SOCK_SEQPACKET, 0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(bad)
{
	close(self->fd);
}

#define BAD(name, errno_) \
	FIXTURE_VARIANT_ADD(bad, name) { .what = #name, .err = errno_ }

BAD(unknown_type, EPROTONOSUPPORT);
BAD(empty_type, EPROTONOSUPPORT);
BAD(no_type, EINVAL);
BAD(long_type, EINVAL);
BAD(unterminated_type, EINVAL);
BAD(select_without_alternatives, EINVAL);
BAD(select_with_one_alternative, EINVAL);
BAD(alternatives_on_identity, EINVAL);
BAD(next_with_two_nodes, EINVAL);
BAD(empty_next, EINVAL);
BAD(two_roots, EINVAL);
BAD(unknown_node_attr, EINVAL);
BAD(unknown_top_attr, EINVAL);
BAD(missing_nested_flag, EINVAL);
BAD(trailing_bytes, EINVAL);
BAD(scope_out_of_range, EINVAL);
BAD(short_scope, EINVAL);
BAD(arg_without_value, EINVAL);
BAD(arg_not_nested, EINVAL);
BAD(length_past_end, EINVAL);
BAD(unknown_type_in_alternative, EPROTONOSUPPORT);

static void malformed(struct blob *b, const char *what)
{
	int n, x, y;

	b->len = 0;
	if (!strcmp(what, "unknown_type")) {
		end(b, node(b, "no-such-chunnel"));
	} else if (!strcmp(what, "empty_type")) {
		end(b, node(b, ""));
	} else if (!strcmp(what, "no_type")) {
		n = nest(b, BERTHA_DAG_A_NODE);
		put_u32(b, BERTHA_NODE_A_SCOPE, 0);
		end(b, n);
	} else if (!strcmp(what, "long_type")) {
		end(b, node(b, "identityidentityidentityidentity0"));
	} else if (!strcmp(what, "unterminated_type")) {
		n = nest(b, BERTHA_DAG_A_NODE);
		put(b, BERTHA_NODE_A_TYPE, "identity", 8);
		end(b, n);
	} else if (!strcmp(what, "select_without_alternatives")) {
		end(b, node(b, "select"));
	} else if (!strcmp(what, "select_with_one_alternative")) {
		n = node(b, "select");
		x = nest(b, BERTHA_NODE_A_ALTERNATIVES);
		end(b, node(b, "identity"));
		end(b, x);
		end(b, n);
	} else if (!strcmp(what, "alternatives_on_identity")) {
		n = node(b, "identity");
		x = nest(b, BERTHA_NODE_A_ALTERNATIVES);
		end(b, node(b, "identity"));
		end(b, node(b, "identity"));
		end(b, x);
		end(b, n);
	} else if (!strcmp(what, "next_with_two_nodes")) {
		n = node(b, "identity");
		x = nest(b, BERTHA_NODE_A_NEXT);
		end(b, node(b, "identity"));
		end(b, node(b, "identity"));
		end(b, x);
		end(b, n);
	} else if (!strcmp(what, "empty_next")) {
		n = node(b, "identity");
		end(b, nest(b, BERTHA_NODE_A_NEXT));
		end(b, n);
	} else if (!strcmp(what, "two_roots")) {
		end(b, node(b, "identity"));
		end(b, node(b, "identity"));
	} else if (!strcmp(what, "unknown_node_attr")) {
		n = node(b, "identity");
		put_u32(b, BERTHA_NODE_A_MAX + 1, 0);
		end(b, n);
	} else if (!strcmp(what, "unknown_top_attr")) {
		end(b, node(b, "identity"));
		put_u32(b, BERTHA_DAG_A_MAX + 1, 0);
	} else if (!strcmp(what, "missing_nested_flag")) {
		n = node(b, "identity");
		end(b, n);
		((struct nlattr *)b->buf)->nla_type &= ~NLA_F_NESTED;
	} else if (!strcmp(what, "trailing_bytes")) {
		end(b, node(b, "identity"));
		memset(b->buf + b->len, 0, 2);
		b->len += 2;
	} else if (!strcmp(what, "scope_out_of_range")) {
		n = node(b, "identity");
		put_u32(b, BERTHA_NODE_A_SCOPE, BERTHA_SCOPE_MAX + 1);
		end(b, n);
	} else if (!strcmp(what, "short_scope")) {
		n = node(b, "identity");
		put(b, BERTHA_NODE_A_SCOPE, "\1", 1);
		end(b, n);
	} else if (!strcmp(what, "arg_without_value")) {
		n = node(b, "identity");
		x = nest(b, BERTHA_NODE_A_ARGS);
		y = nest(b, BERTHA_ARG_A_ARG);
		put_str(b, BERTHA_ARG_A_KEY, "k");
		end(b, y);
		end(b, x);
		end(b, n);
	} else if (!strcmp(what, "arg_not_nested")) {
		n = node(b, "identity");
		x = nest(b, BERTHA_NODE_A_ARGS);
		put_str(b, BERTHA_ARG_A_KEY, "k");
		end(b, x);
		end(b, n);
	} else if (!strcmp(what, "length_past_end")) {
		end(b, node(b, "identity"));
		((struct nlattr *)b->buf)->nla_len += 64;
	} else if (!strcmp(what, "unknown_type_in_alternative")) {
		n = node(b, "select");
		x = nest(b, BERTHA_NODE_A_ALTERNATIVES);
		end(b, node(b, "identity"));
		end(b, node(b, "nope"));
		end(b, x);
		end(b, n);
	}
}

TEST_F(bad, is_rejected_and_keeps_previous)
{
	struct blob *bad = malloc(sizeof(*bad));

	ASSERT_NE(NULL, bad);
	build_chain(&self->b, 2);
	ASSERT_EQ(0, set_dag(self->fd, &self->b));
	malformed(bad, variant->what);
	ASSERT_LT(0, bad->len) TH_LOG("no builder for %s", variant->what);
	EXPECT_EQ(variant->err, set_dag(self->fd, bad)) TH_LOG("%s", variant->what);
	EXPECT_TRUE(dag_equals(self->fd, &self->b, &self->got));
	free(bad);
}

/* Random blobs and random mutations of a valid one: only documented
 * outcomes, and whatever is accepted reads back unchanged.
 */
TEST_F(dag, fuzz)
{
	unsigned int seed = getpid() ^ time(NULL);
	struct blob valid;
	int i, err, accepted = 0;

	TH_LOG("seed %u", seed);
	srandom(seed);
	build_valid(&valid);
	for (i = 0; i < 20000; i++) {
		int j, flips;

		if (i % 4 == 0) {
			self->b.len = random() % 256;
			for (j = 0; j < self->b.len; j++)
				self->b.buf[j] = random();
		} else {
			self->b = valid;
			flips = 1 + random() % 4;
			for (j = 0; j < flips; j++)
				self->b.buf[random() % valid.len] = random();
			if (random() % 4 == 0)
				self->b.len = random() % (valid.len + 1);
		}
		err = set_dag(self->fd, &self->b);
		if (!err) {
			accepted++;
			ASSERT_TRUE(dag_equals(self->fd, &self->b, &self->got));
			continue;
		}
		ASSERT_TRUE(err == EINVAL || err == E2BIG || err == EPROTONOSUPPORT)
			TH_LOG("iteration %d: errno %d", i, err);
	}
	TH_LOG("%d of 20000 blobs accepted", accepted);
	/* the read-back was checked: some blobs were accepted (a flip that
	 * rewrites a byte with its own value leaves the valid one intact)
	 */
	EXPECT_LT(0, accepted);
}

TEST_HARNESS_MAIN
