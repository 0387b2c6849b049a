// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lexer: splits the input into statements (one a line, comments and
 * blank lines dropped), statements into words separated by blanks, and
 * reads integers and sizes inside words, checking every number for
 * overflow.  Statements hold printable ASCII only; comments may hold any
 * bytes.
 */
#include <string.h>

#include "internal.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Moves to the next line that holds a statement.  Sets p->line to it, cut
 * at the first '#' and without trailing blanks.  False at the end.
 */
bool lex_next_line(struct scn_parser *p)
{
	while (p->pos < p->len) {
		const char *start = p->buf + p->pos;
		size_t rest = p->len - p->pos;
		const char *nl = memchr(start, '\n', rest);
		size_t n = nl ? (size_t)(nl - start) : rest;
		const char *hash = memchr(start, '#', n);

		p->pos += n + (nl != NULL);
		p->lineno++;
		if (hash)
			n = (size_t)(hash - start);
		while (n && is_blank(start[n - 1]))
			n--;
		if (!n)
			continue;
		p->line = start;
		p->line_len = (int)n;	/* input < INT_MAX bytes */
		p->lpos = 0;
		return true;
	}
	return false;
}

/* Next word: 1, 0 at the end of the statement, -1 on a bad byte. */
int lex_next(struct scn_parser *p, struct scn_tok *t)
{
	int i = p->lpos, start;

	while (i < p->line_len && is_blank(p->line[i]))
		i++;
	start = i;
	for (; i < p->line_len && !is_blank(p->line[i]); i++) {
		unsigned char c = (unsigned char)p->line[i];

		if (c < 0x21 || c > 0x7e)
			return scn_error(p, i + 1,
					 "expected printable ASCII, got byte 0x%02x",
					 c);
	}
	p->lpos = i;
	if (i == start)
		return 0;
	t->s = p->line + start;
	t->len = i - start;
	t->col = start + 1;
	return 1;
}

int lex_peek(struct scn_parser *p, struct scn_tok *t)
{
	int saved = p->lpos, r = lex_next(p, t);

	p->lpos = saved;
	return r;
}

/* The column just after the statement, for "got end of line". */
int lex_eol_col(const struct scn_parser *p)
{
	return p->line_len + 1;
}

/* Next word, which must be there: 0, or -1 after an error. */
int lex_need(struct scn_parser *p, struct scn_tok *t, const char *what)
{
	int r = lex_next(p, t);

	if (r < 0)
		return -1;
	if (!r)
		return scn_error(p, lex_eol_col(p),
				 "expected %s, got end of line", what);
	return 0;
}

/* The statement must end here. */
int lex_end(struct scn_parser *p)
{
	struct scn_tok t;
	char q[SCN_QUOTE_LEN];
	int r = lex_next(p, &t);

	if (r <= 0)
		return r;
	return scn_error(p, t.col, "expected end of line, got '%s'",
			 tok_quote(&t, q, sizeof(q)));
}

bool tok_is(const struct scn_tok *t, const char *word)
{
	size_t n = strlen(word);

	return (size_t)t->len == n && !memcmp(t->s, word, n);
}

/* @t as a C string for a message, cut to fit @len with "...". */
const char *tok_quote(const struct scn_tok *t, char *buf, size_t len)
{
	size_t n = (size_t)t->len;

	if (n + 4 > len)
		n = len > 4 ? len - 4 : 0;
	memcpy(buf, t->s, n);
	strcpy(buf + n, (size_t)t->len > n ? "..." : "");
	return buf;
}

static bool is_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* Length of the name at the start of @s (at most @len), 0 if none. */
int scan_name(const char *s, int len)
{
	int i = 0;

	while (i < len && is_name_char(s[i], i == 0))
		i++;
	return i;
}

/* NAME := [A-Za-z_][A-Za-z0-9_]* */
int tok_name(struct scn_parser *p, const struct scn_tok *t, const char *what)
{
	char q[SCN_QUOTE_LEN];

	if (scan_name(t->s, t->len) == t->len)
		return 0;
	return scn_error(p, t->col, "expected %s, got '%s'", what,
			 tok_quote(t, q, sizeof(q)));
}

static int digit_value(char c, unsigned int base)
{
	int v = -1;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (base == 16 && c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (base == 16 && c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	return v;
}

/*
 * INTEGER := [0-9]+ | 0x[0-9A-Fa-f]+, read from @t at *@off; *@off moves
 * past it.  @what names the expected thing in messages.
 */
int scan_uint(struct scn_parser *p, const struct scn_tok *t, int *off,
	      uint64_t *out, const char *what)
{
	unsigned int base = 10;
	int i = *off, start;
	uint64_t n = 0;
	char q[SCN_QUOTE_LEN];
	int d;

	if (t->len - i > 2 && t->s[i] == '0' &&
	    (t->s[i + 1] == 'x' || t->s[i + 1] == 'X') &&
	    digit_value(t->s[i + 2], 16) >= 0) {
		base = 16;
		i += 2;
	}
	for (start = i; i < t->len; i++) {
		d = digit_value(t->s[i], base);
		if (d < 0)
			break;
		if (n > (UINT64_MAX - (uint64_t)d) / base)
			return scn_error(p, t->col + *off,
					 "expected %s, got '%s' (too large)",
					 what, tok_quote(t, q, sizeof(q)));
		n = n * base + (uint64_t)d;
	}
	if (i == start)
		return scn_error(p, t->col + *off, "expected %s, got '%s'",
				 what, tok_quote(t, q, sizeof(q)));
	*off = i;
	*out = n;
	return 0;
}

/* A whole word that is an INTEGER. */
int tok_uint(struct scn_parser *p, const struct scn_tok *t, uint64_t *out,
	     const char *what)
{
	char q[SCN_QUOTE_LEN];
	int off = 0;

	if (scan_uint(p, t, &off, out, what))
		return -1;
	if (off != t->len)
		return scn_error(p, t->col, "expected %s, got '%s'", what,
				 tok_quote(t, q, sizeof(q)));
	return 0;
}

/* SIZE := INTEGER [K|M|G], binary multiples. */
int scan_size(struct scn_parser *p, const struct scn_tok *t, int *off,
	      uint64_t *out)
{
	static const char what[] = "a size such as 2M";
	static const char suffixes[] = "KMG";
	char q[SCN_QUOTE_LEN];
	int col = t->col + *off;
	unsigned int shift = 0;
	uint64_t n;

	if (scan_uint(p, t, off, &n, what))
		return -1;
	if (*off < t->len) {
		const char *sfx = strchr(suffixes, t->s[*off]);

		if (sfx && *sfx) {
			shift = 10 * (unsigned int)(sfx - suffixes + 1);
			(*off)++;
		}
	}
	if (n > (UINT64_MAX >> shift))
		return scn_error(p, col, "expected %s, got '%s' (too large)",
				 what, tok_quote(t, q, sizeof(q)));
	*out = n << shift;
	return 0;
}

/* A whole word that is a SIZE. */
int tok_size(struct scn_parser *p, const struct scn_tok *t, uint64_t *out)
{
	char q[SCN_QUOTE_LEN];
	int off = 0;

	if (scan_size(p, t, &off, out))
		return -1;
	if (off != t->len)
		return scn_error(p, t->col,
				 "expected a size such as 2M, got '%s'",
				 tok_quote(t, q, sizeof(q)));
	return 0;
}
