// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BERTHA sockets driven through io_uring (liburing): IORING_OP_ACCEPT,
 * CONNECT, SEND, RECV, SENDMSG and RECVMSG complete with the data and
 * results the system calls give, a receive posted before its message
 * arrives completes when it does (io_uring waits on the socket's poll),
 * end of stream completes a pending receive with 0, IORING_OP_ASYNC_CANCEL
 * cancels one, and closing the socket and the ring with a receive still
 * pending leaves no socket behind (the module's reference count returns to
 * where it was). On the network path and on the local shortcut.
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <stdio.h>

#include "kselftest_harness.h"
#include "netns.h"
#include "conn.h"

static struct netns_topo topo;
static long refs_idle;		/* the module's references with no socket */

#define SRV	(topo.server_fd)
#define CLI	(topo.client_fd[0])
#define SIP	"10.77.0.1"

/* The module's references: one per socket, among others. -1 if unknown. */
static long module_refs(void)
{
	FILE *f = fopen("/sys/module/bertha/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

FIXTURE(uring) {
	struct io_uring ring;
	int l, c, a;
	char buf[4096];
};

FIXTURE_VARIANT(uring) {
	int local;
};

FIXTURE_VARIANT_ADD(uring, network) { .local = 0 };
FIXTURE_VARIANT_ADD(uring, local) { .local = 1 };

/* Submit what is queued and wait up to MS for one completion; its res
 * and user_data, or -ETIME with *data 0 on timeout.
 */
static int complete(struct io_uring *ring, int ms, uint64_t *data)
{
	struct __kernel_timespec ts = { .tv_sec = ms / 1000,
					.tv_nsec = (ms % 1000) * 1000000LL };
	struct io_uring_cqe *cqe;
	int res;

	*data = 0;
	io_uring_submit(ring);
	if (io_uring_wait_cqe_timeout(ring, &cqe, &ts))
		return -ETIME;
	res = cqe->res;
	*data = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static struct io_uring_sqe *sqe_for(struct io_uring *ring, uint64_t data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	io_uring_sqe_set_data64(sqe, data);
	return sqe;
}

/* The listener and client, connected through io_uring: an ACCEPT posted
 * before the CONNECT, both completing.
 */
FIXTURE_SETUP(uring)
{
	struct sockaddr_bertha la;
	uint64_t data;
	int i, res;

	self->l = self->c = self->a = -1;
	ASSERT_EQ(0, local_path_set_all(&topo, variant->local));
	ASSERT_EQ(0, io_uring_queue_init(8, &self->ring, 0));
	self->l = make_listener(SRV, AF_INET, SIP, NULL, 4);
	ASSERT_LE(0, self->l);
	la = bname(self->l);
	self->c = bsock(CLI, SOCK_SEQPACKET);
	ASSERT_LE(0, self->c);

	io_uring_prep_accept(sqe_for(&self->ring, 1), self->l, NULL, NULL,
			     SOCK_CLOEXEC);
	io_uring_prep_connect(sqe_for(&self->ring, 2), self->c,
			      (struct sockaddr *)&la, sizeof(la));
	for (i = 0; i < 2; i++) {
		res = complete(&self->ring, CONN_WAIT_MS, &data);
		if (data == 1) {
			self->a = res;
		} else {
			ASSERT_EQ(0, res) TH_LOG("connect: %s", strerror(-res));
		}
	}
	ASSERT_LE(0, self->a) TH_LOG("accept: %s", strerror(-self->a));
	ASSERT_EQ(variant->local ? BERTHA_PATH_LOCAL : BERTHA_PATH_NETWORK,
		  conn_path(self->c));
}

FIXTURE_TEARDOWN(uring)
{
	io_uring_queue_exit(&self->ring);
	if (self->a >= 0)
		close(self->a);
	if (self->c >= 0)
		close(self->c);
	if (self->l >= 0)
		close(self->l);
}

/* A RECV posted first completes with the message a later SEND carries. */
TEST_F(uring, send_recv)
{
	char msg[1000];
	uint64_t data;
	uint64_t got = 0;
	int i, res;

	pat_fill(msg, sizeof(msg), 7);
	io_uring_prep_recv(sqe_for(&self->ring, 1), self->a, self->buf,
			   sizeof(self->buf), 0);
	ASSERT_EQ(-ETIME, complete(&self->ring, 100, &data));
	io_uring_prep_send(sqe_for(&self->ring, 2), self->c, msg, sizeof(msg), 0);
	for (i = 0; i < 2; i++) {
		res = complete(&self->ring, CONN_WAIT_MS, &data);
		ASSERT_EQ((int)sizeof(msg), res) TH_LOG("op %llu", (unsigned long long)data);
		got |= data;
	}
	EXPECT_EQ(3u, got);
	EXPECT_EQ(-1, pat_check(self->buf, sizeof(msg), 7));
}

/* SENDMSG and RECVMSG: the boundaries, and MSG_TRUNC in msg_flags of a
 * short buffer.
 */
TEST_F(uring, sendmsg_recvmsg)
{
	char msg[300], small[100];
	struct iovec siov = { .iov_base = msg, .iov_len = sizeof(msg) };
	struct iovec riov = { .iov_base = small, .iov_len = sizeof(small) };
	struct msghdr sm = { .msg_iov = &siov, .msg_iovlen = 1 };
	struct msghdr rm = { .msg_iov = &riov, .msg_iovlen = 1 };
	uint64_t data;

	pat_fill(msg, sizeof(msg), 9);
	io_uring_prep_sendmsg(sqe_for(&self->ring, 1), self->a, &sm, 0);
	ASSERT_EQ((int)sizeof(msg), complete(&self->ring, CONN_WAIT_MS, &data));
	io_uring_prep_recvmsg(sqe_for(&self->ring, 2), self->c, &rm, 0);
	ASSERT_EQ((int)sizeof(small), complete(&self->ring, CONN_WAIT_MS, &data));
	EXPECT_EQ(2u, data);
	EXPECT_TRUE(rm.msg_flags & MSG_TRUNC);
	EXPECT_EQ(-1, pat_check(small, sizeof(small), 9));
}

/* A pending RECV completes with 0 when the peer closes, and so does the
 * next one: end of stream, as recv(2) reads it.
 */
TEST_F(uring, eof_completes_pending_recv)
{
	uint64_t data;

	io_uring_prep_recv(sqe_for(&self->ring, 1), self->a, self->buf,
			   sizeof(self->buf), 0);
	ASSERT_EQ(-ETIME, complete(&self->ring, 100, &data));
	close(self->c);
	self->c = -1;
	EXPECT_EQ(0, complete(&self->ring, CONN_WAIT_MS, &data));
	EXPECT_EQ(1u, data);
	io_uring_prep_recv(sqe_for(&self->ring, 2), self->a, self->buf,
			   sizeof(self->buf), MSG_DONTWAIT);
	EXPECT_EQ(0, complete(&self->ring, CONN_WAIT_MS, &data));
}

/* IORING_OP_ASYNC_CANCEL ends a pending RECV with -ECANCELED; a message
 * sent afterwards is still there for the next one.
 */
TEST_F(uring, cancel_pending_recv)
{
	uint64_t data;
	int i, res;

	io_uring_prep_recv(sqe_for(&self->ring, 1), self->a, self->buf,
			   sizeof(self->buf), 0);
	ASSERT_EQ(-ETIME, complete(&self->ring, 100, &data));
	io_uring_prep_cancel64(sqe_for(&self->ring, 2), 1, 0);
	for (i = 0; i < 2; i++) {
		res = complete(&self->ring, CONN_WAIT_MS, &data);
		if (data == 1) {
			EXPECT_EQ(-ECANCELED, res);
		} else {
			EXPECT_EQ(0, res);
		}
	}
	ASSERT_EQ(5, send(self->c, "hello", 5, 0));
	io_uring_prep_recv(sqe_for(&self->ring, 3), self->a, self->buf,
			   sizeof(self->buf), 0);
	EXPECT_EQ(5, complete(&self->ring, CONN_WAIT_MS, &data));
	EXPECT_EQ(0, memcmp(self->buf, "hello", 5));
}

/* Closing the socket and then the ring with a RECV pending on it frees
 * the socket: the module's references come back to where they were
 * before any socket was opened.
 */
TEST_F(uring, close_with_pending_recv)
{
	long end = now_ms() + CONN_WAIT_MS;
	uint64_t data;

	ASSERT_LT(refs_idle, module_refs());
	io_uring_prep_recv(sqe_for(&self->ring, 1), self->a, self->buf,
			   sizeof(self->buf), 0);
	ASSERT_EQ(-ETIME, complete(&self->ring, 100, &data));
	close(self->a);
	close(self->c);
	close(self->l);
	self->a = self->c = self->l = -1;
	io_uring_queue_exit(&self->ring);
	/* the ring's teardown and the sockets' release run in a worker */
	while (module_refs() > refs_idle && now_ms() < end)
		usleep(10000);
	EXPECT_EQ(refs_idle, module_refs());
	ASSERT_EQ(0, io_uring_queue_init(8, &self->ring, 0));
}

int main(int argc, char **argv)
{
	if (netns_setup(&topo, "ur", 1))
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	refs_idle = module_refs();
	if (refs_idle < 0) {
		printf("# /sys/module/bertha/refcnt is unreadable\n");
		return KSFT_FAIL;
	}
	return test_harness_run(argc, argv);
}
