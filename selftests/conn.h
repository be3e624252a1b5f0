/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conn.h: AF_BERTHA connection helpers shared by the conn_* selftests.
 *
 * Helpers return 0 or a positive errno instead of -1, so that a test reads
 * EXPECT_EQ(ECONNREFUSED, bconnect(...)) and a failure names the errno.
 * Every wait is bounded: a kernel that never answers fails the test instead
 * of hanging the guest.
 */
#ifndef BERTHA_SELFTEST_CONN_H
#define BERTHA_SELFTEST_CONN_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "libbertha.h"
#include "netns.h"

/* Generous bounds: guests run under TCG, without KVM. */
#define CONN_WAIT_MS	5000

static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Turn the local fast path on or off in the namespace called NS, with
 * berthactl from BERTHA_BIN. 0, or berthactl's exit status.
 */
static inline int local_path_set(const char *ns, int on)
{
	const char *bin = getenv("BERTHA_BIN");
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s/berthactl local %s",
		 ns, bin ? bin : ".", on ? "on" : "off");
	return netns_sh(cmd);
}

/* The same for the server and every client namespace of T. */
static inline int local_path_set_all(const struct netns_topo *t, int on)
{
	int i, err = local_path_set(t->server, on);

	for (i = 0; i < t->nclients && !err; i++)
		err = local_path_set(t->client[i], on);
	return err;
}

/*
 * A packet socket (SOCK_DGRAM: from the network header on) on device DEV
 * of the namespace open as NSFD, to see what crosses it. fd or -1.
 */
static inline int dev_capture(int nsfd, const char *dev)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};
	int fd;

	if (netns_enter(nsfd))
		return -1;
	ll.sll_ifindex = if_nametoindex(dev);
	if (!ll.sll_ifindex)
		return -1;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd >= 0 && bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A bertha address; IP is text in IPFAM's syntax. */
static inline struct sockaddr_bertha sbe(int ipfam, const char *ip, uint16_t port)
{
	struct sockaddr_bertha a = {
		.sbe_family = bertha_family(),
		.sbe_ip_family = ipfam,
		.sbe_port = htons(port),
	};

	inet_pton(ipfam, ip, ipfam == AF_INET ? (void *)&a.sbe_addr.v4 :
						(void *)a.sbe_addr.v6);
	return a;
}

/* Same endpoint: family, IP family, address and port. */
static inline int sbe_equal(const struct sockaddr_bertha *a,
			    const struct sockaddr_bertha *b)
{
	if (a->sbe_family != b->sbe_family || a->sbe_ip_family != b->sbe_ip_family ||
	    a->sbe_port != b->sbe_port)
		return 0;
	if (a->sbe_ip_family == AF_INET)
		return a->sbe_addr.v4 == b->sbe_addr.v4;
	return !memcmp(a->sbe_addr.v6, b->sbe_addr.v6, 16);
}

/* The wildcard address of its IP family, any port. */
static inline int sbe_is_any(const struct sockaddr_bertha *a)
{
	static const uint8_t zero[16];

	if (a->sbe_ip_family == AF_INET)
		return a->sbe_addr.v4 == 0;
	return a->sbe_ip_family == AF_INET6 && !memcmp(a->sbe_addr.v6, zero, 16);
}

/* A socket of TYPE in the namespace open as NSFD (-1: where we are). */
static inline int bsock(int nsfd, int type)
{
	if (nsfd >= 0 && netns_enter(nsfd))
		return -1;
	return socket(bertha_family(), type | SOCK_CLOEXEC, 0);
}

static inline int bbind(int fd, const struct sockaddr_bertha *a)
{
	return bind(fd, (const struct sockaddr *)a, sizeof(*a)) ? errno : 0;
}

static inline int bconnect(int fd, const struct sockaddr_bertha *a)
{
	return connect(fd, (const struct sockaddr *)a, sizeof(*a)) ? errno : 0;
}

static inline int blisten(int fd, int backlog)
{
	return listen(fd, backlog) ? errno : 0;
}

/* getsockname(); a zeroed address if it fails. */
static inline struct sockaddr_bertha bname(int fd)
{
	struct sockaddr_bertha a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) || len != sizeof(a))
		memset(&a, 0, sizeof(a));
	return a;
}

static inline struct sockaddr_bertha bpeer(int fd)
{
	struct sockaddr_bertha a;
	socklen_t len = sizeof(a);

	if (getpeername(fd, (struct sockaddr *)&a, &len) || len != sizeof(a))
		memset(&a, 0, sizeof(a));
	return a;
}

/* BERTHA_STATS into *S: 0, or -1 with *S all ones if the read failed. */
static inline int bstats_read(int fd, struct bertha_stats *s)
{
	socklen_t len = sizeof(*s);

	if (getsockopt(fd, SOL_BERTHA, BERTHA_STATS, s, &len) || len != sizeof(*s)) {
		memset(s, 0xff, sizeof(*s));
		return -1;
	}
	return 0;
}

/*
 * BERTHA_STATS; all ones if it fails, which no signed check of a counter
 * accepts: compare as (long long), where it reads -1. An unsigned ">= N"
 * would accept it: use stats_wait() or bstats_read() for those.
 */
static inline struct bertha_stats bstats(int fd)
{
	struct bertha_stats s;

	bstats_read(fd, &s);
	return s;
}

/*
 * Wait until the stats counter FIELD of FD reaches MIN; 1 if it did, 0 on
 * timeout or as soon as reading the counters fails (the all-ones value of a
 * failed read would satisfy any minimum).
 */
#define stats_wait(fd, field, min, ms) ({				\
	long long __end = now_ms() + (ms);				\
	struct bertha_stats __s;					\
	int __ok = 0;							\
	for (;;) {							\
		if (bstats_read(fd, &__s)) {				\
			printf("# stats_wait(%s): reading BERTHA_STATS failed\n", \
			       #field);					\
			break;						\
		}							\
		if (__s.field >= (uint64_t)(min)) {			\
			__ok = 1;					\
			break;						\
		}							\
		if (now_ms() > __end)					\
			break;						\
		usleep(5000);						\
	}								\
	__ok;								\
})

static inline int sockopt_ms(int fd, int opt, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)) ? errno : 0;
}

static inline int so_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -1;
	return err;
}

/* poll() one fd for EVENTS up to MS; the revents, 0 on timeout. */
static inline short poll_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

/* Set a DAG given in the paper's syntax; 0 or the errno. */
static inline int set_dag(int fd, const char *text)
{
	char msg[160];

	return bertha_set_dag(fd, text, msg, sizeof(msg)) ? errno : 0;
}

/* Whether FD's BERTHA_DAG reads back as the blob TEXT parses into. */
static inline int dag_is(int fd, const char *text)
{
	static char want[BERTHA_DAG_MAX_BYTES], got[BERTHA_DAG_MAX_BYTES];
	socklen_t len = sizeof(got);
	int n = bertha_dag_parse(text, want, sizeof(want), NULL, 0);

	if (n <= 0 || getsockopt(fd, SOL_BERTHA, BERTHA_DAG, got, &len))
		return 0;
	return len == (socklen_t)n && !memcmp(want, got, n);
}

/* BERTHA_BINDING into B (room for BERTHA_DAG_MAX_NODES); count or -errno. */
struct binding_buf {
	struct bertha_binding b;
	struct bertha_binding_node node[BERTHA_DAG_MAX_NODES];
};

static inline int get_binding(int fd, struct binding_buf *b)
{
	socklen_t len = sizeof(*b);

	memset(b, 0xa5, sizeof(*b));
	if (getsockopt(fd, SOL_BERTHA, BERTHA_BINDING, b, &len))
		return -errno;
	if (len != sizeof(b->b) + b->b.count * sizeof(b->node[0]))
		return -EBADMSG;	/* optlen must say what was written */
	return b->b.count;
}

/* The &enum bertha_path a connected socket reports, or -errno. */
static inline int conn_path(int fd)
{
	struct binding_buf b;
	int n = get_binding(fd, &b);

	return n < 0 ? n : (int)b.b.path;
}

/* Whether node I of B is TYPE/IMPL at WHERE with PRIO, SCOPE and CHOICE. */
static inline int node_is(const struct binding_buf *b, unsigned int i,
			  const char *type, const char *impl, unsigned int where,
			  unsigned int prio, unsigned int scope, unsigned int choice)
{
	const struct bertha_binding_node *n = &b->node[i];

	if (i >= b->b.count || strcmp(n->type, type) || strcmp(n->impl, impl) ||
	    n->where != where || n->priority != prio || n->scope != scope ||
	    n->choice != choice) {
		if (i < b->b.count)
			fprintf(stderr, "#   node %u: %.32s/%.32s where %u prio %u scope %u choice %u\n",
				i, n->type, n->impl, n->where, n->priority,
				n->scope, n->choice);
		return 0;
	}
	return 1;
}

/* Print a binding, so a failure shows what the kernel chose. */
static inline void binding_log(const char *who, const struct binding_buf *b)
{
	unsigned int i;

	fprintf(stderr, "#   %s binding: %u node(s)\n", who, b->b.count);
	for (i = 0; i < b->b.count && i < BERTHA_DAG_MAX_NODES; i++)
		fprintf(stderr, "#     %u: %.32s/%.32s where %u prio %u scope %u choice %u\n",
			i, b->node[i].type, b->node[i].impl, b->node[i].where,
			b->node[i].priority, b->node[i].scope, b->node[i].choice);
}

/*
 * A listener in the namespace NSFD bound to IP:0 with DAG (NULL: none).
 * Returns the fd or -errno.
 */
static inline int make_listener(int nsfd, int ipfam, const char *ip,
				const char *dag, int backlog)
{
	struct sockaddr_bertha a = sbe(ipfam, ip, 0);
	int fd = bsock(nsfd, SOCK_SEQPACKET), err;

	if (fd < 0)
		return -errno;
	err = dag ? set_dag(fd, dag) : 0;
	if (!err)
		err = bbind(fd, &a);
	if (!err)
		err = blisten(fd, backlog);
	if (err) {
		close(fd);
		return -err;
	}
	return fd;
}

/* accept() with a bound: waits up to MS for a connection. fd or -errno. */
static inline int accept_wait(int lfd, int ms, int flags)
{
	int fd;

	if (!(poll_fd(lfd, POLLIN, ms) & POLLIN))
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, flags | SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A plain UDP socket in NSFD bound to IP:0; fd or -1. */
static inline int udp_sock(int nsfd, int ipfam, const char *ip)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int fd;

	if (nsfd >= 0 && netns_enter(nsfd))
		return -1;
	fd = socket(ipfam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	inet_pton(AF_INET, ip, &a4.sin_addr);
	inet_pton(AF_INET6, ip, &a6.sin6_addr);
	if (ipfam == AF_INET ? bind(fd, (struct sockaddr *)&a4, sizeof(a4)) :
			       bind(fd, (struct sockaddr *)&a6, sizeof(a6))) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline uint16_t udp_port(int fd)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return 0;
	/* sin_port and sin6_port sit at the same offset */
	return ntohs(a.sin6_port);
}

/* Send LEN bytes from the UDP socket FD to IP:PORT; 0 or the errno. */
static inline int udp_send_to(int fd, int ipfam, const char *ip, uint16_t port,
			      const void *buf, size_t len)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	ssize_t n;

	inet_pton(AF_INET, ip, &a4.sin_addr);
	inet_pton(AF_INET6, ip, &a6.sin6_addr);
	n = ipfam == AF_INET ? sendto(fd, buf, len, 0, (struct sockaddr *)&a4, sizeof(a4)) :
			       sendto(fd, buf, len, 0, (struct sockaddr *)&a6, sizeof(a6));
	return n == (ssize_t)len ? 0 : n < 0 ? errno : EIO;
}

/*
 * A port on IP in NSFD that nothing listens on: a UDP port the kernel
 * just handed out and got back. 0 on failure.
 */
static inline uint16_t unused_port(int nsfd, int ipfam, const char *ip)
{
	int fd = udp_sock(nsfd, ipfam, ip);
	uint16_t port;

	if (fd < 0)
		return 0;
	port = udp_port(fd);
	close(fd);
	return port;
}

/* The message pattern: byte i of message SEED. Never all one value. */
static inline uint8_t pat(uint32_t seed, size_t i)
{
	return (uint8_t)(seed * 131 + i * 7 + (i >> 8) * 13);
}

static inline void pat_fill(void *buf, size_t len, uint32_t seed)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pat(seed, i);
}

/* Index of the first wrong byte, or -1 if BUF holds the pattern. */
static inline long pat_check(const void *buf, size_t len, uint32_t seed)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pat(seed, i))
			return i;
	return -1;
}

/* Signals that interrupt without SA_RESTART, so calls fail with EINTR. */
static volatile sig_atomic_t conn_signals;

static inline void conn_sig_handler(int sig)
{
	(void)sig;
	conn_signals++;
}

/* SIGALRM once, MS from now, to a handler installed without SA_RESTART. */
static inline int arm_signal(int ms)
{
	struct sigaction sa = { .sa_handler = conn_sig_handler };
	struct itimerval it = {
		.it_value = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 },
	};

	conn_signals = 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL))
		return errno;
	return setitimer(ITIMER_REAL, &it, NULL) ? errno : 0;
}

static inline void disarm_signal(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_IGN);
}

/* A counter of namespace NS, from `berthactl -j stats`; -1 if unreadable. */
static inline long long ns_counter(const char *name, const char *ns)
{
	const char *bin = getenv("BERTHA_BIN");
	char cmd[512], out[4096] = "", key[64], *p;
	long long v = -1;
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s/berthactl -j stats", ns,
		 bin ? bin : ".");
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	pclose(f);
	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(out, key);
	if (p)
		sscanf(p + strlen(key), "%lld", &v);
	return v;
}

/* Wait until NAME of namespace NS reaches MIN, for MS at most. */
static inline long long ns_counter_wait(const char *name, const char *ns,
					long long min, int ms)
{
	long long v = ns_counter(name, ns);

	for (; v < min && ms > 0; ms -= 250) {
		usleep(250000);
		v = ns_counter(name, ns);
	}
	return v;
}

#endif /* BERTHA_SELFTEST_CONN_H */
