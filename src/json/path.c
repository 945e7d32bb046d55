/* Dotted JSON paths for error messages; see path.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/json-path.h"
#include "secshim/util.h"

/* Paths start small: a config is about 7 levels deep. */
#define PATH_FIRST_CAP 64

static void
pathbuf_reserve (struct strbuf *p, size_t extra)
{
  strbuf_reserve (p, extra, PATH_FIRST_CAP);
}

static void
pathbuf_append (struct strbuf *p, const char *s, size_t n)
{
  strbuf_append (p, s, n, PATH_FIRST_CAP);
}

/* Identifier-like keys print bare; UTF-8 letters (ſeccomp) are allowed
 * because they are exactly what a folding attack looks like. */
static bool
key_is_plain (const char *key, size_t len)
{
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) key[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
            || c >= 0x80))
        return false;
    }
  return true;
}

static bool
needs_escape (unsigned char c)
{
  return c < 0x20 || c == 0x7f || c == '`' || c == '\\' || c == '"';
}

static void
pathbuf_append_escaped (struct strbuf *p, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = (unsigned char) s[i];
      if (needs_escape (c))
        {
          char hex[5];
          snprintf (hex, sizeof hex, "\\x%02x", c);
          pathbuf_append (p, hex, 4);
        }
      else
        pathbuf_append (p, (const char *) &s[i], 1);
    }
}

void
json_pathbuf_add_key (struct strbuf *p, const char *key, size_t key_len)
{
  if (key_is_plain (key, key_len))
    {
      if (p->len > 0)
        pathbuf_append (p, ".", 1);
      pathbuf_append (p, key, key_len);
      return;
    }
  pathbuf_append (p, "[\"", 2);
  pathbuf_append_escaped (p, key, key_len);
  pathbuf_append (p, "\"]", 2);
}

/* Called for every array element the schema walks, error or not: digits by
 * hand, because snprintf here was 15% of checking a docker config. */
void
json_pathbuf_add_index (struct strbuf *p, size_t index)
{
  char tmp[32];
  char *d = tmp + sizeof tmp;
  *--d = ']';
  do
    *--d = (char) ('0' + index % 10);
  while ((index /= 10) != 0);
  *--d = '[';
  pathbuf_append (p, d, (size_t) (tmp + sizeof tmp - d));
}

void
json_pathbuf_truncate (struct strbuf *p, size_t len)
{
  if (len < p->len)
    {
      p->len = len;
      p->buf[len] = '\0';
    }
}

/* A message shows at most this much of a path: a document nested 64 deep
 * would otherwise print every "[0]".  The head and the tail are kept, cut
 * at UTF-8 character boundaries. */
#define PATH_SHOWN_MAX 160
#define PATH_SHOWN_HEAD 60

const char *
json_pathbuf_str (struct strbuf *p)
{
  size_t head = PATH_SHOWN_HEAD, tail_start;
  if (p->len == 0)
    return "top level";
  if (p->len <= PATH_SHOWN_MAX)
    return p->buf;
  tail_start = p->len - (PATH_SHOWN_MAX - PATH_SHOWN_HEAD - 3);
  while (head > 0 && ((unsigned char) p->buf[head] & 0xC0) == 0x80)
    head--;
  while (tail_start < p->len && ((unsigned char) p->buf[tail_start] & 0xC0) == 0x80)
    tail_start++;
  memcpy (p->buf + head, "...", 3);
  memmove (p->buf + head + 3, p->buf + tail_start, p->len - tail_start);
  p->len = head + 3 + (p->len - tail_start);
  p->buf[p->len] = '\0';
  return p->buf;
}

void
json_pathbuf_release (struct strbuf *p)
{
  free (p->buf);
  p->buf = NULL;
  p->len = p->cap = 0;
}

char *
json_quote_key (const char *key, size_t key_len)
{
  struct strbuf p = { 0 };
  pathbuf_reserve (&p, key_len);
  p.buf[0] = '\0';
  pathbuf_append_escaped (&p, key, key_len);
  return p.buf;
}
