// SPDX-License-Identifier: GPL-2.0
/*
 * bertha_demo: show AF_BERTHA sockets in use on this system.
 *
 * Finds the family number through libbertha, opens a SOCK_SEQPACKET and a
 * SOCK_DGRAM socket, prints what the kernel says about them (domain, type,
 * the BERTHA line of /proc/net/protocols), sets chunnel DAGs written in the
 * paper's syntax (one valid, one with chunnel types this kernel does not
 * have, one with a syntax error) and shows which operations exist yet.
 * Exits non-zero if anything the module promises does not hold.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "libbertha.h"

static void print_protocols_line(void)
{
	FILE *f = fopen("/proc/net/protocols", "r");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "protocol", 8) || !strncmp(line, "BERTHA ", 7))
			printf("    %.60s\n", line);
	fclose(f);
}

static int show_socket(int family, int type, const char *name)
{
	int fd = socket(family, type, 0), domain, stype;
	socklen_t len = sizeof(int);

	if (fd < 0) {
		printf("  socket(%d, %s, 0): %s\n", family, name, strerror(errno));
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &stype, &len)) {
		printf("  getsockopt: %s\n", strerror(errno));
		return -1;
	}
	printf("  socket(%d, %s, 0) = fd %d: SO_DOMAIN=%d SO_TYPE=%d\n",
	       family, name, fd, domain, stype);
	return domain == family && stype == type ? fd : -1;
}

/* Bind to 127.0.0.1, any port: the socket gets a real UDP port. */
static int show_bind(int fd)
{
	struct sockaddr_bertha addr = {
		.sbe_family = (unsigned short)bertha_family(),
		.sbe_ip_family = AF_INET,
		.sbe_addr.v4 = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(addr);
	char ip[INET_ADDRSTRLEN];

	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockname(fd, (struct sockaddr *)&addr, &len)) {
		printf("  bind: %s\n", strerror(errno));
		return -1;
	}
	inet_ntop(AF_INET, &addr.sbe_addr.v4, ip, sizeof(ip));
	printf("  bind(127.0.0.1, port 0): bound to %s:%u (a kernel UDP socket)\n",
	       ip, ntohs(addr.sbe_port));
	return 0;
}

/* Set a DAG from the paper's text syntax and read it back: 0 on success. */
static int show_dag(int fd, const char *text)
{
	unsigned char blob[BERTHA_DAG_MAX_BYTES];
	socklen_t len = sizeof(blob);
	char err[160];

	printf("  DAG \"%s\":\n", text);
	if (bertha_set_dag(fd, text, err, sizeof(err))) {
		printf("    rejected: %s (%s)\n", err, strerrorname_np(errno));
		return -1;
	}
	if (getsockopt(fd, SOL_BERTHA, BERTHA_DAG, blob, &len)) {
		printf("    getsockopt: %s\n", strerror(errno));
		return -1;
	}
	printf("    accepted; getsockopt(BERTHA_DAG) returns its %u-byte blob\n",
	       (unsigned int)len);
	return 0;
}

int main(void)
{
	int family = bertha_family();
	int seq, dgram;

	if (family < 0) {
		perror("bertha_family");
		return 1;
	}
	printf("AF_BERTHA is address family %d\n", family);
	seq = show_socket(family, SOCK_SEQPACKET, "SOCK_SEQPACKET");
	dgram = show_socket(family, SOCK_DGRAM, "SOCK_DGRAM");
	if (seq < 0 || dgram < 0)
		return 1;

	printf("  live sockets, from /proc/net/protocols:\n");
	print_protocols_line();

	printf("  socket(%d, SOCK_STREAM, 0): ", family);
	if (socket(family, SOCK_STREAM, 0) < 0)
		printf("%s (as documented)\n", strerrorname_np(errno));
	if (show_bind(dgram))
		return 1;
	if (show_dag(seq, "select(identity, identity |> identity) |> identity(mode=fast)") ||
	    !show_dag(seq, "shard(ports=7001,7002) |> reliable") ||
	    !show_dag(seq, "identity |> (oops"))
		return 1;

	if (connect(seq, NULL, 0) < 0)
		printf("  connect(): %s (the data path is not built yet)\n",
		       strerrorname_np(errno));

	close(seq);
	close(dgram);
	return 0;
}
