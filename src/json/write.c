/* The canonical writer: compact JSON, numbers as their lexeme (never
 * through a double, never locale-dependent), iterative like the loader.
 *
 * It writes the bytes yajl_gen (yajl 2.1, beautify off, validate_utf8 on,
 * escape_solidus off) writes, into one growing buffer: yajl_gen_string was
 * a fifth of checking a docker config, mostly per-character calls through
 * its print callback.  What yajl does and this file repeats:
 *   - strings: '"' and '\\' escaped, \b \f \n \r \t by name, the other
 *     bytes below 0x20 as \u00XX with upper-case hex; '/', DEL and all
 *     non-ASCII bytes raw;
 *   - yajl_string_validate_utf8: only lead and continuation bit patterns
 *     are checked (the loader's strict check already ran on parsed text);
 *   - YAJL_MAX_DEPTH: opening the 128th nested container fails;
 *   - numbers verbatim, without validation.
 * A string or key the loader found needs no escape (node.h) is copied
 * whole.
 * tests/unit/test_json_writer.c compares this writer with yajl_gen. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/json-path.h"
#include "secshim/json.h"
#include "secshim/util.h"

#include "node.h"

/* yajl_gen.c: YAJL_MAX_DEPTH */
#define GEN_MAX_DEPTH 128

struct gen_frame
{
  const struct json_value *v;
  size_t next; /* next child to emit */
};

/* The output grows from 4 KiB: a docker config is about 9 KiB. */
#define OUT_FIRST_CAP 4096

static void
out_reserve (struct strbuf *o, size_t extra)
{
  strbuf_reserve (o, extra, OUT_FIRST_CAP);
}

static void
out_append (struct strbuf *o, const char *s, size_t n)
{
  strbuf_append (o, s, n, OUT_FIRST_CAP);
}

static void
out_char (struct strbuf *o, char c)
{
  out_reserve (o, 1);
  o->buf[o->len++] = c;
}

/* The length of the UTF-8 sequence at s[0..len) as
 * yajl_string_validate_utf8 accepts it (only lead and continuation bit
 * patterns are checked), or 0 when it would refuse the string. */
static size_t
gen_utf8_seq (const unsigned char *s, size_t len)
{
  unsigned char c = s[0];
  size_t more;
  if (c <= 0x7f)
    more = 0;
  else if ((c >> 5) == 0x6)
    more = 1;
  else if ((c >> 4) == 0xe)
    more = 2;
  else if ((c >> 3) == 0x1e)
    more = 3;
  else
    return 0;
  for (size_t k = 1; k <= more; k++)
    if (k >= len || (s[k] >> 6) != 0x2)
      return 0;
  return more + 1;
}

/* yajl_string_encode's escape of an ASCII byte c that is not raw, written
 * to out (room for 6); returns its length.  '"', '\\' and \b \f \n \r \t
 * by name, the other bytes below 0x20 as \u00XX with upper-case hex. */
static size_t
put_escape (char *out, unsigned char c)
{
  static const char digits[] = "0123456789ABCDEF";
  char named = 0;
  switch (c)
    {
    case '\r':
      named = 'r';
      break;
    case '\n':
      named = 'n';
      break;
    case '\\':
      named = '\\';
      break;
    case '"':
      named = '"';
      break;
    case '\f':
      named = 'f';
      break;
    case '\b':
      named = 'b';
      break;
    case '\t':
      named = 't';
      break;
    default:
      break;
    }
  out[0] = '\\';
  if (named)
    {
      out[1] = named;
      return 2;
    }
  memcpy (out + 1, "u00", 3);
  out[4] = digits[c >> 4];
  out[5] = digits[c & 0x0f];
  return 6;
}

/* true for a byte written raw that needs no UTF-8 look: 0x20..0x7f except
 * '"' and '\\'. */
static bool
byte_is_plain (unsigned char c)
{
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The index of the first byte of s[i..len) that is not plain (len when
 * none is): eight bytes at a time.  A tail shorter than eight bytes of a
 * string of eight or more is read as the string's last eight bytes,
 * shifted so that the bytes before i (which may be anything) drop out and
 * plain 'a's fill in. */
static size_t
plain_run_end (const unsigned char *s, size_t i, size_t len)
{
  uint64_t w, hit;
  for (; i + 8 <= len; i += 8)
    {
      memcpy (&w, s + i, sizeof w);
      hit = json_word_not_plain (w);
      if (hit)
        return i + (size_t) (__builtin_ctzll (hit) / 8);
    }
  if (i < len && len >= 8)
    {
      unsigned shift = (unsigned) (i - (len - 8)) * 8; /* 8..56 */
      memcpy (&w, s + len - 8, sizeof w);
      w = (w >> shift) | (0x6161616161616161ull << (64 - shift));
      hit = json_word_not_plain (w);
      return hit ? i + (size_t) (__builtin_ctzll (hit) / 8) : len;
    }
  while (i < len && byte_is_plain (s[i]))
    i++;
  return i;
}

enum string_status
{
  STRING_OK,
  STRING_HAS_NUL,
  STRING_BAD_UTF8,
};

/* Quoted and escaped.  Runs of plain bytes are copied whole; a non-ASCII
 * sequence is checked where it starts, as yajl_string_validate_utf8 walks
 * the string, and written raw.  On failure the output is left partly
 * written (json_write then fails as a whole), and, as before, a NUL
 * anywhere is reported before invalid UTF-8. */
static enum string_status
out_string (struct strbuf *o, const char *str, size_t len)
{
  const unsigned char *s = (const unsigned char *) str;
  size_t beg = 0, i = 0;

  /* the common case, nothing to escape, costs one reserve */
  out_reserve (o, len + 2);
  o->buf[o->len++] = '"';
  for (;;)
    {
      i = plain_run_end (s, i, len);
      if (i == len)
        break;
      if (s[i] >= 0x80)
        {
          size_t n = gen_utf8_seq (s + i, len - i);
          if (n == 0)
            return memchr (s, '\0', len) ? STRING_HAS_NUL : STRING_BAD_UTF8;
          i += n;
          continue;
        }
      if (s[i] == '\0')
        return STRING_HAS_NUL;
      out_reserve (o, i - beg + 6);
      memcpy (o->buf + o->len, str + beg, i - beg);
      o->len += i - beg;
      o->len += put_escape (o->buf + o->len, s[i]);
      beg = ++i;
    }
  out_reserve (o, len - beg + 1);
  memcpy (o->buf + o->len, str + beg, len - beg);
  o->len += len - beg;
  o->buf[o->len++] = '"';
  return STRING_OK;
}

/* d[0..n) = s[0..n).  Most strings of a config are 4 to 16 bytes long:
 * two overlapping loads and stores each, no call into memcpy. */
static inline void
copy_short (char *d, const char *s, size_t n)
{
  uint64_t a, b;
  uint32_t c, e;
  if (n >= 8 && n <= 16)
    {
      memcpy (&a, s, sizeof a);
      memcpy (&b, s + n - 8, sizeof b);
      memcpy (d, &a, sizeof a);
      memcpy (d + n - 8, &b, sizeof b);
    }
  else if (n >= 4 && n < 8)
    {
      memcpy (&c, s, sizeof c);
      memcpy (&e, s + n - 4, sizeof e);
      memcpy (d, &c, sizeof c);
      memcpy (d + n - 4, &e, sizeof e);
    }
  else
    memcpy (d, s, n);
}

/* A text the loader found needs no escape (node.h), quoted, and then
 * `after` when it is not 0: one reserve, one copy.  Inlined in its two
 * callers: it runs for most strings and keys of a document, and as a call
 * it cost about as much again as its work. */
static inline __attribute__ ((always_inline)) void
out_plain_string (struct strbuf *o, const char *s, size_t len, char after)
{
  char *p;
  out_reserve (o, len + 3);
  p = o->buf + o->len;
  p[0] = '"';
  copy_short (p + 1, s, len);
  p[len + 1] = '"';
  o->len += len + 2;
  if (after)
    o->buf[o->len++] = after;
}

static void
gen_path (const struct gen_frame *stack, size_t depth, struct strbuf *p)
{
  for (size_t i = 0; i < depth; i++)
    {
      const struct json_value *c = stack[i].v;
      size_t idx = stack[i].next - 1;
      if (c->type == JSON_OBJECT)
        json_pathbuf_add_key (p, c->members[idx].key, c->members[idx].key_len);
      else
        json_pathbuf_add_index (p, idx);
    }
}

static int
gen_fail (const struct gen_frame *stack, size_t depth, const char *what, secshim_error_t *err)
{
  struct strbuf p = { 0 };
  gen_path (stack, depth, &p);
  secshim_make_error (err, SECSHIM_EINPUT, "json: cannot write %s at %s", what, json_pathbuf_str (&p));
  json_pathbuf_release (&p);
  return -1;
}

/* Emit a scalar, or open a container (the caller pushes its frame). */
static int
gen_open (struct strbuf *o, const struct json_value *v, const struct gen_frame *stack, size_t depth,
          secshim_error_t *err)
{
  switch (v->type)
    {
    case JSON_NULL:
      out_append (o, "null", 4);
      return 0;
    case JSON_FALSE:
      out_append (o, "false", 5);
      return 0;
    case JSON_TRUE:
      out_append (o, "true", 4);
      return 0;
    case JSON_NUMBER:
      /* a number with NUL would not read back as the same value */
      if (memchr (v->str, '\0', v->len) != NULL)
        return gen_fail (stack, depth, "a NUL character", err);
      out_append (o, v->str, v->len);
      return 0;
    case JSON_STRING:
      if (json_node_text_plain (v))
        {
          out_plain_string (o, v->str, v->len, 0);
          return 0;
        }
      switch (out_string (o, v->str, v->len))
        {
        case STRING_OK:
          return 0;
        case STRING_HAS_NUL:
          return gen_fail (stack, depth, "a NUL character", err);
        case STRING_BAD_UTF8:
          return gen_fail (stack, depth, "invalid UTF-8 in string", err);
        }
      return gen_fail (stack, depth, "generator error", err);
    case JSON_OBJECT:
    case JSON_ARRAY:
      if (depth + 1 >= GEN_MAX_DEPTH)
        return gen_fail (stack, depth, "nesting deeper than yajl_gen allows", err);
      out_char (o, v->type == JSON_OBJECT ? '{' : '[');
      return 0;
    }
  return gen_fail (stack, depth, "generator error", err);
}

/* Where the output goes: all into o, or, with a sink, in pieces of about
 * WRITE_PIECE bytes handed to it as they fill. */
struct gen_sink
{
  json_write_sink *fn;
  void *opaque;
};

#define WRITE_PIECE ((size_t) 64 * 1024)

/* 0, the sink's positive stop value, or -1. */
static int
gen_tree (struct strbuf *o, const struct json_value *root, const struct gen_sink *sink, secshim_error_t *err)
{
  /* a config nests about eight deep: the frames on the C stack, a
   * malloc'd copy only past that */
  struct gen_frame small[16];
  cleanup_free struct gen_frame *heap = NULL;
  struct gen_frame *stack = small;
  size_t depth = 0, cap = sizeof small / sizeof small[0];
  const struct json_value *v = root;

  for (;;)
    {
      if (sink && o->len >= WRITE_PIECE)
        {
          int r = sink->fn (sink->opaque, o->buf, o->len, err);
          if (r != 0)
            return r;
          o->len = 0;
        }
      if (gen_open (o, v, stack, depth, err) < 0)
        return -1;
      if (v->type == JSON_OBJECT || v->type == JSON_ARRAY)
        {
          if (depth == cap)
            {
              cap *= 2;
              heap = xreallocarray (heap, cap, sizeof *heap);
              if (stack == small)
                memcpy (heap, small, sizeof small);
              stack = heap;
            }
          stack[depth++] = (struct gen_frame){ .v = v, .next = 0 };
        }
      /* find the next value to emit, closing finished containers */
      v = NULL;
      while (depth > 0 && v == NULL)
        {
          struct gen_frame *top = &stack[depth - 1];
          if (top->next == top->v->count)
            {
              out_char (o, top->v->type == JSON_OBJECT ? '}' : ']');
              depth--;
              continue;
            }
          if (top->next > 0)
            out_char (o, ',');
          if (top->v->type == JSON_OBJECT)
            {
              const struct json_member *m = &top->v->members[top->next];
              top->next++;
              if (top->v->flags & JSON_FLAG_KEYS_PLAIN)
                out_plain_string (o, m->key, m->key_len, ':');
              else
                {
                  enum string_status st = out_string (o, m->key, m->key_len);
                  /* the path of a key's NUL leaves the key out: depth - 1 */
                  if (st == STRING_HAS_NUL)
                    return gen_fail (stack, depth - 1, "a key with a NUL character", err);
                  if (st != STRING_OK)
                    return gen_fail (stack, depth, "invalid UTF-8 in string", err);
                  out_char (o, ':');
                }
              v = m->value;
            }
          else
            v = top->v->items[top->next++];
          if (v == NULL)
            return gen_fail (stack, depth, "a missing value", err);
        }
      if (v == NULL)
        return 0;
    }
}

int
json_write (const struct json_value *v, char **out, size_t *out_len, secshim_error_t *err)
{
  struct strbuf o = { 0 };

  *out = NULL;
  if (v == NULL)
    return secshim_make_error (err, SECSHIM_EINPUT, "json: cannot write a missing document");
  if (gen_tree (&o, v, NULL, err) < 0)
    {
      free (o.buf);
      return -1;
    }
  out_reserve (&o, 0);
  o.buf[o.len] = '\0';
  *out = o.buf;
  if (out_len)
    *out_len = o.len;
  return 0;
}

int
json_write_stream (const struct json_value *v, json_write_sink *fn, void *opaque, secshim_error_t *err)
{
  struct gen_sink sink = { fn, opaque };
  cleanup_free char *buf = NULL;
  struct strbuf o = { 0 };
  int r;

  if (v == NULL)
    return secshim_make_error (err, SECSHIM_EINPUT, "json: cannot write a missing document");
  r = gen_tree (&o, v, &sink, err);
  buf = o.buf;
  if (r != 0)
    return r;
  return fn (opaque, o.buf ? o.buf : "", o.len, err);
}

/* Back up to the start of a UTF-8 sequence so truncation never splits a
 * character. */
static size_t
utf8_boundary (const char *s, size_t n)
{
  while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
    n--;
  return n;
}

char *
json_render_short (const struct json_value *v, size_t max_len)
{
  secshim_error_t err = NULL;
  char *text = NULL;
  size_t len = 0;

  if (json_write (v, &text, &len, &err) < 0)
    {
      secshim_error_release (&err);
      return xstrdup ("(unrenderable)");
    }
  if (len <= max_len)
    return text;
  size_t cut = utf8_boundary (text, max_len);
  char *short_text = xmalloc (cut + 4);
  memcpy (short_text, text, cut);
  memcpy (short_text + cut, "...", 4);
  free (text);
  return short_text;
}
