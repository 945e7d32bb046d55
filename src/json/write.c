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
 * tests/unit/test_json_writer.c compares this writer with yajl_gen. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/json-path.h"
#include "secshim/json.h"
#include "secshim/util.h"

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

/* yajl_string_validate_utf8, byte for byte. */
static bool
gen_utf8_valid (const unsigned char *s, size_t len)
{
  size_t i = 0;
  while (i < len)
    {
      unsigned char c = s[i];
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
        return false;
      for (size_t k = 1; k <= more; k++)
        if (i + k >= len || (s[i + k] >> 6) != 0x2)
          return false;
      i += more + 1;
    }
  return true;
}

/* What yajl_string_encode writes for byte c, or NULL when c goes raw. */
static const char *
escape_for (unsigned char c, char hex[7])
{
  static const char digits[] = "0123456789ABCDEF";
  switch (c)
    {
    case '\r':
      return "\\r";
    case '\n':
      return "\\n";
    case '\\':
      return "\\\\";
    case '"':
      return "\\\"";
    case '\f':
      return "\\f";
    case '\b':
      return "\\b";
    case '\t':
      return "\\t";
    default:
      if (c >= 0x20)
        return NULL;
      memcpy (hex, "\\u00", 4);
      hex[4] = digits[c >> 4];
      hex[5] = digits[c & 0x0f];
      hex[6] = '\0';
      return hex;
    }
}

/* true if every byte of s[0..len) is written raw and is ASCII (so valid
 * UTF-8): 0x20..0x7f except '"' and '\\'.  Nearly every string of a config
 * is; checked eight bytes at a time with the classic has-zero-byte test. */
static bool
string_is_plain (const unsigned char *s, size_t len)
{
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  size_t i = 0;
#define HAS_ZERO_BYTE(x) (((x) -ones) & ~(x) &highs)
  for (; i + 8 <= len; i += 8)
    {
      uint64_t w;
      memcpy (&w, s + i, sizeof w);
      if ((w & highs) || (((w - 0x20 * ones) & ~w) & highs) || HAS_ZERO_BYTE (w ^ ('"' * ones))
          || HAS_ZERO_BYTE (w ^ ('\\' * ones)))
        return false;
    }
#undef HAS_ZERO_BYTE
  for (; i < len; i++)
    if (s[i] < 0x20 || s[i] >= 0x80 || s[i] == '"' || s[i] == '\\')
      return false;
  return true;
}

/* Quoted and escaped; false (nothing written) for invalid UTF-8. */
static bool
out_string (struct strbuf *o, const char *str, size_t len)
{
  const unsigned char *s = (const unsigned char *) str;
  size_t beg = 0;
  char hex[7];

  if (string_is_plain (s, len))
    {
      out_reserve (o, len + 2);
      o->buf[o->len++] = '"';
      memcpy (o->buf + o->len, s, len);
      o->len += len;
      o->buf[o->len++] = '"';
      return true;
    }
  if (!gen_utf8_valid (s, len))
    return false;
  /* the common case, nothing to escape, costs one reserve */
  out_reserve (o, len + 2);
  o->buf[o->len++] = '"';
  for (size_t end = 0; end < len; end++)
    {
      if (s[end] >= 0x20 && s[end] != '"' && s[end] != '\\')
        continue;
      const char *esc = escape_for (s[end], hex);
      out_append (o, str + beg, end - beg);
      out_append (o, esc, strlen (esc));
      beg = end + 1;
    }
  out_append (o, str + beg, len - beg);
  out_char (o, '"');
  return true;
}

static bool
value_has_nul (const struct json_value *v)
{
  return (v->type == JSON_STRING || v->type == JSON_NUMBER) && memchr (v->str, '\0', v->len) != NULL;
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
      out_append (o, v->str, v->len);
      return 0;
    case JSON_STRING:
      if (!out_string (o, v->str, v->len))
        return gen_fail (stack, depth, "invalid UTF-8 in string", err);
      return 0;
    case JSON_OBJECT:
    case JSON_ARRAY:
      if (depth + 1 >= GEN_MAX_DEPTH)
        return gen_fail (stack, depth, "nesting deeper than yajl_gen allows", err);
      out_char (o, v->type == JSON_OBJECT ? '{' : '[');
      return 0;
    }
  return gen_fail (stack, depth, "generator error", err);
}

static int
gen_tree (struct strbuf *o, const struct json_value *root, secshim_error_t *err)
{
  cleanup_free struct gen_frame *stack = NULL;
  size_t depth = 0, cap = 0;
  const struct json_value *v = root;

  for (;;)
    {
      /* a string with NUL would not read back as the same value */
      if (value_has_nul (v))
        return gen_fail (stack, depth, "a NUL character", err);
      if (gen_open (o, v, stack, depth, err) < 0)
        return -1;
      if (v->type == JSON_OBJECT || v->type == JSON_ARRAY)
        {
          if (depth == cap)
            {
              cap = cap ? cap * 2 : 16;
              stack = xreallocarray (stack, cap, sizeof *stack);
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
              if (memchr (m->key, '\0', m->key_len) != NULL)
                return gen_fail (stack, depth - 1, "a key with a NUL character", err);
              top->next++;
              if (!out_string (o, m->key, m->key_len))
                return gen_fail (stack, depth, "invalid UTF-8 in string", err);
              out_char (o, ':');
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
  if (gen_tree (&o, v, err) < 0)
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
