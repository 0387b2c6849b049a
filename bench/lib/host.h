/* SPDX-License-Identifier: GPL-2.0-only */
/* What the benchmarks say about the host they ran on. */
#ifndef FSIM_BENCH_HOST_H
#define FSIM_BENCH_HOST_H

#include <stddef.h>

/* /proc/loadavg as one line without its newline ("?" if unreadable). */
void bench_load_average(char *buf, size_t len);

#endif
