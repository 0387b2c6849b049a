// SPDX-License-Identifier: GPL-2.0-only
/* Parsing mm_khugepaged_scan_pmd lines of a tracefs 'trace' file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "scan_trace.h"

#define EVENT_TAG ": mm_khugepaged_scan_pmd: "

/*
 * The pid of "TASK-PID [CPU]": the digits before the first " [" that
 * follows them (a task name may itself hold '-' and digits).
 */
static int parse_pid(const char *line, const char *end, pid_t *pid)
{
	const char *cpu = strstr(line, " [");
	const char *p;

	while (cpu && cpu < end) {
		for (p = cpu; p > line && p[-1] == ' '; p--)
			;
		while (p > line && p[-1] >= '0' && p[-1] <= '9')
			p--;
		if (p > line && p[-1] == '-' && p[0] >= '0' && p[0] <= '9') {
			*pid = (pid_t)strtol(p, NULL, 10);
			return 0;
		}
		cpu = strstr(cpu + 2, " [");
	}
	return -1;
}

/* The value after "KEY=" in @s, up to ',' or the end. */
static const char *field(const char *s, const char *key, char *buf,
			 size_t len)
{
	size_t klen = strlen(key), n;
	const char *p = s;

	while ((p = strstr(p, key))) {
		if ((p == s || p[-1] == ' ') && p[klen] == '=')
			break;
		p += klen;
	}
	if (!p)
		return NULL;
	p += klen + 1;
	n = strcspn(p, ",");
	if (!n || n >= len)
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static int int_field(const char *s, const char *key, int *out)
{
	char buf[32], *end;
	long v;

	if (!field(s, key, buf, sizeof(buf)))
		return -1;
	v = strtol(buf, &end, 10);
	if (*end)
		return -1;
	*out = (int)v;
	return 0;
}

static int hex_field(const char *s, const char *key, uint64_t *out)
{
	char buf[32], *end;

	if (!field(s, key, buf, sizeof(buf)))
		return -1;
	*out = strtoull(buf, &end, 16);
	return *end ? -1 : 0;
}

int kx_scan_parse_line(const char *line, struct kx_scan_event *ev)
{
	const char *tag = strstr(line, EVENT_TAG), *args;
	char status[40];

	if (!tag || line[0] == '#')
		return 0;
	args = tag + strlen(EVENT_TAG);
	memset(ev, 0, sizeof(*ev));
	if (parse_pid(line, tag, &ev->pid) ||
	    hex_field(args, "mm", &ev->mm) ||
	    hex_field(args, "scan_pfn", &ev->pfn) ||
	    int_field(args, "referenced", &ev->referenced) ||
	    int_field(args, "none_or_zero", &ev->none_or_zero) ||
	    int_field(args, "unmapped", &ev->unmapped) ||
	    !field(args, "status", status, sizeof(status)))
		return -1;
	ev->status = exec_scan_status_lookup(status);
	return ev->status < 0 ? -1 : 1;
}
