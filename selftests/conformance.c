// SPDX-License-Identifier: GPL-2.0
/*
 * Differential conformance: the same sequences of socket calls run against
 * AF_UNIX SOCK_SEQPACKET (the reference) and against AF_BERTHA on each path
 * (the network over veth, IPv4 and IPv6; the local shortcut across
 * namespaces; the local shortcut within one namespace), and what each call
 * returned is compared step by step: return value, errno, the data's hash,
 * msg_flags, and after every step the poll(2) bits, the level-triggered
 * epoll bits of every open socket and the edge-triggered epoll events
 * (bertha must report every edge AF_UNIX reports; an extra wake-up is
 * allowed, as epoll(7) allows it).
 *
 * Scripted sequences cover setup, each send and recv flag, end of stream
 * after close and shutdown in every read mode, shutdown each way, close
 * with data queued on either side, the timeouts, signals (EINTR, SIGPIPE),
 * FIONREAD/SIOCOUTQ, the names and back-pressure; seeded random sequences
 * mix sends, receives, shutdowns and closes (the seed is printed;
 * `make check-stock CONFORMANCE_SEED=N` replays one, CONFORMANCE_ROUNDS=N
 * runs N instead of 12). Every difference is either in the list
 * of documented differences below (Documentation/bertha.rst, "Socket
 * semantics") or fails the test; a listed difference that no longer shows
 * fails it too, so the list cannot go stale.
 *
 * The network path may take a moment to deliver: after a step that
 * sends, shuts down or closes, the harness waits (bounded) until the
 * peer's counters or poll bits show it arrived, never a fixed sleep.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "netns.h"
#include "conn.h"

static struct netns_topo topo;

#define SRV_NS	(topo.server_fd)
#define CLI_NS	(topo.client_fd[0])

enum path { P_UNIX, P_NET4, P_NET6, P_LOCAL_NS, P_LOCAL_SAME, P_MAX };

static const char *const path_name[P_MAX] = {
	"unix", "net4", "net6", "local-netns", "local-same-netns",
};

#define NET	((1u << P_NET4) | (1u << P_NET6))
#define LOCAL	((1u << P_LOCAL_NS) | (1u << P_LOCAL_SAME))
#define BERTHA	(NET | LOCAL)

enum role { L, C, A, NROLES };

static const char role_name[NROLES] = { 'L', 'C', 'A' };

enum op {
	OP_END, OP_LSOCK, OP_BIND, OP_LISTEN, OP_CSOCK, OP_CONNECT, OP_WAITCONN,
	OP_ACCEPT, OP_SEND, OP_RECV, OP_SHUT, OP_CLOSE, OP_SOERR, OP_NAME, OP_PEER,
	OP_INQ, OP_OUTQ, OP_RCVTIMEO, OP_SNDTIMEO, OP_RCVLOWAT, OP_NONBLOCK,
	OP_RECV_INTR, OP_FILL, OP_DRAIN,
};

static const char *const op_name[] = {
	[OP_END] = "end", [OP_LSOCK] = "socket", [OP_BIND] = "bind",
	[OP_LISTEN] = "listen", [OP_CSOCK] = "socket", [OP_CONNECT] = "connect",
	[OP_WAITCONN] = "poll-connect", [OP_ACCEPT] = "accept4",
	[OP_SEND] = "send", [OP_RECV] = "recv", [OP_SHUT] = "shutdown",
	[OP_CLOSE] = "close", [OP_SOERR] = "SO_ERROR", [OP_NAME] = "getsockname",
	[OP_PEER] = "getpeername", [OP_INQ] = "FIONREAD", [OP_OUTQ] = "SIOCOUTQ",
	[OP_RCVTIMEO] = "SO_RCVTIMEO", [OP_SNDTIMEO] = "SO_SNDTIMEO",
	[OP_RCVLOWAT] = "SO_RCVLOWAT", [OP_NONBLOCK] = "O_NONBLOCK",
	[OP_RECV_INTR] = "recv+SIGALRM", [OP_FILL] = "send-until-full",
	[OP_DRAIN] = "recv-until-empty",
};

/* One call: OP on socket WHO with argument A (length, backlog, how,
 * milliseconds, on/off) and FLAGS (send/recv/accept4 flags).
 */
struct step {
	enum op op;
	enum role who;
	int a;
	int flags;
};

#define MAX_STEPS	64
#define OBS_LEN		200

/* Everything one sequence observed on one path. */
struct trace {
	int n;
	char obs[MAX_STEPS][OBS_LEN];
	unsigned int et[MAX_STEPS][NROLES];	/* edge-triggered events */
	unsigned int lvl[MAX_STEPS][NROLES];	/* poll bits; 0: closed */
};

/* One run of a sequence on one path. */
struct side {
	enum path path;
	int nsl, nsc;			/* the listener's and client's netns */
	int fd[NROLES], lt[NROLES], et[NROLES];
	uint32_t sent[NROLES];		/* messages sent: the pattern's seed */
	struct sockaddr_storage laddr;	/* the listener's, after bind */
	socklen_t laddr_len;
};

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static const char *err_name(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "0";
	case EAGAIN: return "EAGAIN";
	case EINPROGRESS: return "EINPROGRESS";
	case EINTR: return "EINTR";
	case EINVAL: return "EINVAL";
	case ENOTCONN: return "ENOTCONN";
	case EISCONN: return "EISCONN";
	case EPIPE: return "EPIPE";
	case ECONNRESET: return "ECONNRESET";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOTTY: return "ENOTTY";
	case EBADF: return "EBADF";
	case EALREADY: return "EALREADY";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case ETIMEDOUT: return "ETIMEDOUT";
	}
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static void bits_str(char *buf, size_t len, unsigned int ev)
{
	static const struct { unsigned int bit; const char *name; } b[] = {
		{ POLLIN, "IN" }, { POLLPRI, "PRI" }, { POLLOUT, "OUT" },
		{ POLLERR, "ERR" }, { POLLHUP, "HUP" }, { POLLRDHUP, "RDHUP" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(b) / sizeof(b[0]) && n < len; i++)
		if (ev & b[i].bit)
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "",
				      b[i].name);
	if (!n)
		snprintf(buf, len, "-");
}

static uint32_t fnv(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static enum role peer_of(enum role r)
{
	return r == C ? A : r == A ? C : NROLES;
}

static int side_sock(struct side *s, int nsfd)
{
	if (s->path == P_UNIX)
		return socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	return bsock(nsfd, SOCK_SEQPACKET);
}

/* Watch FD as role R: a level- and an edge-triggered epoll set, and
 * generous timeouts so that a blocking call cannot hang the test.
 */
static void role_open(struct side *s, enum role r, int fd)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP,
	};

	s->fd[r] = fd;
	if (fd < 0)
		return;
	sockopt_ms(fd, SO_RCVTIMEO, 500);
	sockopt_ms(fd, SO_SNDTIMEO, 500);
	s->lt[r] = epoll_create1(EPOLL_CLOEXEC);
	s->et[r] = epoll_create1(EPOLL_CLOEXEC);
	epoll_ctl(s->lt[r], EPOLL_CTL_ADD, fd, &ev);
	ev.events |= EPOLLET;
	epoll_ctl(s->et[r], EPOLL_CTL_ADD, fd, &ev);
}

static void role_close(struct side *s, enum role r)
{
	if (s->fd[r] < 0)
		return;
	close(s->fd[r]);
	close(s->lt[r]);
	close(s->et[r]);
	s->fd[r] = s->lt[r] = s->et[r] = -1;
}

static unsigned int epoll_bits(int ep)
{
	struct epoll_event ev;

	return epoll_wait(ep, &ev, 1, 0) == 1 ? ev.events : 0;
}

/* The peer's messages so far, delivered or dropped; -1 if unreadable. */
static long long peer_rx(struct side *s, enum role r)
{
	struct bertha_stats st;

	if (r == NROLES || s->fd[r] < 0 || bstats_read(s->fd[r], &st))
		return -1;
	return (long long)(st.rx_messages + st.rx_dropped);
}

/* Wait up to MS until role R's poll bits include EVENTS. */
static void wait_bits(struct side *s, enum role r, short events, int ms)
{
	long long end = now_ms() + ms;

	while (s->fd[r] >= 0 && !(poll_fd(s->fd[r], events, 0) & events) &&
	       now_ms() < end)
		usleep(2000);
}

static void side_bind_addr(struct side *s, struct sockaddr_storage *ss,
			   socklen_t *len, int seq)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	struct sockaddr_bertha *b = (struct sockaddr_bertha *)ss;

	memset(ss, 0, sizeof(*ss));
	if (s->path == P_UNIX) {
		/* abstract: nothing to clean up in the file system */
		un->sun_family = AF_UNIX;
		*len = offsetof(struct sockaddr_un, sun_path) + 1 +
		       snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
				"bconf.%d.%d", getpid(), seq);
		return;
	}
	*b = s->path == P_NET6 ? sbe(AF_INET6, "fd77:0::1", 0) :
				 sbe(AF_INET, "10.77.0.1", 0);
	*len = sizeof(*b);
}

/* An address is "set" once it names something beyond its family. */
static int addr_set(const struct side *s, const struct sockaddr_storage *ss,
		    socklen_t len)
{
	if (s->path == P_UNIX)
		return len > sizeof(sa_family_t);
	return ((const struct sockaddr_bertha *)ss)->sbe_port != 0;
}

#define OUT(...) (n += snprintf(o + n, OBS_LEN - n, __VA_ARGS__))

/* Run one step on S; what it returned goes into O. */
static void step_run(struct side *s, const struct step *st, char *o, int seq)
{
	static uint8_t buf[BERTHA_MSG_MAX];
	int fd = s->fd[st->who], n = 0, v, e;
	enum role peer = peer_of(st->who);
	long long before = -1;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	ssize_t ret = 0;

	if (st->op != OP_LSOCK && st->op != OP_CSOCK && fd < 0) {
		OUT("closed");
		return;
	}
	errno = 0;
	switch (st->op) {
	case OP_END:
		break;
	case OP_LSOCK:
	case OP_CSOCK:
		fd = side_sock(s, st->op == OP_LSOCK ? s->nsl : s->nsc);
		OUT("%s", fd < 0 ? err_name(errno) : "fd");
		role_open(s, st->who, fd);
		break;
	case OP_BIND:
		side_bind_addr(s, &s->laddr, &s->laddr_len, seq);
		ret = bind(fd, (struct sockaddr *)&s->laddr, s->laddr_len);
		OUT("%zd %s", ret, err_name(ret ? errno : 0));
		if (!ret && s->path != P_UNIX) {
			s->laddr_len = sizeof(s->laddr);
			getsockname(fd, (struct sockaddr *)&s->laddr, &s->laddr_len);
		}
		break;
	case OP_LISTEN:
		ret = listen(fd, st->a);
		OUT("%zd %s", ret, err_name(ret ? errno : 0));
		break;
	case OP_CONNECT:
		if (st->flags)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		ret = connect(fd, (struct sockaddr *)&s->laddr, s->laddr_len);
		OUT("%zd %s", ret, err_name(ret ? errno : 0));
		break;
	case OP_WAITCONN:
		v = poll_fd(fd, POLLOUT, 3000);
		e = so_error(fd);
		bits_str(o, OBS_LEN, v);
		n = strlen(o);
		OUT(" soerr=%s", err_name(e));
		break;
	case OP_ACCEPT:
		if (st->a)
			poll_fd(fd, POLLIN, 3000);
		v = accept4(fd, NULL, NULL, st->flags);
		if (v < 0) {
			OUT("-1 %s", err_name(errno));
			break;
		}
		OUT("fd nonblock=%d cloexec=%d", !!(fcntl(v, F_GETFL) & O_NONBLOCK),
		    !!(fcntl(v, F_GETFD) & FD_CLOEXEC));
		role_close(s, A);
		role_open(s, A, v);
		break;
	case OP_SEND:
		pat_fill(buf, st->a, st->who * 1000003u + s->sent[st->who]);
		before = peer_rx(s, peer);
		v = sigpipes;
		ret = send(fd, buf, st->a, st->flags);
		e = ret < 0 ? errno : 0;
		OUT("%zd %s sigpipe=%d", ret, err_name(e), (int)(sigpipes - v));
		if (ret >= 0)
			s->sent[st->who]++;
		/* the network path delivers after a moment */
		if (ret >= 0 && s->path != P_UNIX && peer < NROLES &&
		    s->fd[peer] >= 0) {
			long long end = now_ms() + 3000;

			while (peer_rx(s, peer) <= before && now_ms() < end)
				usleep(2000);
		}
		break;
	case OP_RECV: {
		struct iovec iov = { .iov_base = buf, .iov_len = st->a };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

		ret = recvmsg(fd, &m, st->flags);
		e = ret < 0 ? errno : 0;
		OUT("%zd %s mflags=%s%s", ret, err_name(e),
		    m.msg_flags & MSG_TRUNC ? "TRUNC" : "-",
		    m.msg_flags & MSG_EOR ? "|EOR" : "");
		if (ret > 0)
			OUT(" data=%08x", fnv(buf, ret < st->a ? ret : st->a));
		break;
	}
	case OP_SHUT:
		/* a peer that shut down its own receiving side shows RDHUP
		 * already: then what this end's CLOSE brings is HUP
		 */
		v = peer < NROLES && s->fd[peer] >= 0 &&
		    (poll_fd(s->fd[peer], POLLRDHUP, 0) & POLLRDHUP) ?
		    POLLHUP : POLLRDHUP;
		ret = shutdown(fd, st->a);
		OUT("%zd %s", ret, err_name(ret ? errno : 0));
		if (!ret && st->a != SHUT_RD && peer < NROLES && s->path != P_UNIX)
			wait_bits(s, peer, v == POLLHUP && st->a == SHUT_WR ?
				  POLLRDHUP : v, v == POLLHUP ? 300 : 3000);
		/* nothing in the peer's poll bits says its sends fail now:
		 * give the network path's CLOSE a moment to arrive
		 */
		else if (!ret && peer < NROLES && s->fd[peer] >= 0 &&
			 (s->path == P_NET4 || s->path == P_NET6))
			usleep(100000);
		break;
	case OP_CLOSE:
		/* The CLOSE shuts both of the peer's sides (POLLHUP) and, with
		 * messages left unread, resets it (POLLERR, set first): wait
		 * for what it brings. A peer showing HUP already can only
		 * gain ERR; with no bytes unread (zero-length messages count
		 * none) give it a moment only.
		 */
		v = 0;
		if (s->path != P_UNIX && ioctl(fd, FIONREAD, &v))
			v = 0;
		e = peer < NROLES && s->fd[peer] >= 0 &&
		    (poll_fd(s->fd[peer], POLLHUP, 0) & POLLHUP);
		role_close(s, st->who);
		OUT("0");
		if (peer < NROLES && s->path != P_UNIX)
			wait_bits(s, peer, v > 0 || e ? POLLERR : POLLHUP,
				  v > 0 || !e ? 3000 : 300);
		/* a listener's close resets the clients it had not handed
		 * out: give the network path a moment to say so
		 */
		if (st->who == L && s->path != P_UNIX && s->fd[C] >= 0 &&
		    s->fd[A] < 0)
			wait_bits(s, C, POLLRDHUP, 300);
		break;
	case OP_SOERR:
		OUT("%s", err_name(so_error(fd)));
		break;
	case OP_NAME:
	case OP_PEER:
		ret = st->op == OP_NAME ? getsockname(fd, (struct sockaddr *)&ss, &len) :
					 getpeername(fd, (struct sockaddr *)&ss, &len);
		OUT("%zd %s", ret, err_name(ret ? errno : 0));
		if (!ret)
			OUT(" family=%s set=%d", ss.ss_family == AF_UNIX ||
			    ss.ss_family == bertha_family() ? "ok" : "wrong",
			    addr_set(s, &ss, len));
		if (!ret && st->op == OP_PEER && st->who == C)
			OUT(" listener=%d", len == s->laddr_len &&
			    !memcmp(&ss, &s->laddr, len));
		break;
	case OP_INQ:
	case OP_OUTQ:
		v = -1;
		ret = ioctl(fd, st->op == OP_INQ ? FIONREAD : SIOCOUTQ, &v);
		OUT("%zd %s", ret, err_name(ret ? errno : 0));
		if (!ret && st->op == OP_INQ)
			OUT(" bytes=%d", v);
		else if (!ret)
			OUT(" queued=%s", v > 0 ? "yes" : "no");
		break;
	case OP_RCVTIMEO:
	case OP_SNDTIMEO:
		v = sockopt_ms(fd, st->op == OP_RCVTIMEO ? SO_RCVTIMEO : SO_SNDTIMEO,
			       st->a);
		OUT("%s", err_name(v));
		break;
	case OP_RCVLOWAT:
		v = st->a;
		ret = setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof(v));
		OUT("%zd %s", ret, err_name(ret ? errno : 0));
		len = sizeof(v);
		v = -1;
		getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &v, &len);
		OUT(" reads=%d", v);
		break;
	case OP_NONBLOCK:
		v = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, st->a ? v | O_NONBLOCK : v & ~O_NONBLOCK);
		OUT("0");
		break;
	case OP_RECV_INTR:
		arm_signal(100);
		ret = recv(fd, buf, sizeof(buf), st->flags);
		e = ret < 0 ? errno : 0;
		disarm_signal();
		OUT("%zd %s signals=%d", ret, err_name(e), (int)conn_signals);
		break;
	case OP_FILL:
		/* Until the send buffer says no; how many fit differs with
		 * buffer accounting, so only the way it ends is compared.
		 */
		for (v = 0; v < 4096; v++) {
			pat_fill(buf, st->a, st->who * 1000003u + s->sent[st->who]);
			ret = send(fd, buf, st->a, st->flags | MSG_NOSIGNAL);
			if (ret < 0)
				break;
			s->sent[st->who]++;
		}
		OUT("%s", v == 4096 ? "never-full" : err_name(errno));
		break;
	case OP_DRAIN:
		for (v = 0; v < 8192; v++)
			if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
				break;
		OUT("%s", v ? "drained" : "empty");
		if (s->path != P_UNIX && peer < NROLES)
			wait_bits(s, peer, POLLOUT, 3000);
		break;
	}
}

/* The state after a step: every open socket's poll and epoll bits. */
static void snapshot(struct side *s, struct trace *t)
{
	char *o = t->obs[t->n], pb[40], eb[40];
	size_t n = strlen(o);
	int r;

	for (r = 0; r < NROLES; r++) {
		t->et[t->n][r] = t->lvl[t->n][r] = 0;
		if (s->fd[r] < 0)
			continue;
		t->lvl[t->n][r] = poll_fd(s->fd[r], POLLIN | POLLOUT | POLLPRI |
					  POLLRDHUP, 0);
		bits_str(pb, sizeof(pb), t->lvl[t->n][r]);
		bits_str(eb, sizeof(eb), epoll_bits(s->lt[r]));
		t->et[t->n][r] = epoll_bits(s->et[r]);
		n += snprintf(o + n, OBS_LEN - n, " | %c poll=%s epoll=%s",
			      role_name[r], pb, eb);
	}
}

static void run_seq(enum path path, const struct step *steps, struct trace *t,
		    int seq)
{
	struct side s = { .path = path, .nsl = SRV_NS, .nsc = CLI_NS };
	int r, i;

	if (path == P_LOCAL_SAME)
		s.nsc = s.nsl;
	for (r = 0; r < NROLES; r++)
		s.fd[r] = s.lt[r] = s.et[r] = -1;
	memset(t, 0, sizeof(*t));
	for (i = 0; steps[i].op != OP_END && i < MAX_STEPS; i++) {
		step_run(&s, &steps[i], t->obs[i], seq);
		t->n = i;
		snapshot(&s, t);
	}
	t->n = i;
	for (r = 0; r < NROLES; r++)
		role_close(&s, r);
}

/* The documented differences (Documentation/bertha.rst, "Socket
 * semantics"): a step of SCRIPT doing OP on WHO may differ on PATHS when
 * what bertha returned contains SHOWS, for the reason WHY.
 */
struct known {
	const char *script;
	enum op op;
	enum role who;
	unsigned int paths;
	const char *shows;
	const char *why;
	int seen;
};

#define WHY_SIGPIPE "EPIPE raises SIGPIPE unless MSG_NOSIGNAL, as TCP does; " \
		    "AF_UNIX SOCK_SEQPACKET never raises it"
#define WHY_FLOW "without reliable the network path has no flow control, as " \
		 "UDP: a sender never waits, a full receiver drops (rx_dropped)"

static struct known known[] = {
	{ "setup-blocking", OP_SHUT, C, BERTHA, "-1 ENOTCONN",
	  "shutdown() of a socket never connected fails ENOTCONN, as POSIX and "
	  "TCP say; AF_UNIX returns 0" },
	{ "setup-blocking", OP_PEER, A, BERTHA, "set=1",
	  "connect() binds the client to an address, as TCP does, so its peer "
	  "has a name; an AF_UNIX client that did not bind() has none" },
	{ "setup-nonblocking", OP_CONNECT, C, BERTHA, "-1 EINPROGRESS",
	  "negotiation is a round trip, so a non-blocking connect() completes "
	  "later, as TCP's (POLLOUT, SO_ERROR); AF_UNIX connects at once" },
	{ "send-recv-flags", OP_SEND, C, BERTHA, "-1 EMSGSIZE",
	  "a message is at most BERTHA_MSG_MAX (65000) bytes; AF_UNIX takes up "
	  "to the send buffer" },
	{ "eof-after-close", OP_SEND, A, BERTHA, "sigpipe=1", WHY_SIGPIPE },
	{ "eof-after-shutdown-write", OP_SEND, C, BERTHA, "sigpipe=1", WHY_SIGPIPE },
	{ "timeouts-and-signals", OP_SEND, C, BERTHA, "sigpipe=1", WHY_SIGPIPE },
	{ "queues", OP_OUTQ, C, NET, "queued=no",
	  "on the network path a message leaves the send buffer when UDP takes "
	  "it; on AF_UNIX and the local path it is charged until it is read" },
	{ "back-pressure", OP_FILL, C, NET, "never-full", WHY_FLOW },
	{ "back-pressure", OP_SEND, C, NET, "100 0", WHY_FLOW },
	{ "back-pressure", OP_DRAIN, A, NET, "drained", WHY_FLOW },
	{ NULL },
};

static struct known *known_find(const char *script, enum op op, enum role who,
				enum path path, const char *obs)
{
	struct known *k;

	for (k = known; k->script; k++)
		if (!strcmp(k->script, script) && k->op == op && k->who == who &&
		    (k->paths & (1u << path)) && strstr(obs, k->shows))
			return k;
	return NULL;
}

/* A prologue that leaves L listening, C connected and A accepted. */
#define CONNECTED							\
	{ OP_LSOCK, L }, { OP_BIND, L }, { OP_LISTEN, L, 4 },		\
	{ OP_CSOCK, C }, { OP_CONNECT, C }, { OP_ACCEPT, L, 1 }

#define DW	MSG_DONTWAIT
#define NS	MSG_NOSIGNAL

struct script {
	const char *name;
	struct step steps[MAX_STEPS];
};

static const struct script scripts[] = {
	{ "setup-blocking", {
		{ OP_LSOCK, L }, { OP_CSOCK, C },
		{ OP_SEND, C, 10, NS }, { OP_RECV, C, 10, DW },
		{ OP_SHUT, C, SHUT_WR }, { OP_PEER, C },
		{ OP_BIND, L }, { OP_NAME, L }, { OP_PEER, L },
		{ OP_LISTEN, L, 4 }, { OP_RECV, L, 10, DW }, { OP_SEND, L, 10, NS },
		{ OP_NONBLOCK, L, 1 }, { OP_ACCEPT, L, 0 },
		{ OP_CONNECT, C }, { OP_CONNECT, C },
		{ OP_PEER, C }, { OP_ACCEPT, L, 1 }, { OP_PEER, A }, { OP_NAME, A },
		{ OP_ACCEPT, L, 0 }, { OP_SOERR, C }, { OP_SOERR, A },
	} },
	{ "setup-nonblocking", {
		{ OP_LSOCK, L }, { OP_BIND, L }, { OP_LISTEN, L, 4 },
		{ OP_CSOCK, C }, { OP_CONNECT, C, 0, 1 }, { OP_WAITCONN, C },
		{ OP_ACCEPT, L, 1, SOCK_NONBLOCK | SOCK_CLOEXEC },
		{ OP_RECV, A, 100, 0 }, { OP_SEND, C, 100 }, { OP_RECV, A, 100, 0 },
		{ OP_SEND, A, 33 }, { OP_RECV, C, 100, 0 }, { OP_RECV, C, 100, 0 },
		{ OP_ACCEPT, L, 0, SOCK_CLOEXEC },
	} },
	{ "send-recv-flags", {
		CONNECTED,
		{ OP_SEND, C, 100 }, { OP_INQ, A }, { OP_RECV, A, 4096, DW | MSG_PEEK },
		{ OP_RECV, A, 10, DW }, { OP_RECV, A, 10, DW },
		{ OP_SEND, C, 100 }, { OP_RECV, A, 10, DW | MSG_TRUNC },
		{ OP_SEND, C, 0 }, { OP_INQ, A }, { OP_RECV, A, 4096, DW },
		{ OP_RECV, A, 4096, DW }, { OP_SEND, C, 1, MSG_OOB },
		{ OP_RECV, A, 10, DW | MSG_OOB }, { OP_SEND, A, 2000, DW },
		{ OP_SEND, A, 64, MSG_EOR }, { OP_INQ, C },
		{ OP_RECV, C, 4096, MSG_WAITALL }, { OP_RECV, C, 4096, 0 },
		{ OP_RECV, C, 4096, 0 }, { OP_INQ, C }, { OP_INQ, L },
		{ OP_SEND, C, 1, MSG_CONFIRM }, { OP_RECV, A, 1, MSG_CMSG_CLOEXEC },
		{ OP_SEND, C, BERTHA_MSG_MAX + 1, DW },
	} },
	{ "eof-after-close", {
		CONNECTED,
		{ OP_SEND, C, 50 }, { OP_SEND, C, 60 }, { OP_CLOSE, C },
		{ OP_RECV, A, 4096, DW }, { OP_RECV, A, 4096, DW | MSG_PEEK },
		{ OP_RECV, A, 4096, DW }, { OP_RECV, A, 4096, DW },
		{ OP_RECV, A, 4096, DW | MSG_PEEK }, { OP_RECV, A, 4096, DW | MSG_WAITALL },
		{ OP_RECV, A, 4096, MSG_WAITALL }, { OP_RECV, A, 4096, 0 },
		{ OP_NONBLOCK, A, 1 }, { OP_RECV, A, 4096, 0 }, { OP_RECV, A, 4096, 0 },
		{ OP_RECV, A, 4096, MSG_PEEK }, { OP_INQ, A },
		{ OP_SEND, A, 10, NS }, { OP_SEND, A, 10, 0 }, { OP_SOERR, A },
		{ OP_SHUT, A, SHUT_RDWR }, { OP_RECV, A, 4096, 0 },
	} },
	{ "eof-after-shutdown-write", {
		CONNECTED,
		{ OP_SEND, C, 50 }, { OP_SHUT, C, SHUT_WR }, { OP_SEND, C, 5, NS },
		{ OP_SEND, C, 5, DW }, { OP_RECV, A, 4096, DW },
		{ OP_RECV, A, 4096, DW }, { OP_RECV, A, 4096, DW | MSG_PEEK },
		{ OP_RECV, A, 4096, 0 }, { OP_RECV, A, 4096, MSG_WAITALL },
		{ OP_SEND, A, 40 }, { OP_RECV, C, 4096, DW }, { OP_RECV, C, 4096, DW },
		{ OP_SHUT, A, SHUT_WR }, { OP_RECV, C, 4096, DW }, { OP_RECV, C, 4096, 0 },
		{ OP_SHUT, C, SHUT_WR }, { OP_SOERR, C }, { OP_SOERR, A },
	} },
	{ "shutdown-read", {
		CONNECTED,
		{ OP_SEND, C, 20 }, { OP_SHUT, A, SHUT_RD }, { OP_RECV, A, 4096, DW },
		{ OP_RECV, A, 4096, DW }, { OP_RECV, A, 4096, 0 },
		{ OP_SEND, A, 30 }, { OP_RECV, C, 4096, DW },
		{ OP_SHUT, C, SHUT_RDWR }, { OP_RECV, C, 4096, DW },
		{ OP_SEND, C, 5, NS }, { OP_SHUT, C, SHUT_RDWR },
		{ OP_SHUT, C, 7 },
	} },
	{ "close-with-unread-data", {
		CONNECTED,
		{ OP_SEND, C, 10 }, { OP_SEND, C, 11 }, { OP_CLOSE, A },
		{ OP_RECV, C, 4096, DW }, { OP_RECV, C, 4096, DW }, { OP_SOERR, C },
		{ OP_SEND, C, 5, NS }, { OP_SOERR, C },
	} },
	{ "close-listener-with-pending", {
		{ OP_LSOCK, L }, { OP_BIND, L }, { OP_LISTEN, L, 4 },
		{ OP_CSOCK, C }, { OP_CONNECT, C }, { OP_SEND, C, 10 }, { OP_CLOSE, L },
		{ OP_RECV, C, 4096, DW }, { OP_RECV, C, 4096, DW }, { OP_SOERR, C },
		{ OP_SEND, C, 5, NS },
	} },
	{ "listener-after-accept", {
		CONNECTED,
		{ OP_CLOSE, L }, { OP_SEND, C, 10 }, { OP_RECV, A, 100, DW },
		{ OP_SEND, A, 12 }, { OP_RECV, C, 100, DW },
	} },
	{ "timeouts-and-signals", {
		CONNECTED,
		{ OP_RCVTIMEO, A, 100 }, { OP_RECV, A, 100, 0 },
		{ OP_RCVTIMEO, A, 0 }, { OP_RECV_INTR, A }, { OP_RECV_INTR, A, 0, MSG_WAITALL },
		/* a timeout pending when the signal comes: EINTR, not a
		 * restart; 2 s, so that the signal at 0.1 s always wins
		 */
		{ OP_RCVTIMEO, A, 2000 }, { OP_RECV_INTR, A },
		{ OP_RCVLOWAT, A, 10 }, { OP_SEND, C, 5 }, { OP_RECV, A, 100, DW },
		{ OP_RCVLOWAT, A, 0 }, { OP_SNDTIMEO, C, 100 },
		{ OP_SHUT, C, SHUT_WR }, { OP_SEND, C, 1, 0 }, { OP_SEND, C, 1, DW },
		/* no timeout racing the signal: the result is the same on a
		 * loaded machine
		 */
		{ OP_RCVTIMEO, A, 0 }, { OP_RECV_INTR, A },
	} },
	{ "queues", {
		CONNECTED,
		{ OP_INQ, A }, { OP_OUTQ, C }, { OP_SEND, C, 300 }, { OP_SEND, C, 200 },
		{ OP_INQ, A }, { OP_OUTQ, C }, { OP_RECV, A, 4096, DW }, { OP_INQ, A },
		{ OP_RECV, A, 4096, DW }, { OP_OUTQ, C }, { OP_INQ, C }, { OP_OUTQ, L },
	} },
	{ "back-pressure", {
		CONNECTED,
		{ OP_FILL, C, 4000, DW }, { OP_SEND, C, 100, DW },
		{ OP_DRAIN, A }, { OP_SNDTIMEO, C, 100 }, { OP_FILL, C, 4000, 0 },
		{ OP_DRAIN, A },
	} },
};

#define NSCRIPTS (int)(sizeof(scripts) / sizeof(scripts[0]))

/* Compare T (PATH) with the reference U step by step; the differences not
 * in the list are printed and counted, the listed ones marked seen.
 */
static int compare(const char *script, const struct step *steps,
		   const struct trace *u, const struct trace *t, enum path path,
		   uint32_t seed, int *nknown)
{
	int i, r, bad = 0;
	struct known *k;

	for (i = 0; i < u->n; i++) {
		unsigned int missed = 0;

		/* An edge is a bit the reference's level gained in this
		 * step; AF_UNIX also wakes a writer whenever its reader
		 * frees buffer space, which is no transition.
		 */
		for (r = 0; r < NROLES; r++)
			missed |= u->et[i][r] & ~t->et[i][r] & u->lvl[i][r] &
				  ~(i ? u->lvl[i - 1][r] : 0);
		if (!strcmp(u->obs[i], t->obs[i]) && !missed)
			continue;
		k = known_find(script, steps[i].op, steps[i].who, path, t->obs[i]);
		if (k) {
			k->seen = 1;
			(*nknown)++;
			continue;
		}
		bad++;
		printf("# DIFFERENCE %s, %s", path_name[path], script);
		if (seed)
			printf(" (CONFORMANCE_SEED=%u)", seed);
		printf(", step %d: %s %c a=%d flags=%#x\n#   unix:   %s\n#   bertha: %s\n",
		       i, op_name[steps[i].op], role_name[steps[i].who],
		       steps[i].a, steps[i].flags, u->obs[i], t->obs[i]);
		if (missed)
			printf("#   missed edge-triggered events %#x\n", missed);
	}
	return bad;
}

/* A random sequence: connect, then sends, receives, shutdowns, closes and
 * queries that never block.
 */
static void random_seq(uint32_t seed, struct step *st)
{
	static const int rflags[] = {
		DW, DW | MSG_PEEK, DW | MSG_TRUNC, DW | MSG_WAITALL,
		DW | MSG_PEEK | MSG_TRUNC,
	};
	static const int rlen[] = { 0, 1, 64, 1500, 4096 };
	const struct step pro[] = { CONNECTED };
	int i = 0, n;

	for (n = 0; n < (int)(sizeof(pro) / sizeof(pro[0])); n++)
		st[i++] = pro[n];
	srandom(seed);
	for (; i < 40; i++) {
		int x = random() % 100;
		enum role who = random() % 2 ? C : A;

		st[i] = (struct step){ .who = who };
		if (x < 40) {
			st[i].op = OP_SEND;
			st[i].a = random() % 2000;
			st[i].flags = DW | NS;
		} else if (x < 80) {
			st[i].op = OP_RECV;
			st[i].a = rlen[random() % 5];
			st[i].flags = rflags[random() % 5];
		} else if (x < 86) {
			st[i].op = OP_INQ;
		} else if (x < 91) {
			st[i].op = OP_SOERR;
		} else if (x < 97) {
			st[i].op = OP_SHUT;
			st[i].a = random() % 3;
		} else {
			st[i].op = OP_CLOSE;
		}
	}
	st[i].op = OP_END;
}

FIXTURE(conf) {
	struct trace u, t;
	int steps, nknown;
};

FIXTURE_VARIANT(conf) {
	enum path path;
};

FIXTURE_VARIANT_ADD(conf, net4) { .path = P_NET4 };
FIXTURE_VARIANT_ADD(conf, net6) { .path = P_NET6 };
FIXTURE_VARIANT_ADD(conf, local_netns) { .path = P_LOCAL_NS };
FIXTURE_VARIANT_ADD(conf, local_same_netns) { .path = P_LOCAL_SAME };

FIXTURE_SETUP(conf)
{
	ASSERT_EQ(0, local_path_set_all(&topo, !!((1u << variant->path) & LOCAL)));
}

FIXTURE_TEARDOWN(conf)
{
	printf("# %s: %d steps compared, %d documented differences seen\n",
	       path_name[variant->path], self->steps, self->nknown);
}

static void known_list(void)
{
	const struct known *k;
	int i;

	printf("# documented differences from AF_UNIX SOCK_SEQPACKET:\n");
	for (k = known, i = 1; k->script; k++, i++)
		printf("#  %2d. %s, %s on %c (%s%s): %s\n", i, k->script,
		       op_name[k->op], role_name[k->who],
		       k->paths == BERTHA ? "every path" :
		       k->paths == NET ? "network path" : "local path",
		       "", k->why);
}

TEST_F_TIMEOUT(conf, scripted, 600)
{
	int i, bad = 0;
	struct known *k;

	for (i = 0; i < NSCRIPTS; i++) {
		run_seq(P_UNIX, scripts[i].steps, &self->u, i);
		run_seq(variant->path, scripts[i].steps, &self->t, i);
		ASSERT_EQ(self->u.n, self->t.n);
		self->steps += self->u.n;
		bad += compare(scripts[i].name, scripts[i].steps, &self->u, &self->t,
			       variant->path, 0, &self->nknown);
	}
	for (k = known; k->script; k++) {
		if ((k->paths & (1u << variant->path)) && !k->seen) {
			printf("# documented difference no longer seen (%s %s %c): %s\n",
			       k->script, op_name[k->op], role_name[k->who], k->why);
			bad++;
		}
		k->seen = 0;
	}
	EXPECT_EQ(0, bad);
}

TEST_F_TIMEOUT(conf, random, 600)
{
	const char *env = getenv("CONFORMANCE_SEED");
	uint32_t seed = env ? strtoul(env, NULL, 0) : (uint32_t)time(NULL) ^ getpid();
	struct step st[MAX_STEPS];
	const char *nr = getenv("CONFORMANCE_ROUNDS");
	int i, bad = 0, rounds = nr ? atoi(nr) : env ? 1 : 12;

	printf("# random sequences from seed %u\n", seed);
	for (i = 0; i < rounds; i++, seed++) {
		random_seq(seed | 1, st);
		run_seq(P_UNIX, st, &self->u, 100 + i);
		run_seq(variant->path, st, &self->t, 100 + i);
		ASSERT_EQ(self->u.n, self->t.n);
		self->steps += self->u.n;
		bad += compare("random", st, &self->u, &self->t, variant->path,
			       seed | 1, &self->nknown);
	}
	EXPECT_EQ(0, bad);
}

/* EPOLLEXCLUSIVE: threads each wait on the same listener in their own
 * epoll set; one connection wakes as many of them as it wakes on AF_UNIX
 * (one), and exactly one accepts it.
 */
#define EXCL_THREADS	3

struct excl {
	int l;
	pthread_barrier_t ready;
	int woken, accepted, started;
	pid_t tid[EXCL_THREADS];
	pthread_mutex_t lock;
};

/* Whether thread TID sleeps in epoll_wait: a thread that reached it late
 * would find the listener readable and count as a second wake-up.
 */
static int in_epoll_wait(pid_t tid)
{
	char path[64], line[256], state = 0;
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f) && strrchr(line, ')'))
		state = strrchr(line, ')')[2];
	fclose(f);
	return state == 'S' && (nr == SYS_epoll_wait || nr == SYS_epoll_pwait);
}

static void *excl_wait(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	struct excl *x = arg;
	int ep = epoll_create1(EPOLL_CLOEXEC), fd;

	epoll_ctl(ep, EPOLL_CTL_ADD, x->l, &ev);
	pthread_mutex_lock(&x->lock);
	x->tid[x->started++] = gettid();
	pthread_mutex_unlock(&x->lock);
	pthread_barrier_wait(&x->ready);
	if (epoll_wait(ep, &ev, 1, 5000) == 1) {
		fd = accept4(x->l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		pthread_mutex_lock(&x->lock);
		x->woken++;
		x->accepted += fd >= 0;
		pthread_mutex_unlock(&x->lock);
		if (fd >= 0)
			close(fd);
	}
	close(ep);
	return NULL;
}

/* Woken threads * 10 + accepted connections, or -1. */
static int excl_run(enum path path)
{
	struct side s = { .path = path, .nsl = SRV_NS,
			  .nsc = path == P_LOCAL_SAME ? SRV_NS : CLI_NS };
	pthread_t th[EXCL_THREADS];
	struct excl x = { .l = -1 };
	int i, c = -1, ret = -1;
	long long end;

	s.fd[L] = side_sock(&s, s.nsl);
	side_bind_addr(&s, &s.laddr, &s.laddr_len, 900);
	if (s.fd[L] < 0 || bind(s.fd[L], (struct sockaddr *)&s.laddr, s.laddr_len) ||
	    listen(s.fd[L], 4))
		goto out;
	if (path != P_UNIX) {
		s.laddr_len = sizeof(s.laddr);
		getsockname(s.fd[L], (struct sockaddr *)&s.laddr, &s.laddr_len);
	}
	x.l = s.fd[L];
	fcntl(x.l, F_SETFL, O_NONBLOCK);
	pthread_barrier_init(&x.ready, NULL, EXCL_THREADS + 1);
	pthread_mutex_init(&x.lock, NULL);
	for (i = 0; i < EXCL_THREADS; i++)
		pthread_create(&th[i], NULL, excl_wait, &x);
	pthread_barrier_wait(&x.ready);
	/* all of them asleep in epoll_wait before the connection comes */
	end = now_ms() + 10000;
	for (i = 0; i < EXCL_THREADS; i++)
		while (!in_epoll_wait(x.tid[i]) && now_ms() < end)
			usleep(1000);
	c = side_sock(&s, s.nsc);
	if (c >= 0 && !connect(c, (struct sockaddr *)&s.laddr, s.laddr_len))
		ret = 0;
	for (i = 0; i < EXCL_THREADS; i++)
		pthread_join(th[i], NULL);
	if (!ret)
		ret = x.woken * 10 + x.accepted;
	pthread_barrier_destroy(&x.ready);
out:
	if (c >= 0)
		close(c);
	if (s.fd[L] >= 0)
		close(s.fd[L]);
	return ret;
}

TEST_F(conf, epoll_exclusive)
{
	int u = excl_run(P_UNIX), b = excl_run(variant->path);

	printf("# EPOLLEXCLUSIVE, %d threads: AF_UNIX woke %d and accepted %d, "
	       "bertha woke %d and accepted %d\n", EXCL_THREADS, u / 10, u % 10,
	       b / 10, b % 10);
	ASSERT_EQ(11, u);
	EXPECT_EQ(u, b);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigpipe, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	if (netns_setup(&topo, "cf", 1))
		return KSFT_FAIL;
	netns_cleanup_at_exit(&topo, NULL);
	known_list();
	return test_harness_run(argc, argv);
}
