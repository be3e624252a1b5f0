// SPDX-License-Identifier: GPL-2.0
/*
 * bertha_sock: open AF_BERTHA sockets for the shell selftests.
 *
 *   bertha_sock [-f FAMILY] [-t seqpacket|dgram] [-n COUNT] [-d DAG] [-b ADDR] [-h]
 *
 * Opens COUNT sockets (default 1) of the given family (default: the one the
 * loaded module publishes in sysfs, else BERTHA_AF_DEFAULT) and type. With
 * -h it prints "ready" and holds them open until stdin reaches EOF, so a
 * test can act while sockets exist. With -d it sets the chunnel DAG given in
 * the paper's syntax on each socket. With -b it binds each to ADDR (in
 * bertha_addr_parse() syntax; port 0 picks a free one for each). Exits 0 on
 * success; on failure prints
 * the errno name and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bertha.h>

#include "libbertha.h"

int main(int argc, char **argv)
{
	int family = bertha_family();
	int type = SOCK_SEQPACKET;
	int count = 1, hold = 0, opt, i, fd;
	const char *dag = NULL, *bind_to = NULL;
	struct sockaddr_bertha addr;
	char buf[160];

	while ((opt = getopt(argc, argv, "f:t:n:d:b:h")) != -1) {
		switch (opt) {
		case 'f':
			family = atoi(optarg);
			break;
		case 't':
			type = strcmp(optarg, "dgram") ? SOCK_SEQPACKET : SOCK_DGRAM;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'd':
			dag = optarg;
			break;
		case 'b':
			bind_to = optarg;
			break;
		case 'h':
			hold = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-f FAMILY] [-t seqpacket|dgram] [-n COUNT] [-d DAG] [-b ADDR] [-h]\n",
				argv[0]);
			return 2;
		}
	}

	if (bind_to && bertha_addr_parse(bind_to, &addr)) {
		printf("%s\n", strerrorname_np(errno));
		return 1;
	}
	for (i = 0; i < count; i++) {
		fd = socket(family, type, 0);
		if (fd < 0 || (dag && bertha_set_dag(fd, dag, buf, sizeof(buf))) ||
		    (bind_to && bind(fd, (struct sockaddr *)&addr, sizeof(addr)))) {
			printf("%s\n", strerrorname_np(errno));
			return 1;
		}
	}
	if (hold) {
		printf("ready\n");
		fflush(stdout);
		while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
			;
	}
	return 0;
}
