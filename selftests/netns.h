/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netns.h: network namespaces for the connection selftests.
 *
 * One server namespace and up to NETNS_MAX_CLIENTS client namespaces. Client
 * i reaches the server over its own veth pair (server side "sv<i>", client
 * side "cv<i>") with 10.77.<i>.1/24 and fd77:<i>::1/64 at the server and
 * 10.77.<i>.2/24 and fd77:<i>::2/64 at the client. Every client has default
 * routes through its pair, so all of them can reach one listener bound to
 * client 0's server address (10.77.0.1 or fd77::1); the server answers
 * each on the pair it came from. The MAC addresses are fixed and the
 * neighbour entries permanent, so a test that drops packets with netem
 * never also drops ARP or neighbour discovery and stalls on their timers.
 *
 * A test program builds the topology once in main() (building it per test
 * costs a dozen exec()s, which is slow under TCG) and each test enters the
 * namespaces it needs with setns(): a socket belongs to the namespace its
 * creator was in when it called socket(), so one process can hold a server
 * socket and a client socket in different namespaces. Names carry the
 * program's tag and pid, so concurrent or leftover runs cannot clash.
 */
#ifndef BERTHA_SELFTEST_NETNS_H
#define BERTHA_SELFTEST_NETNS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NETNS_MAX_CLIENTS	3

struct netns_topo {
	int nclients;
	char server[32];
	char client[NETNS_MAX_CLIENTS][32];
	int server_fd;
	int client_fd[NETNS_MAX_CLIENTS];
};

/* Addresses of pair I, as text for iproute2 and inet_pton(). */
static inline void netns_ip4(char *buf, size_t len, int pair, int host)
{
	snprintf(buf, len, "10.77.%d.%d", pair, host);
}

static inline void netns_ip6(char *buf, size_t len, int pair, int host)
{
	snprintf(buf, len, "fd77:%d::%d", pair, host);
}

/* Run a shell command; 0 when it exited 0. Its output reaches the log. */
static inline int netns_sh(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

/* netem with ARGS on both ends of pair 0, the server's sv0 and the first
 * client's cv0 (NULL: remove it); 0 on success.
 */
static inline int netns_netem(const struct netns_topo *t, const char *args)
{
	char cmd[512];

	if (!args) {
		snprintf(cmd, sizeof(cmd),
			 "tc -n %s qdisc del dev sv0 root 2>/dev/null; "
			 "tc -n %s qdisc del dev cv0 root 2>/dev/null; true",
			 t->server, t->client[0]);
		return netns_sh(cmd);
	}
	snprintf(cmd, sizeof(cmd),
		 "tc -n %s qdisc replace dev sv0 root netem %s && "
		 "tc -n %s qdisc replace dev cv0 root netem %s",
		 t->server, args, t->client[0], args);
	return netns_sh(cmd);
}

static inline void netns_teardown(struct netns_topo *t)
{
	char cmd[128];
	int i;

	if (t->server_fd >= 0)
		close(t->server_fd);
	if (t->server[0]) {
		snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", t->server);
		netns_sh(cmd);
	}
	for (i = 0; i < t->nclients; i++) {
		if (t->client_fd[i] >= 0)
			close(t->client_fd[i]);
		if (t->client[i][0]) {
			snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null",
				 t->client[i]);
			netns_sh(cmd);
		}
	}
	memset(t, 0, sizeof(*t));
	t->server_fd = -1;
}

static inline int netns_open(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * Build the topology. TAG (a few letters) names the program. Returns 0, or
 * -1 with a message printed: a guest without iproute2 is a broken runner,
 * which must fail the test, not skip it.
 */
static inline int netns_setup(struct netns_topo *t, const char *tag, int nclients)
{
	char cmd[4096], s4[24], c4[24], s6[40], c6[40];
	size_t n = 0;
	int i;

	memset(t, 0, sizeof(*t));
	t->server_fd = -1;
	for (i = 0; i < NETNS_MAX_CLIENTS; i++)
		t->client_fd[i] = -1;
	if (nclients < 1 || nclients > NETNS_MAX_CLIENTS)
		return -1;
	if (netns_sh("command -v ip >/dev/null")) {
		printf("# iproute2's ip is not installed: the runner's guest is broken\n");
		return -1;
	}
	t->nclients = nclients;
	snprintf(t->server, sizeof(t->server), "%s%d-s", tag, getpid());
	for (i = 0; i < nclients; i++)
		snprintf(t->client[i], sizeof(t->client[i]), "%s%d-c%d", tag,
			 getpid(), i);

	n += snprintf(cmd + n, sizeof(cmd) - n,
		      "set -e; ip netns add %s; ip -n %s link set lo up; ",
		      t->server, t->server);
	for (i = 0; i < nclients; i++) {
		const char *s = t->server, *c = t->client[i];

		netns_ip4(s4, sizeof(s4), i, 1);
		netns_ip4(c4, sizeof(c4), i, 2);
		netns_ip6(s6, sizeof(s6), i, 1);
		netns_ip6(c6, sizeof(c6), i, 2);
		n += snprintf(cmd + n, sizeof(cmd) - n,
			      "ip netns add %s; ip -n %s link set lo up; "
			      "ip -n %s link add sv%d address 02:77:00:%02x:00:01 type veth "
			      "peer name cv%d address 02:77:00:%02x:00:02 netns %s; "
			      "ip -n %s addr add %s/24 dev sv%d; "
			      "ip -n %s addr add %s/64 dev sv%d nodad; "
			      "ip -n %s addr add %s/24 dev cv%d; "
			      "ip -n %s addr add %s/64 dev cv%d nodad; "
			      "ip -n %s link set sv%d up; ip -n %s link set cv%d up; "
			      "ip -n %s neigh replace %s lladdr 02:77:00:%02x:00:02 dev sv%d nud permanent; "
			      "ip -n %s neigh replace %s lladdr 02:77:00:%02x:00:02 dev sv%d nud permanent; "
			      "ip -n %s neigh replace %s lladdr 02:77:00:%02x:00:01 dev cv%d nud permanent; "
			      "ip -n %s neigh replace %s lladdr 02:77:00:%02x:00:01 dev cv%d nud permanent; "
			      "ip -n %s route add default via %s; "
			      "ip -n %s -6 route add default via %s; ",
			      c, c,
			      s, i, i, i, i, c,
			      s, s4, i,
			      s, s6, i,
			      c, c4, i,
			      c, c6, i,
			      s, i, c, i,
			      s, c4, i, i,
			      s, c6, i, i,
			      c, s4, i, i,
			      c, s6, i, i,
			      c, s4,
			      c, s6);
		if (n >= sizeof(cmd))
			return -1;
	}
	if (netns_sh(cmd)) {
		printf("# building the namespaces failed\n");
		netns_teardown(t);
		return -1;
	}
	t->server_fd = netns_open(t->server);
	for (i = 0; i < nclients; i++)
		t->client_fd[i] = netns_open(t->client[i]);
	for (i = 0; i < nclients; i++)
		if (t->client_fd[i] < 0)
			break;
	if (t->server_fd < 0 || i < nclients) {
		printf("# cannot open the namespaces: %s\n", strerror(errno));
		netns_teardown(t);
		return -1;
	}
	return 0;
}

static struct netns_topo *netns_live;
static pid_t netns_owner;
static void (*netns_exit_hook)(void);

/* Once, and only in the process that built them: tests run in children. */
static inline void netns_cleanup(void)
{
	if (!netns_live || getpid() != netns_owner)
		return;
	netns_teardown(netns_live);
	netns_live = NULL;
	if (netns_exit_hook)
		netns_exit_hook();
}

static inline void netns_on_signal(int sig)
{
	(void)sig;
	netns_cleanup();
	_exit(1);
}

static inline void netns_at_exit(void)
{
	fflush(stdout);
	netns_cleanup();
}

/*
 * Remove T's namespaces when the program ends, then call HOOK (NULL: none)
 * for the program's own cleanup: on exit() (test_harness_run() never
 * returns: it calls exit() itself, so nothing after it in main() runs) and
 * should the program be killed (the runner's timeout sends SIGTERM first).
 * The tests after it share the guest. HOOK may _exit(KSFT_FAIL) to fail a
 * run that left something behind.
 */
static inline void netns_cleanup_at_exit(struct netns_topo *t, void (*hook)(void))
{
	netns_live = t;
	netns_owner = getpid();
	netns_exit_hook = hook;
	signal(SIGTERM, netns_on_signal);
	signal(SIGINT, netns_on_signal);
	atexit(netns_at_exit);
}

/* Move the calling thread into the namespace open as FD. */
static inline int netns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET);
}

#endif /* BERTHA_SELFTEST_NETNS_H */
