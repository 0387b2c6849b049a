// SPDX-License-Identifier: GPL-2.0-only
/*
 * A deliberately small XML checker: enough of XML 1.0 to reject what a
 * careless writer produces (unbalanced or crossed tags, unquoted
 * attributes, raw '<', '>' or '&' in text, text or a second element
 * outside the root).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svgcheck.h"

#define MAX_DEPTH 64

struct xp {
	const char *s, *p;
	char *err;
	size_t len;
};

static bool fail(struct xp *x, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(x->err, x->len, "at offset %ld: %s", (long)(x->p - x->s), msg);
	return false;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == ':' ||
	       c == '.';
}

/* An entity after '&'; advances past ';'. */
static bool entity(struct xp *x)
{
	static const char *const names[] = { "amp;", "lt;", "gt;", "quot;",
					     "apos;" };
	size_t i;

	x->p++;
	if (*x->p == '#') {
		x->p++;
		if (!isxdigit((unsigned char)*x->p) && *x->p != 'x')
			return fail(x, "bad character reference");
		while (isxdigit((unsigned char)*x->p) || *x->p == 'x')
			x->p++;
		if (*x->p++ != ';')
			return fail(x, "unterminated character reference");
		return true;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(x->p, names[i], strlen(names[i]))) {
			x->p += strlen(names[i]);
			return true;
		}
	return fail(x, "unknown entity");
}

/* Text up to the next '<'. */
static bool text(struct xp *x)
{
	while (*x->p && *x->p != '<') {
		if (*x->p == '&') {
			if (!entity(x))
				return false;
			continue;
		}
		if (*x->p == '>')
			return fail(x, "raw '>' in text");
		x->p++;
	}
	return true;
}

static size_t name(struct xp *x)
{
	const char *b = x->p;

	if (!isalpha((unsigned char)*x->p) && *x->p != '_')
		return 0;
	while (name_char(*x->p))
		x->p++;
	return (size_t)(x->p - b);
}

static void space(struct xp *x)
{
	while (isspace((unsigned char)*x->p))
		x->p++;
}

/* Attributes after the element name; stops at '>' or '/>'. */
static bool attributes(struct xp *x)
{
	for (;;) {
		char q;

		if (!isspace((unsigned char)*x->p) && *x->p != '>' &&
		    *x->p != '/')
			return fail(x, "attribute not separated by a space");
		space(x);
		if (*x->p == '>' || (x->p[0] == '/' && x->p[1] == '>'))
			return true;
		if (!name(x))
			return fail(x, "bad attribute name");
		if (*x->p++ != '=')
			return fail(x, "attribute without '='");
		q = *x->p++;
		if (q != '"' && q != '\'')
			return fail(x, "unquoted attribute value");
		while (*x->p != q) {
			if (!*x->p || *x->p == '<')
				return fail(x, "bad attribute value");
			if (*x->p == '&') {
				if (!entity(x))
					return false;
			} else {
				x->p++;
			}
		}
		x->p++;
	}
}

bool svgc_wellformed(const char *s, char *err, size_t len)
{
	struct xp x = { s, s, err, len };
	const char *stack[MAX_DEPTH];
	size_t lens[MAX_DEPTH];
	int depth = 0, roots = 0;

	if (!strncmp(x.p, "<?xml", 5)) {
		x.p = strstr(x.p, "?>");
		if (!x.p)
			return fail(&x, "unterminated declaration");
		x.p += 2;
	}
	for (;;) {
		const char *n;
		size_t nl;

		n = x.p;
		if (!text(&x))
			return false;
		for (; !depth && n < x.p; n++)
			if (!isspace((unsigned char)*n))
				return fail(&x, "text outside the root");
		if (depth == 0 && roots && *x.p)
			return fail(&x, "content after the root element");
		if (!*x.p)
			break;
		x.p++;
		if (*x.p == '/') {
			x.p++;
			n = x.p;
			nl = name(&x);
			if (!depth || nl != lens[depth - 1] ||
			    strncmp(n, stack[depth - 1], nl))
				return fail(&x, "mismatched closing tag");
			depth--;
			space(&x);
			if (*x.p++ != '>')
				return fail(&x, "bad closing tag");
			continue;
		}
		n = x.p;
		nl = name(&x);
		if (!nl)
			return fail(&x, "bad element name");
		if (!depth) {
			if (roots++ || nl != 3 || strncmp(n, "svg", 3))
				return fail(&x, "the root is not one <svg>");
		}
		if (!attributes(&x))
			return false;
		if (*x.p == '/') {
			x.p += 2;
			continue;
		}
		x.p++;
		if (depth == MAX_DEPTH)
			return fail(&x, "nested too deeply");
		stack[depth] = n;
		lens[depth++] = nl;
	}
	if (depth)
		return fail(&x, "unclosed <%.*s>", (int)lens[depth - 1],
			    stack[depth - 1]);
	if (!roots)
		return fail(&x, "no root element");
	return true;
}

char *svgc_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = 2 * cap + 8192);

			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
		if (!r)
			break;
	}
	fclose(f);
	buf[n] = 0;
	return buf;
}

int svgc_count(const char *hay, const char *needle)
{
	int n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}
