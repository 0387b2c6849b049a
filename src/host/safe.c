// SPDX-License-Identifier: GPL-2.0-only
/*
 * Async-signal-safe helpers: string handling without libc, whole-file reads
 * and writes with open/read/write/close, and messages written straight to
 * a file descriptor.  The signal handler undoes a run with these alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "internal.h"

size_t kx_slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

bool kx_seq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

bool kx_sprefix(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

/* Append @s to the string in @buf; false (and @buf unchanged) if too long. */
bool kx_scat(char *buf, size_t len, const char *s)
{
	size_t n = kx_slen(buf), m = kx_slen(s), i;

	if (n + m + 1 > len)
		return false;
	for (i = 0; i <= m; i++)
		buf[n + i] = s[i];
	return true;
}

bool kx_scpy(char *buf, size_t len, const char *s)
{
	if (!len)
		return false;
	buf[0] = '\0';
	return kx_scat(buf, len, s);
}

/* Decimal text of @v in @buf (KX_ERRBUF bytes); returns @buf. */
const char *kx_itoa(long v, char *buf)
{
	char tmp[KX_ERRBUF];
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	int n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[i++] = '-';
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

/* strerror() is not async-signal-safe: names for the errors seen here. */
const char *kx_errname(int err, char *buf)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "Operation not permitted" },
		{ ENOENT, "No such file or directory" },
		{ EIO, "Input/output error" },
		{ EACCES, "Permission denied" },
		{ EBUSY, "Device or resource busy" },
		{ EINVAL, "Invalid argument" },
		{ ENOMEM, "Cannot allocate memory" },
		{ ENOSPC, "No space left on device" },
		{ EROFS, "Read-only file system" },
		{ ENAMETOOLONG, "File name too long" },
		{ EINTR, "Interrupted system call" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	kx_scpy(buf, KX_ERRBUF, "errno ");
	kx_itoa(err, buf + 6);
	return buf;
}

/*
 * Read @path into @buf (NUL-terminated, at most @len - 1 bytes).
 * Return: the length read, or -errno.
 */
ssize_t kx_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)got + 1 < len) {
		n = read(fd, buf + got, len - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return err ? err : got;
}

/* Write @s to @path in one write(2).  Return: 0, or -errno. */
int kx_write_file(const char *path, const char *s)
{
	size_t len = kx_slen(s);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err && errno != EINTR)
		err = -errno;
	return err;
}

/* Write the strings given, up to a NULL, to @fd as one line. */
void kx_say(int fd, ...)
{
	char line[512] = "";
	const char *s;
	va_list ap;

	if (fd < 0)
		return;
	va_start(ap, fd);
	while ((s = va_arg(ap, const char *)))
		kx_scat(line, sizeof(line) - 1, s);
	va_end(ap);
	kx_scat(line, sizeof(line), "\n");
	if (write(fd, line, kx_slen(line)) < 0)
		return;
}
