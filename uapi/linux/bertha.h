/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * bertha: AF_BERTHA sockets whose connections are DAGs of negotiated chunnels.
 *
 * This is the one uapi header of the project. Items appear here only once
 * the kernel module implements them.
 */
#ifndef _UAPI_LINUX_BERTHA_H
#define _UAPI_LINUX_BERTHA_H

/**
 * define BERTHA_AF_DEFAULT - default address family number of AF_BERTHA
 *
 * AF_MAX is compiled into the kernel, so a module cannot add a family above
 * it. bertha.ko reuses slot 25 (AF_WANPIPE), which no in-tree family
 * registers in Linux 6.1 or 6.12. An administrator may load the module with
 * another slot (``insmod bertha.ko family=19``); programs should therefore
 * read the number in use from %BERTHA_AF_SYSFS_PATH and fall back to this
 * value only when the file cannot be read.
 */
#define BERTHA_AF_DEFAULT	25

/**
 * define BERTHA_AF_SYSFS_PATH - where the loaded module publishes its family
 *
 * The file holds the family number in decimal followed by a newline.
 */
#define BERTHA_AF_SYSFS_PATH	"/sys/module/bertha/parameters/family"

#endif /* _UAPI_LINUX_BERTHA_H */
