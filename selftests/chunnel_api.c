// SPDX-License-Identifier: GPL-2.0
/*
 * chunnel_api: the exported chunnel layer (<bertha/chunnel.h>) driven from
 * outside bertha.ko, by selftests/modules/bertha_test_chunnel.ko loaded
 * with type=test-full xform=full. That module registers a chunnel type of
 * its own (argument validation, counters) and an implementation that uses
 * every hook: a header of its own in the headroom, a held message released
 * in order by the next message or by a timer, a "note" control message to
 * the peer, negotiation attributes checked by the peer's init, and
 * get_info. The tests read what the module counted (its sysfs parameters)
 * and what bertha.ko reports over generic netlink, and autoload the
 * module through its alias from a scratch module tree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "kselftest_harness.h"
#include "libbertha.h"
#include "netns.h"
#include "conn.h"
#include "test_chunnel.h"

static struct netns_topo topo;

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])
#define CLI1	(topo.client_fd[1])

#define FULL		"type=test-full xform=full"
#define HOLD		3	/* every third message is held */
#define NOTE		2	/* every second one sends a note */
#define TICK		300	/* ms a message is held at most */
#define DAG		"test-full(hold=3, note=2, tick=300)"
#define NMSG		12	/* a multiple of HOLD: the last is held */

/* The module's own attributes in get_info (enum test_full_attrs there). */
#define TEST_FULL_A_HOLD	4
#define TEST_FULL_A_SEEN	5


/* A parameter of the module as text ("" if unreadable). */
static void chunnel_param(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), MOD_SYS "/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* One of the module's counters, or -1. */
static long long ctr(const char *name)
{
	char buf[32], *end;
	long long v;

	chunnel_param(name, buf, sizeof(buf));
	v = strtoll(buf, &end, 10);
	return buf[0] && !*end ? v : -1;
}

/* Wait up to MS for counter NAME to reach MIN; its last value. */
static long long ctr_wait(const char *name, long long min, int ms)
{
	long long end = now_ms() + ms, v;

	while ((v = ctr(name)) < min && now_ms() < end)
		usleep(10000);
	return v;
}

/*
 * A minimal generic netlink client: bertha's family id, a request in the
 * namespace of the socket, and the attributes of the answers.
 */
#define NLA_OK(a, len)	((len) >= (int)sizeof(struct nlattr) &&		\
			 (a)->nla_len >= sizeof(struct nlattr) &&	\
			 (a)->nla_len <= (len))
#define NLA_NEXT(a, len) ((len) -= NLA_ALIGN((a)->nla_len),		\
			  (struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))
#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define NLA_PLEN(a)	((int)(a)->nla_len - NLA_HDRLEN)
#define nla_for_each(a, head, len, rem)					\
	for ((a) = (head), (rem) = (len); NLA_OK(a, rem); (a) = NLA_NEXT(a, rem))

static struct nlattr *nla_get(struct nlattr *head, int len, int type)
{
	struct nlattr *a;
	int rem;

	nla_for_each(a, head, len, rem)
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

static struct nlattr *nla_sub(struct nlattr *nest, int type)
{
	return nest ? nla_get(NLA_DATA(nest), NLA_PLEN(nest), type) : NULL;
}

static int nla_is_str(struct nlattr *a, const char *s)
{
	return a && NLA_PLEN(a) > 0 && !strncmp(NLA_DATA(a), s, NLA_PLEN(a));
}

static long long nla_u64(struct nlattr *a)
{
	uint64_t v;

	if (!a || NLA_PLEN(a) != sizeof(v))
		return -1;
	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

struct genl_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[64];
};

static char genl_buf[1 << 16];

/*
 * Send CMD to FAMILY on FD (a dump if DUMP), with the attribute bytes
 * ATTRS, and call CB on each answer's attributes. 0 or an errno.
 */
static int genl_call(int fd, uint16_t family, uint8_t cmd, int dump,
		     const void *attrs, int alen,
		     void (*cb)(struct nlattr *head, int len, void *arg), void *arg)
{
	struct genl_req req = {
		.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + alen),
		.n.nlmsg_type = family,
		.n.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK),
		.n.nlmsg_seq = 1,
		.g.cmd = cmd,
		.g.version = 1,
	};
	struct nlmsghdr *h;
	ssize_t n;

	memcpy(req.attrs, attrs, alen);
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0)
		return errno;
	for (;;) {
		if (!(poll_fd(fd, POLLIN, CONN_WAIT_MS) & POLLIN))
			return ETIMEDOUT;
		n = recv(fd, genl_buf, sizeof(genl_buf), 0);
		if (n < 0)
			return errno;
		for (h = (struct nlmsghdr *)genl_buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return -e->error;	/* 0: the ACK of a do */
			}
			cb((struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN),
			   (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), arg);
		}
	}
}

static void family_cb(struct nlattr *head, int len, void *arg)
{
	struct nlattr *a = nla_get(head, len, CTRL_ATTR_FAMILY_ID);

	if (a)
		memcpy(arg, NLA_DATA(a), sizeof(uint16_t));
}

/* A generic netlink socket in namespace NSFD and bertha's id; fd or -1. */
static int genl_open(int nsfd, uint16_t *family)
{
	struct {
		struct nlattr a;
		char name[8];
	} attr = {
		.a.nla_len = NLA_HDRLEN + sizeof(BERTHA_GENL_NAME),
		.a.nla_type = CTRL_ATTR_FAMILY_NAME,
		.name = BERTHA_GENL_NAME,
	};
	int fd;

	if (netns_enter(nsfd))
		return -1;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	*family = 0;
	if (genl_call(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, &attr,
		      NLA_ALIGN(attr.a.nla_len), family_cb, family) || !*family) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The counter NAME of chunnel type TYPE among the repeated nests of
 * &enum bertha_chunnel_stats_attrs of type NEST in HEAD, or -1.
 */
static long long chunnel_stat(struct nlattr *head, int len, int nest,
			      const char *type, const char *name)
{
	struct nlattr *a, *c;
	int rem, crem;

	nla_for_each(a, head, len, rem) {
		if ((a->nla_type & NLA_TYPE_MASK) != nest ||
		    !nla_is_str(nla_sub(a, BERTHA_CHUNNEL_STATS_A_TYPE), type))
			continue;
		nla_for_each(c, NLA_DATA(a), NLA_PLEN(a), crem)
			if ((c->nla_type & NLA_TYPE_MASK) == BERTHA_CHUNNEL_STATS_A_COUNTER &&
			    nla_is_str(nla_sub(c, BERTHA_COUNTER_A_NAME), name))
				return nla_u64(nla_sub(c, BERTHA_COUNTER_A_VALUE));
	}
	return -1;
}

struct stat_q {
	const char *name;
	long long value;
};

static void stats_cb(struct nlattr *head, int len, void *arg)
{
	struct stat_q *q = arg;

	q->value = chunnel_stat(head, len, BERTHA_STATS_A_CHUNNEL, "test-full", q->name);
}

/* STATS_GET in namespace NSFD: test-full's counter NAME there, or -1. */
static long long ns_stat(int nsfd, const char *name)
{
	struct stat_q q = { .name = name, .value = -1 };
	uint16_t family;
	int fd = genl_open(nsfd, &family);

	if (fd < 0)
		return -1;
	if (genl_call(fd, family, BERTHA_CMD_STATS_GET, 0, NULL, 0, stats_cb, &q))
		q.value = -1;
	close(fd);
	return q.value;
}

/* What a CONN_GET dump says of the sockets whose binding has test-full. */
struct conn_q {
	int nodes;		/* test-full nodes with an INFO nest */
	long long seen;		/* the largest TEST_FULL_A_SEEN among them */
	long long hold;		/* TEST_FULL_A_HOLD of that one */
	long long held;		/* its socket's "held" counter */
};

/* One message per socket; BERTHA_CONN_A_BINDING repeats, one per node. */
static void conn_cb(struct nlattr *head, int len, void *arg)
{
	struct conn_q *q = arg;
	struct nlattr *n, *info;
	long long seen;
	int rem;

	nla_for_each(n, head, len, rem) {
		if ((n->nla_type & NLA_TYPE_MASK) != BERTHA_CONN_A_BINDING ||
		    !nla_is_str(nla_sub(n, BERTHA_BINDING_NODE_A_TYPE), "test-full"))
			continue;
		info = nla_sub(n, BERTHA_BINDING_NODE_A_INFO);
		if (!info)
			continue;
		q->nodes++;
		seen = nla_u64(nla_sub(info, TEST_FULL_A_SEEN));
		if (seen > q->seen) {
			struct nlattr *h = nla_sub(info, TEST_FULL_A_HOLD);

			q->seen = seen;
			q->hold = h && NLA_PLEN(h) == 4 ? (long long)*(uint32_t *)NLA_DATA(h) : -1;
			q->held = chunnel_stat(head, len, BERTHA_CONN_A_CHUNNEL_STATS,
					       "test-full", "held");
		}
	}
}

static int conn_dump(int nsfd, struct conn_q *q)
{
	uint16_t family;
	int fd = genl_open(nsfd, &family), err;

	memset(q, 0, sizeof(*q));
	q->seen = q->hold = q->held = -1;
	if (fd < 0)
		return -1;
	err = genl_call(fd, family, BERTHA_CMD_CONN_GET, 1, NULL, 0, conn_cb, q);
	close(fd);
	return err;
}

FIXTURE(api) {
	int fds[16];
	int nfds;
	char modprobe_old[256];	/* /proc/sys/kernel/modprobe to put back */
	char root[64];		/* the scratch module tree, if made */
	uint8_t buf[2048], rbuf[2048];
};

FIXTURE_VARIANT(api) {
	int ipfam;
	const char *sip;
};

FIXTURE_VARIANT_ADD(api, ipv4) {
	.ipfam = AF_INET,
	.sip = "10.77.0.1",
};

FIXTURE_VARIANT_ADD(api, ipv6) {
	.ipfam = AF_INET6,
	.sip = "fd77:0::1",
};

FIXTURE_SETUP(api)
{
	self->nfds = 0;
	self->modprobe_old[0] = 0;
	self->root[0] = 0;
	ASSERT_EQ(0, chunnel_unload(CONN_WAIT_MS));
	ASSERT_NE(NULL, getenv("BERTHA_TEST_MODULES"));
}

/* Sockets first (they pin the module), then the module, then modprobe. */
FIXTURE_TEARDOWN(api)
{
	char cmd[512];
	FILE *f;
	int i;

	for (i = 0; i < self->nfds; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	if (chunnel_unload(CONN_WAIT_MS))
		TH_LOG("bertha_test_chunnel stayed loaded");
	local_path_set_all(&topo, 1);
	if (self->modprobe_old[0]) {
		f = fopen("/proc/sys/kernel/modprobe", "w");
		if (f) {
			fprintf(f, "%s\n", self->modprobe_old);
			fclose(f);
		}
	}
	if (self->root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->root);
		netns_sh(cmd);
	}
}

static int keep(FIXTURE_DATA(api) *self, int fd)
{
	if (fd >= 0 && self->nfds < 16)
		self->fds[self->nfds++] = fd;
	return fd;
}

/*
 * A listener in the server namespace with DAG, and one connection to it
 * from NSFD (the client sets no DAG: it takes the listener's). 0, or the
 * errno of what failed.
 */
static int conn(FIXTURE_DATA(api) *self, const FIXTURE_VARIANT(api) *v,
		int nsfd, int *l, int *cfd, int *afd)
{
	struct sockaddr_bertha a;
	int err;

	if (*l < 0) {
		*l = keep(self, make_listener(SRV, v->ipfam, v->sip, DAG, 8));
		if (*l < 0)
			return -*l;
	}
	a = bname(*l);
	*cfd = keep(self, bsock(nsfd, SOCK_SEQPACKET));
	*afd = -1;
	if (*cfd < 0)
		return errno;
	sockopt_ms(*cfd, SO_RCVTIMEO, CONN_WAIT_MS);
	err = bconnect(*cfd, &a);
	if (err)
		return err;
	*afd = keep(self, accept_wait(*l, CONN_WAIT_MS, 0));
	if (*afd < 0)
		return -*afd;
	sockopt_ms(*afd, SO_RCVTIMEO, CONN_WAIT_MS);
	return 0;
}

/* Send N messages of LEN bytes, patterns SEED.., from FROM at once. */
static int send_burst(FIXTURE_DATA(api) *self, int from, int n, size_t len,
		      uint32_t seed)
{
	int i;

	for (i = 0; i < n; i++) {
		pat_fill(self->buf, len, seed + i);
		if (send(from, self->buf, len, 0) != (ssize_t)len)
			return errno ? errno : EIO;
	}
	return 0;
}

/*
 * Receive N messages on TO; each must be the next pattern from SEED, whole.
 * The index of the first that is not (N if all were), and when the last
 * arrived in *LAST_MS.
 */
static int recv_in_order(FIXTURE_DATA(api) *self, int to, int n, size_t len,
			 uint32_t seed, long long *last_ms)
{
	ssize_t got;
	int i;

	for (i = 0; i < n; i++) {
		memset(self->rbuf, 0, sizeof(self->rbuf));
		got = recv(to, self->rbuf, sizeof(self->rbuf), 0);
		if (got != (ssize_t)len || pat_check(self->rbuf, len, seed + i) >= 0) {
			fprintf(stderr, "#   message %d: %zd bytes, %s\n", i, got,
				got < 0 ? strerror(errno) : "wrong bytes or order");
			return i;
		}
	}
	if (last_ms)
		*last_ms = now_ms();
	return n;
}

/* Bad node arguments: check_args refuses the DAG, the old one stays. */
TEST_F(api, bad_args_refused)
{
	static const char *const bad[] = {
		"test-full(hold=x)",
		"test-full(hold=1001)",
		"test-full(tick=0)",
		"test-full(tick=10001)",
		"test-full(note=-1)",
		"test-full(bogus=1)",
		"test-full(hold=1, hold=2)",
		"identity |> test-full(hold=2, tick=)",
	};
	unsigned int i;
	int fd;

	ASSERT_EQ(0, chunnel_load(SRV, FULL));
	fd = keep(self, bsock(SRV, SOCK_SEQPACKET));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_dag(fd, DAG));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = set_dag(fd, bad[i]);

		/* "tick=" may already fail in libbertha's parser: EINVAL too */
		EXPECT_EQ(EINVAL, err) TH_LOG("%s: %s", bad[i], strerror(err));
		EXPECT_TRUE(dag_is(fd, DAG)) TH_LOG("after %s", bad[i]);
	}
	EXPECT_EQ(0, set_dag(fd, "test-full"));	/* the defaults */
	EXPECT_EQ(0, set_dag(fd, "test-full(hold=0, note=0, tick=1)"));
	EXPECT_EQ(0, set_dag(fd, "identity |> test-full(tick=10000, hold=1000)"));
}

/*
 * A steering chunnel (shard) must read the application's message: the
 * core refuses a DAG where it follows one that holds messages and puts its
 * header in front (reliable), on the same path, and keeps the old DAG.
 */
TEST_F(api, steering_after_holding_refused)
{
	static const char *const bad[] = {
		"reliable |> shard(ports=7001,7002)",
		"reliable |> identity |> shard(ports=7001)",
		"reliable |> select(identity, shard(ports=7001))",
		NULL,
	};
	static const char *const good[] = {
		"shard(ports=7001,7002) |> reliable",
		"identity |> shard(ports=7001) |> reliable",
		"select(reliable, identity) |> shard(ports=7001)",
		NULL,
	};
	const char *const *d;
	int fd;

	fd = keep(self, bsock(SRV, SOCK_DGRAM));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_dag(fd, "identity"));
	for (d = bad; *d; d++) {
		EXPECT_EQ(EINVAL, set_dag(fd, *d)) TH_LOG("%s", *d);
		EXPECT_TRUE(dag_is(fd, "identity")) TH_LOG("after %s", *d);
	}
	for (d = good; *d; d++)
		EXPECT_EQ(0, set_dag(fd, *d)) TH_LOG("good %d", (int)(d - good));
}

/*
 * Over the network path: every third message is held. The next message
 * releases it first, so the application still reads them in order; the
 * last one waits for the timer. Every second message makes the receiver
 * send a note control message, which the peer's ctrl_rcv counts. Both
 * inits found the peer's negotiation attributes.
 */
TEST_F(api, held_messages_in_order)
{
	long long recv0, sent0, held0, next0, timer0, fired0, nsent0, nrecv0;
	long long seen0, t_sent, t_last = 0;
	struct binding_buf b;
	int l = -1, c, a;
	struct bertha_stats s;

	ASSERT_EQ(0, chunnel_load(SRV, FULL));
	recv0 = ctr("received");
	sent0 = ctr("sent");
	held0 = ctr("held");
	next0 = ctr("released_next");
	timer0 = ctr("released_timer");
	fired0 = ctr("timer_fired");
	nsent0 = ctr("notes_sent");
	nrecv0 = ctr("notes_received");
	seen0 = ctr("peer_seen");
	ASSERT_EQ(0, recv0);
	ASSERT_EQ(0, ctr("peer_mismatch"));

	ASSERT_EQ(0, local_path_set_all(&topo, 0));
	ASSERT_EQ(0, conn(self, variant, CLI, &l, &c, &a));
	ASSERT_EQ(0, local_path_set_all(&topo, 1));
	EXPECT_EQ(BERTHA_PATH_NETWORK, conn_path(c));
	ASSERT_EQ(1, get_binding(c, &b));
	EXPECT_TRUE(node_is(&b, 0, "test-full", "kernel", BERTHA_WHERE_BOTH, 10,
			    BERTHA_SCOPE_HOST, 0));
	ASSERT_EQ(1, get_binding(a, &b));
	EXPECT_TRUE(node_is(&b, 0, "test-full", "kernel", BERTHA_WHERE_BOTH, 10,
			    BERTHA_SCOPE_HOST, 0));
	/* (f) each end's init read what the other's hello_put/accept_put said */
	EXPECT_EQ(seen0 + 2, ctr("peer_seen"));
	EXPECT_EQ(0, ctr("peer_mismatch"));
	EXPECT_EQ(2, ctr("live"));

	/* (e) client to server: messages 3, 6, 9 and 12 are held */
	ASSERT_EQ(0, send_burst(self, c, NMSG, 700, 100));
	t_sent = now_ms();
	EXPECT_EQ(NMSG, recv_in_order(self, a, NMSG, 700, 100, &t_last));
	/* the last one came only when the timer let it go */
	TH_LOG("the last message took %lld ms (tick %d ms)", t_last - t_sent, TICK);
	EXPECT_LE(TICK * 2 / 3, t_last - t_sent);
	EXPECT_EQ(sent0 + NMSG, ctr("sent"));
	EXPECT_EQ(recv0 + NMSG, ctr("received"));
	EXPECT_EQ(held0 + NMSG / HOLD, ctr("held"));
	EXPECT_EQ(NMSG / HOLD,
		  ctr("released_next") - next0 + ctr("released_timer") - timer0);
	EXPECT_LE(next0 + 1, ctr("released_next"));
	EXPECT_LE(timer0 + 1, ctr("released_timer"));
	/* (d) the timer fired, and on time */
	EXPECT_LE(fired0 + 1, ctr("timer_fired"));
	/* (c) notes: one per NOTE messages the server saw, all at the client */
	EXPECT_EQ(nsent0 + NMSG / NOTE, ctr("notes_sent"));
	EXPECT_EQ(nrecv0 + NMSG / NOTE,
		  ctr_wait("notes_received", nrecv0 + NMSG / NOTE, CONN_WAIT_MS));
	EXPECT_EQ(0, ctr("ctrl_bad"));
	EXPECT_EQ(0, ctr("bad_header"));
	s = bstats(a);
	EXPECT_EQ(NMSG, (long long)s.rx_messages);
	EXPECT_EQ(0, (long long)s.rx_dropped);
	EXPECT_EQ(0, (long long)s.rx_malformed);
	EXPECT_EQ(0, (long long)bstats(c).rx_malformed);

	/* and the other way, the same rules at the client's end */
	ASSERT_EQ(0, send_burst(self, a, 2 * HOLD, 300, 200));
	EXPECT_EQ(2 * HOLD, recv_in_order(self, c, 2 * HOLD, 300, 200, NULL));
	EXPECT_EQ(held0 + NMSG / HOLD + 2, ctr("held"));
	EXPECT_EQ(nsent0 + (NMSG + 2 * HOLD) / NOTE, ctr("notes_sent"));
	EXPECT_EQ(nrecv0 + (NMSG + 2 * HOLD) / NOTE,
		  ctr_wait("notes_received", nrecv0 + (NMSG + 2 * HOLD) / NOTE,
			   CONN_WAIT_MS));
	EXPECT_EQ(0, ctr("bad_header"));
	EXPECT_EQ(0, ctr("peer_mismatch"));
}

/* Every connection's inits see the peer's attributes, clients with or
 * without their own copy of the DAG alike.
 */
TEST_F(api, peer_attrs_every_connection)
{
	int l = -1, c, a, i;
	long long seen0;

	ASSERT_EQ(0, chunnel_load(SRV, FULL));
	seen0 = ctr("peer_seen");
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, conn(self, variant, i == 2 ? CLI1 : CLI, &l, &c, &a));
		EXPECT_EQ(0, send_burst(self, c, 1, 100, i));
		EXPECT_EQ(1, recv_in_order(self, a, 1, 100, i, NULL));
	}
	/* a client that names the same DAG itself */
	c = keep(self, bsock(CLI, SOCK_SEQPACKET));
	ASSERT_LE(0, c);
	ASSERT_EQ(0, set_dag(c, DAG));
	sockopt_ms(c, SO_RCVTIMEO, CONN_WAIT_MS);
	{
		struct sockaddr_bertha sa = bname(l);

		ASSERT_EQ(0, bconnect(c, &sa));
	}
	a = keep(self, accept_wait(l, CONN_WAIT_MS, 0));
	ASSERT_LE(0, a);
	EXPECT_EQ(seen0 + 2 * 4, ctr("peer_seen"));
	EXPECT_EQ(0, ctr("peer_mismatch"));
	EXPECT_EQ(2 * 4, ctr("live"));
}

/* The local fast path runs xmit and rcv, which may not steal there. */
TEST_F(api, local_path_runs_without_stealing)
{
	long long recv0, held0, nsent0;
	int l = -1, c, a;

	ASSERT_EQ(0, chunnel_load(SRV, FULL));
	recv0 = ctr("received");
	held0 = ctr("held");
	nsent0 = ctr("notes_sent");
	ASSERT_EQ(0, conn(self, variant, CLI, &l, &c, &a));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(c));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(a));
	ASSERT_EQ(0, send_burst(self, c, NMSG, 500, 300));
	EXPECT_EQ(NMSG, recv_in_order(self, a, NMSG, 500, 300, NULL));
	EXPECT_EQ(recv0 + NMSG, ctr("received"));	/* rcv ran: header, XOR */
	EXPECT_EQ(held0, ctr("held"));
	EXPECT_EQ(nsent0, ctr("notes_sent"));
	EXPECT_EQ(0, ctr("bad_header"));
}

/* BERTHA_CHUNNEL_F_ELIDE_LOCAL: bound at both ends, run at neither. */
TEST_F(api, elided_on_local_path)
{
	struct binding_buf b;
	long long sent0, recv0;
	int l = -1, c, a;

	ASSERT_EQ(0, chunnel_load(SRV, FULL " elide_local=1"));
	sent0 = ctr("sent");
	recv0 = ctr("received");
	ASSERT_EQ(0, conn(self, variant, CLI, &l, &c, &a));
	EXPECT_EQ(BERTHA_PATH_LOCAL, conn_path(c));
	ASSERT_EQ(1, get_binding(c, &b));
	EXPECT_EQ(BERTHA_WHERE_ELIDED, (int)b.node[0].where);
	ASSERT_EQ(1, get_binding(a, &b));
	EXPECT_EQ(BERTHA_WHERE_ELIDED, (int)b.node[0].where);
	ASSERT_EQ(0, send_burst(self, c, 4, 200, 400));
	EXPECT_EQ(4, recv_in_order(self, a, 4, 200, 400, NULL));
	EXPECT_EQ(sent0, ctr("sent"));
	EXPECT_EQ(recv0, ctr("received"));
}

/*
 * The type's counters by name over generic netlink: per namespace
 * (STATS_GET) and per socket (CONN_GET), and get_info's attributes in the
 * connection dump.
 */
TEST_F(api, counters_and_info_over_genl)
{
	static const char *const names[] = {
		"held", "released-next", "released-timer", "timer-fired",
		"notes-sent", "notes-received",
	};
	long long srv0[6], cli0[6], srv[6], cli[6], info0;
	struct conn_q q;
	int l = -1, c, a, i;

	ASSERT_EQ(0, chunnel_load(SRV, FULL));
	/* the namespaces outlive this test: what it adds to their counters */
	for (i = 0; i < 6; i++) {
		srv0[i] = ns_stat(SRV, names[i]);
		cli0[i] = ns_stat(CLI, names[i]);
		ASSERT_LE(0, srv0[i]) TH_LOG("no counter %s", names[i]);
		ASSERT_LE(0, cli0[i]) TH_LOG("no counter %s", names[i]);
	}
	ASSERT_EQ(0, local_path_set_all(&topo, 0));
	ASSERT_EQ(0, conn(self, variant, CLI, &l, &c, &a));
	ASSERT_EQ(0, local_path_set_all(&topo, 1));
	ASSERT_EQ(0, send_burst(self, c, NMSG, 100, 500));
	EXPECT_EQ(NMSG, recv_in_order(self, a, NMSG, 100, 500, NULL));
	ctr_wait("notes_received", NMSG / NOTE, CONN_WAIT_MS);

	for (i = 0; i < 6; i++) {
		srv[i] = ns_stat(SRV, names[i]) - srv0[i];
		cli[i] = ns_stat(CLI, names[i]) - cli0[i];
		TH_LOG("%s: server's namespace +%lld, client's +%lld", names[i],
		       srv[i], cli[i]);
	}
	/* the server's namespace held and noted, the client's got the notes */
	EXPECT_EQ(NMSG / HOLD, srv[0]);
	EXPECT_EQ(NMSG / HOLD, srv[1] + srv[2]);
	EXPECT_LE(1, srv[3]);
	EXPECT_EQ(NMSG / NOTE, srv[4]);
	EXPECT_EQ(0, srv[5]);
	EXPECT_EQ(0, cli[0]);
	EXPECT_EQ(0, cli[4]);
	EXPECT_EQ(NMSG / NOTE, cli[5]);

	info0 = ctr("info_calls");
	ASSERT_EQ(0, conn_dump(SRV, &q));
	EXPECT_LE(info0 + 1, ctr("info_calls"));
	EXPECT_LE(1, q.nodes);
	EXPECT_EQ(NMSG, q.seen);	/* get_info: messages rcv saw */
	EXPECT_EQ(HOLD, q.hold);	/* get_info: the parsed hold= */
	EXPECT_EQ(NMSG / HOLD, q.held);	/* the accepted socket's counter */
}

/*
 * MODULE_ALIAS_BERTHA_CHUNNEL: a DAG naming test-full, with the module not
 * loaded, makes bertha.ko request "bertha-chunnel-test-full", which
 * modprobe finds in a scratch module tree (options from its own config).
 * A type nobody provides is still refused after the request.
 */
TEST_F(api, autoload_by_alias)
{
	const char *mods = getenv("BERTHA_TEST_MODULES"), *ko = getenv("BERTHA_KO");
	char cmd[2048], path[128], buf[64], log[512];
	FILE *f;
	int fd;

	/* a guest without kmod is a runner setup error, not a skip */
	ASSERT_EQ(0, netns_sh("command -v depmod >/dev/null"))
		TH_LOG("kmod (depmod) is not installed in the guest");
	ASSERT_NE(NULL, ko);
	ASSERT_FALSE(chunnel_loaded());
	strcpy(self->root, "/tmp/chapi.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(cmd, sizeof(cmd),
		 "set -e; r=%s; k=$(uname -r); d=$r/lib/modules/$k/extra; "
		 "mkdir -p $d; cp %s/bertha_test_chunnel.ko %s $d/; "
		 "touch $r/lib/modules/$k/modules.order $r/lib/modules/$k/modules.builtin "
		 "$r/lib/modules/$k/modules.builtin.modinfo; "
		 "depmod -b $r $k; "
		 "modinfo -F alias $d/bertha_test_chunnel.ko | grep -qx bertha-chunnel-test-full; "
		 "echo 'options bertha_test_chunnel " FULL "' > $r/modprobe.conf; "
		 "printf '#!/bin/sh\\necho \"$*\" >> %%s/requests\\n"
		 "exec /sbin/modprobe -C %%s/modprobe.conf -d %%s \"$@\"\\n' $r $r $r > $r/modprobe; "
		 "chmod +x $r/modprobe",
		 self->root, mods, ko);
	ASSERT_EQ(0, netns_sh(cmd));

	f = fopen("/proc/sys/kernel/modprobe", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(self->modprobe_old, sizeof(self->modprobe_old), f));
	fclose(f);
	self->modprobe_old[strcspn(self->modprobe_old, "\n")] = 0;
	snprintf(path, sizeof(path), "%s/modprobe", self->root);
	f = fopen("/proc/sys/kernel/modprobe", "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "%s\n", path);
	ASSERT_EQ(0, fclose(f));

	fd = keep(self, bsock(SRV, SOCK_SEQPACKET));
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, set_dag(fd, DAG));
	EXPECT_TRUE(chunnel_loaded());
	chunnel_param("xform", buf, sizeof(buf));
	EXPECT_STREQ("full", buf);
	chunnel_param("type", buf, sizeof(buf));
	EXPECT_STREQ("test-full", buf);
	/* and the autoloaded type works: its check_args runs */
	EXPECT_EQ(EINVAL, set_dag(fd, "test-full(bogus=1)"));

	/* nobody provides test-nomod: asked for once, then refused */
	EXPECT_EQ(EPROTONOSUPPORT, set_dag(fd, "test-nomod"));
	snprintf(path, sizeof(path), "%s/requests", self->root);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	log[fread(log, 1, sizeof(log) - 1, f)] = 0;
	fclose(f);
	EXPECT_NE(NULL, strstr(log, "bertha-chunnel-test-full")) TH_LOG("%s", log);
	EXPECT_NE(NULL, strstr(log, "bertha-chunnel-test-nomod")) TH_LOG("%s", log);

	/* after a miss, autoloading rests for 2 s: no modprobe at all */
	EXPECT_EQ(EPROTONOSUPPORT, set_dag(fd, "test-nomod-quiet"));
	usleep(2200 * 1000);
	/* then it asks again */
	EXPECT_EQ(EPROTONOSUPPORT, set_dag(fd, "test-nomod-again"));
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	log[fread(log, 1, sizeof(log) - 1, f)] = 0;
	fclose(f);
	EXPECT_EQ(NULL, strstr(log, "test-nomod-quiet")) TH_LOG("%s", log);
	EXPECT_NE(NULL, strstr(log, "bertha-chunnel-test-nomod-again"))
		TH_LOG("%s", log);
	/* the next variant's first DAG must not fall in the rest */
	usleep(2200 * 1000);
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "ca", 2);

	if (rc)
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, chunnel_unload_at_exit);
	return test_harness_run(argc, argv);
}
