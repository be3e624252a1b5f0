// SPDX-License-Identifier: GPL-2.0
/*
 * The "reliable" chunnel over the UDP path, with netem on both ends of the
 * veth: every message arrives exactly once and in order under loss,
 * reordering, duplication and delay with jitter, in both directions at
 * once; the counters show the recovery; close() flushes; a peer that
 * vanishes makes the sender fail with ETIMEDOUT in bounded time; a reader
 * that does not read holds the sender back. Without reliable the same
 * path loses messages, so the test can see loss. On the local fast path
 * the chunnel is elided. SOCK_DGRAM peers with ``reliable`` get the same
 * guarantees per peer, and a peer that vanishes fails alone: the next
 * sendto() to it returns ETIMEDOUT.
 *
 * Messages stay below the veth MTU: one lost IP fragment loses a whole
 * datagram, and reliable does not segment.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#include "kselftest_harness.h"
#include "libbertha.h"
#include "netns.h"
#include "conn.h"

static struct netns_topo topo;

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])
#define SIP	"10.77.0.1"
#define MAXMSG	1400

FIXTURE(rel) {
	int l, c, a;
};

FIXTURE_SETUP(rel)
{
	self->l = self->c = self->a = -1;
	/* a guest without tc is a broken runner: red, not a skip */
	ASSERT_EQ(0, netns_sh("command -v tc >/dev/null"))
		TH_LOG("iproute2's tc is not installed in the guest");
	ASSERT_EQ(0, netns_netem(&topo, NULL));
	/* the network path: that is where reliable runs */
	ASSERT_EQ(0, local_path_set_all(&topo, 0));
}

FIXTURE_TEARDOWN(rel)
{
	netns_netem(&topo, NULL);
	if (self->a >= 0)
		close(self->a);
	if (self->c >= 0)
		close(self->c);
	if (self->l >= 0)
		close(self->l);
	local_path_set_all(&topo, 1);
}

/* A connection from the client namespace with DAG (NULL: none). */
static int rel_pair(FIXTURE_DATA(rel) *self, const char *dag)
{
	struct sockaddr_bertha la;
	int err;

	self->l = make_listener(SRV, AF_INET, SIP, dag, 4);
	if (self->l < 0)
		return -self->l;
	la = bname(self->l);
	self->c = bsock(CLI, SOCK_SEQPACKET);
	if (self->c < 0)
		return errno;
	err = dag ? set_dag(self->c, dag) : 0;
	if (!err)
		err = bconnect(self->c, &la);
	if (err)
		return err;
	self->a = accept_wait(self->l, CONN_WAIT_MS, 0);
	return self->a < 0 ? -self->a : 0;
}

/* Message SEQ of a stream: its size, and bytes that checksum it. */
static size_t msg_size(uint32_t seq)
{
	return 8 + (seq * 2654435761u >> 7) % (MAXMSG - 8);
}

struct stream {
	int fd, n, err;
	long long got;
};

static void *stream_send(void *p)
{
	struct stream *s = p;
	uint8_t buf[MAXMSG];
	uint32_t seq;
	size_t len;

	for (seq = 0; seq < (uint32_t)s->n && !s->err; seq++) {
		len = msg_size(seq);
		pat_fill(buf, len, seq);
		memcpy(buf, &seq, 4);
		if (send(s->fd, buf, len, 0) != (ssize_t)len)
			s->err = errno ?: EIO;
	}
	return NULL;
}

/* Every message, once, in order, intact. */
static void *stream_recv(void *p)
{
	struct stream *s = p;
	uint8_t buf[MAXMSG + 1];
	uint32_t seq;
	ssize_t n, j;

	for (s->got = 0; s->got < s->n; s->got++) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n < 8) {
			s->err = n < 0 ? errno : EPROTO;
			return NULL;
		}
		memcpy(&seq, buf, 4);
		if (seq != (uint32_t)s->got || (size_t)n != msg_size(seq)) {
			fprintf(stderr, "#   expected message %lld, got %u (%zd bytes)\n",
				s->got, seq, n);
			s->err = EPROTO;
			return NULL;
		}
		for (j = 4; j < n; j++)
			if (buf[j] != pat(seq, j)) {
				s->err = EBADMSG;
				return NULL;
			}
	}
	return NULL;
}

/* N messages each way at once; 0 when both streams arrived whole. */
static int both_ways(struct __test_metadata *_metadata,
		     FIXTURE_DATA(rel) *self, int n)
{
	struct stream snd[2] = { { .fd = self->c, .n = n }, { .fd = self->a, .n = n } };
	struct stream rcv[2] = { { .fd = self->a, .n = n }, { .fd = self->c, .n = n } };
	pthread_t t[4];
	int i;

	EXPECT_EQ(0, sockopt_ms(self->a, SO_RCVTIMEO, 60000));
	EXPECT_EQ(0, sockopt_ms(self->c, SO_RCVTIMEO, 60000));
	for (i = 0; i < 2; i++) {
		pthread_create(&t[i], NULL, stream_recv, &rcv[i]);
		pthread_create(&t[2 + i], NULL, stream_send, &snd[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, snd[i].err) TH_LOG("sender %d: %s", i, strerror(snd[i].err));
		EXPECT_EQ(0, rcv[i].err) TH_LOG("receiver %d: %s after %lld", i,
						strerror(rcv[i].err), rcv[i].got);
	}
	return snd[0].err || snd[1].err || rcv[0].err || rcv[1].err;
}

static void log_counters(struct __test_metadata *_metadata, const char *who, int fd)
{
	struct bertha_stats s = bstats(fd);

	TH_LOG("%s: tx %llu rx %llu retransmits %llu duplicates %llu out-of-order %llu timeouts %llu",
	       who, (unsigned long long)s.tx_messages, (unsigned long long)s.rx_messages,
	       (unsigned long long)s.rel_retransmits, (unsigned long long)s.rel_duplicates,
	       (unsigned long long)s.rel_out_of_order, (unsigned long long)s.rel_timeouts);
}

/* Bound at both ends, on the network path. */
TEST_F_TIMEOUT(rel, binding, 120)
{
	struct binding_buf b;

	ASSERT_EQ(0, rel_pair(self, "reliable"));
	ASSERT_EQ(1, get_binding(self->c, &b));
	EXPECT_EQ(BERTHA_PATH_NETWORK, (int)b.b.path);
	EXPECT_TRUE(node_is(&b, 0, "reliable", "kernel", BERTHA_WHERE_BOTH, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	ASSERT_EQ(1, get_binding(self->a, &b));
	EXPECT_TRUE(node_is(&b, 0, "reliable", "kernel", BERTHA_WHERE_BOTH, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	EXPECT_EQ(0, both_ways(_metadata, self, 200));
	EXPECT_EQ(0, (long long)bstats(self->c).rel_retransmits);
}

/* On the local fast path it is elided: the shortcut is reliable already. */
TEST_F_TIMEOUT(rel, elided_on_local_path, 120)
{
	struct binding_buf b;

	ASSERT_EQ(0, local_path_set_all(&topo, 1));
	ASSERT_EQ(0, rel_pair(self, "reliable"));
	ASSERT_EQ(1, get_binding(self->c, &b));
	EXPECT_EQ(BERTHA_PATH_LOCAL, (int)b.b.path);
	EXPECT_TRUE(node_is(&b, 0, "reliable", "kernel", BERTHA_WHERE_ELIDED, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	ASSERT_EQ(1, get_binding(self->a, &b));
	EXPECT_TRUE(node_is(&b, 0, "reliable", "kernel", BERTHA_WHERE_ELIDED, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	EXPECT_EQ(0, both_ways(_metadata, self, 200));
}

/* Without reliable, the lossy path loses messages: the test can see it. */
TEST_F_TIMEOUT(rel, loss_is_visible_without_reliable, 120)
{
	uint8_t buf[MAXMSG];
	int i, got = 0;

	ASSERT_EQ(0, rel_pair(self, NULL));
	ASSERT_EQ(0, netns_netem(&topo, "loss 10%"));
	for (i = 0; i < 300; i++) {
		pat_fill(buf, 100, i);
		ASSERT_EQ(100, send(self->c, buf, 100, 0));
	}
	ASSERT_EQ(0, sockopt_ms(self->a, SO_RCVTIMEO, 1500));
	while (recv(self->a, buf, sizeof(buf), 0) > 0)
		got++;
	TH_LOG("%d of 300 arrived", got);
	EXPECT_LT(got, 300);
	EXPECT_LT(0, got);
}

static void impaired(struct __test_metadata *_metadata, FIXTURE_DATA(rel) *self,
		     const char *args, int n)
{
	ASSERT_EQ(0, rel_pair(self, "reliable"));
	ASSERT_EQ(0, netns_netem(&topo, args));
	EXPECT_EQ(0, both_ways(_metadata, self, n));
	log_counters(_metadata, "client", self->c);
	log_counters(_metadata, "server", self->a);
	EXPECT_EQ(n, (long long)bstats(self->a).rx_messages);
	EXPECT_EQ(n, (long long)bstats(self->c).rx_messages);
}

TEST_F_TIMEOUT(rel, loss_10, 300)
{
	impaired(_metadata, self, "loss 10%", 1000);
	EXPECT_LT(0, (long long)bstats(self->c).rel_retransmits);
	EXPECT_LT(0, (long long)bstats(self->a).rel_retransmits);
}

TEST_F_TIMEOUT(rel, reorder_25, 300)
{
	impaired(_metadata, self, "delay 4ms reorder 25% 50%", 1000);
	EXPECT_LT(0, (long long)(bstats(self->c).rel_out_of_order +
				 bstats(self->a).rel_out_of_order));
}

TEST_F_TIMEOUT(rel, duplicate_5, 300)
{
	impaired(_metadata, self, "duplicate 5%", 1000);
	EXPECT_LT(0, (long long)(bstats(self->c).rel_duplicates +
				 bstats(self->a).rel_duplicates));
}

TEST_F_TIMEOUT(rel, delay_jitter, 300)
{
	impaired(_metadata, self, "delay 5ms 3ms", 1000);
}

/* Everything at once, 10000 messages each way. */
TEST_F_TIMEOUT(rel, combined_10000, 900)
{
	impaired(_metadata, self,
		 "delay 3ms 2ms loss 10% duplicate 5% reorder 25% 50%", 10000);
	EXPECT_LT(0, (long long)bstats(self->c).rel_retransmits);
}

/* close() right after the last send still delivers everything, then EOF. */
TEST_F_TIMEOUT(rel, close_flushes, 120)
{
	struct stream snd, rcv;
	uint8_t buf[MAXMSG];
	pthread_t t;

	ASSERT_EQ(0, rel_pair(self, "reliable"));
	ASSERT_EQ(0, netns_netem(&topo, "loss 10%"));
	ASSERT_EQ(0, sockopt_ms(self->a, SO_RCVTIMEO, 20000));
	rcv = (struct stream){ .fd = self->a, .n = 300 };
	snd = (struct stream){ .fd = self->c, .n = 300 };
	ASSERT_EQ(0, pthread_create(&t, NULL, stream_recv, &rcv));
	stream_send(&snd);
	EXPECT_EQ(0, snd.err);
	close(self->c);
	self->c = -1;
	pthread_join(t, NULL);
	EXPECT_EQ(0, rcv.err) TH_LOG("after %lld messages: %s", rcv.got, strerror(rcv.err));
	EXPECT_EQ(0, recv(self->a, buf, sizeof(buf), 0));
}

/* The peer vanishes (everything lost): ETIMEDOUT and POLLERR in bounded
 * time, the send buffer given back.
 */
TEST_F_TIMEOUT(rel, peer_vanishes, 120)
{
	uint8_t buf[100] = { 0 };
	long long t0, el;
	int i;

	ASSERT_EQ(0, rel_pair(self, "reliable"));
	ASSERT_EQ(0, netns_netem(&topo, "loss 100%"));
	for (i = 0; i < 20; i++)
		ASSERT_EQ(100, send(self->c, buf, sizeof(buf), 0));
	t0 = now_ms();
	EXPECT_TRUE(poll_fd(self->c, POLLERR, 30000) & POLLERR);
	el = now_ms() - t0;
	TH_LOG("gave up after %lld ms", el);
	EXPECT_LT(el, 20000);
	EXPECT_EQ(ETIMEDOUT, so_error(self->c));
	EXPECT_EQ(-1, send(self->c, buf, sizeof(buf), MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_LT(0, (long long)bstats(self->c).rel_timeouts);
}

/* A reader that does not read: the window fills, the sender's buffer
 * bounds it (EAGAIN), and once it reads everything arrives exactly once.
 */
TEST_F_TIMEOUT(rel, slow_reader_holds_sender_back, 120)
{
	int i, sent = 0, rcvbuf = 8192, sndbuf = 32768;
	uint8_t buf[MAXMSG + 1];
	long long end;

	ASSERT_EQ(0, rel_pair(self, "reliable"));
	ASSERT_EQ(0, setsockopt(self->a, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)));
	end = now_ms() + 10000;
	while (now_ms() < end) {
		pat_fill(buf, 1000, sent);
		if (send(self->c, buf, 1000, MSG_DONTWAIT) == 1000) {
			sent++;
			continue;
		}
		ASSERT_EQ(EAGAIN, errno);
		/* full: the receiver may still be taking what was in flight */
		usleep(200000);
		if (send(self->c, buf, 1000, MSG_DONTWAIT) < 0 && errno == EAGAIN)
			break;
		sent++;
	}
	TH_LOG("%d messages accepted before the sender was held back", sent);
	EXPECT_GT(1000, sent);
	ASSERT_EQ(0, sockopt_ms(self->a, SO_RCVTIMEO, 20000));
	for (i = 0; i < sent; i++) {
		ASSERT_EQ(1000, recv(self->a, buf, sizeof(buf), 0)) TH_LOG("message %d", i);
		ASSERT_EQ(-1, pat_check(buf, 1000, i)) TH_LOG("message %d", i);
	}
	EXPECT_EQ(-1, recv(self->a, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

/* SOCK_DGRAM: a reliable server socket and a client socket, negotiated. */
struct dg_pair {
	int s, c;
	struct sockaddr_bertha sa, ca;
};

static int dg_sendto(int fd, const void *buf, size_t len, int flags,
		     const struct sockaddr_bertha *to)
{
	return sendto(fd, buf, len, flags, (const struct sockaddr *)to,
		      sizeof(*to));
}

static int dg_open(struct dg_pair *p)
{
	struct sockaddr_bertha a = sbe(AF_INET, SIP, 0);

	p->s = bsock(SRV, SOCK_DGRAM);
	p->c = bsock(CLI, SOCK_DGRAM);
	if (p->s < 0 || p->c < 0 || set_dag(p->s, "reliable") ||
	    set_dag(p->c, "reliable") || bbind(p->s, &a) ||
	    sockopt_ms(p->s, SO_RCVTIMEO, 60000) ||
	    sockopt_ms(p->c, SO_RCVTIMEO, 60000) ||
	    sockopt_ms(p->c, SO_SNDTIMEO, 60000) ||
	    sockopt_ms(p->s, SO_SNDTIMEO, 60000))
		return -1;
	p->sa = bname(p->s);
	return 0;
}

static void dg_close(struct dg_pair *p)
{
	if (p->c >= 0)
		close(p->c);
	if (p->s >= 0)
		close(p->s);
}

struct dg_stream {
	int fd, n, err;
	struct sockaddr_bertha to, from;
	long long got;
};

static void *dg_send(void *arg)
{
	struct dg_stream *d = arg;
	uint8_t buf[MAXMSG];
	uint32_t seq;
	size_t len;

	for (seq = 0; seq < (uint32_t)d->n && !d->err; seq++) {
		len = msg_size(seq);
		pat_fill(buf, len, seq);
		memcpy(buf, &seq, 4);
		if (dg_sendto(d->fd, buf, len, 0, &d->to) != (int)len)
			d->err = errno ?: EIO;
	}
	return NULL;
}

static int dg_intact(const uint8_t *buf, ssize_t n, uint32_t seq)
{
	ssize_t j;

	for (j = 4; j < n; j++)
		if (buf[j] != pat(seq, j))
			return 0;
	return 1;
}

/* Every message once, in order, intact, from the one peer. */
static void *dg_recv(void *arg)
{
	struct dg_stream *d = arg;
	struct sockaddr_bertha from;
	uint8_t buf[MAXMSG + 1];
	socklen_t alen;
	uint32_t seq;
	ssize_t n;

	for (d->got = 0; d->got < d->n; d->got++) {
		alen = sizeof(from);
		n = recvfrom(d->fd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &alen);
		if (n < 8) {
			d->err = n < 0 ? errno : EPROTO;
			return NULL;
		}
		if (!d->got)
			d->from = from;
		memcpy(&seq, buf, 4);
		if (seq != (uint32_t)d->got || (size_t)n != msg_size(seq) ||
		    !dg_intact(buf, n, seq) ||
		    !sbe_equal(&from, &d->from)) {
			fprintf(stderr, "#   expected message %lld, got %u (%zd bytes)\n",
				d->got, seq, n);
			d->err = EPROTO;
			return NULL;
		}
	}
	return NULL;
}

/* N messages client -> server, then N back to the address they came
 * from, under netem ARGS; 0 when both arrived whole.
 */
static int dg_both_ways(struct __test_metadata *_metadata, struct dg_pair *p,
			const char *args, int n)
{
	struct dg_stream up = { .fd = p->c, .n = n, .to = p->sa };
	struct dg_stream in = { .fd = p->s, .n = n };
	struct dg_stream down = { .fd = p->s, .n = n };
	struct dg_stream back = { .fd = p->c, .n = n };
	struct binding_buf b;
	socklen_t len;
	pthread_t t;
	int one = 1;

	/* negotiate first, then impair */
	EXPECT_EQ(4, dg_sendto(p->c, &one, 4, 0, &p->sa));
	EXPECT_EQ(4, recvfrom(p->s, &one, sizeof(one), 0, NULL, NULL));
	EXPECT_EQ(0, netns_netem(&topo, args));
	pthread_create(&t, NULL, dg_recv, &in);
	dg_send(&up);
	pthread_join(t, NULL);
	EXPECT_EQ(0, up.err) TH_LOG("client send: %s", strerror(up.err));
	EXPECT_EQ(0, in.err) TH_LOG("server receive: %s after %lld",
				    strerror(in.err), in.got);
	if (up.err || in.err)
		return -1;
	down.to = in.from;
	pthread_create(&t, NULL, dg_recv, &back);
	dg_send(&down);
	pthread_join(t, NULL);
	EXPECT_EQ(0, down.err) TH_LOG("server send: %s", strerror(down.err));
	EXPECT_EQ(0, back.err) TH_LOG("client receive: %s after %lld",
				      strerror(back.err), back.got);
	EXPECT_TRUE(sbe_equal(&back.from, &p->sa));

	/* the peer at each end has reliable bound */
	memset(&b, 0, sizeof(b));
	memcpy(&b, &p->sa, sizeof(p->sa));
	len = sizeof(b);
	EXPECT_EQ(0, getsockopt(p->c, SOL_BERTHA, BERTHA_BINDING, &b, &len));
	EXPECT_TRUE(node_is(&b, 0, "reliable", "kernel", BERTHA_WHERE_BOTH, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	memset(&b, 0, sizeof(b));
	memcpy(&b, &in.from, sizeof(in.from));
	len = sizeof(b);
	EXPECT_EQ(0, getsockopt(p->s, SOL_BERTHA, BERTHA_BINDING, &b, &len));
	EXPECT_TRUE(node_is(&b, 0, "reliable", "kernel", BERTHA_WHERE_BOTH, 0,
			    BERTHA_SCOPE_APPLICATION, 0));
	return down.err || back.err;
}

/* A SOCK_DGRAM peer under loss, duplication and reordering: exactly once,
 * in order, both ways; the counters show the recovery.
 */
TEST_F_TIMEOUT(rel, dgram_peer_impaired, 300)
{
	struct dg_pair p = { .s = -1, .c = -1 };

	ASSERT_EQ(0, dg_open(&p));
	EXPECT_EQ(0, dg_both_ways(_metadata, &p,
				  "delay 2ms loss 10% duplicate 5% reorder 25% 50%",
				  500));
	log_counters(_metadata, "client", p.c);
	log_counters(_metadata, "server", p.s);
	EXPECT_EQ(501, (long long)bstats(p.s).rx_messages);
	EXPECT_EQ(500, (long long)bstats(p.c).rx_messages);
	EXPECT_LT(0, (long long)bstats(p.c).rel_retransmits);
	EXPECT_LT(0, (long long)bstats(p.s).rel_retransmits);
	EXPECT_LT(0, (long long)(bstats(p.c).rel_duplicates +
				 bstats(p.s).rel_duplicates));
	EXPECT_LT(0, (long long)(bstats(p.c).rel_out_of_order +
				 bstats(p.s).rel_out_of_order));
	dg_close(&p);
}

/* A SOCK_DGRAM peer that vanishes: a later sendto() to it fails with
 * ETIMEDOUT in bounded time; after that the next one negotiates afresh.
 */
TEST_F_TIMEOUT(rel, dgram_peer_vanishes, 120)
{
	struct dg_pair p = { .s = -1, .c = -1 };
	uint8_t buf[100] = { 0 };
	long long t0, el;
	int i, rc = 0;

	ASSERT_EQ(0, dg_open(&p));
	ASSERT_EQ(100, dg_sendto(p.c, buf, 100, 0, &p.sa));
	ASSERT_EQ(100, recv(p.s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, netns_netem(&topo, "loss 100%"));
	for (i = 0; i < 20; i++)
		ASSERT_EQ(100, dg_sendto(p.c, buf, 100, 0, &p.sa));
	t0 = now_ms();
	while (now_ms() - t0 < 30000) {
		rc = dg_sendto(p.c, buf, 100, MSG_DONTWAIT, &p.sa);
		if (rc < 0)
			break;
		usleep(200000);
	}
	el = now_ms() - t0;
	TH_LOG("gave up after %lld ms", el);
	EXPECT_EQ(-1, rc);
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LT(el, 25000);
	EXPECT_LT(0, (long long)bstats(p.c).rel_timeouts);
	/* the socket itself carries on */
	EXPECT_EQ(0, so_error(p.c));
	ASSERT_EQ(0, netns_netem(&topo, NULL));
	EXPECT_EQ(100, dg_sendto(p.c, buf, 100, 0, &p.sa));
	EXPECT_EQ(2, (long long)bstats(p.c).negotiations_accepted);
	dg_close(&p);
}

int main(int argc, char **argv)
{
	int rc = netns_setup(&topo, "rl", 1);

	if (rc)
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	return test_harness_run(argc, argv);
}
