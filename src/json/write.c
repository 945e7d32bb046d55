/* The canonical writer: compact JSON through yajl_gen, numbers as their
 * lexeme (never through a double, never locale-dependent), strings
 * escaped and UTF-8-validated by yajl.  Iterative, like the loader. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/util.h"

#include "path.h"

struct gen_frame
{
  const struct json_value *v;
  size_t next; /* next child to emit */
};

static const char *
gen_status_str (yajl_gen_status st)
{
  switch (st)
    {
    case yajl_gen_keys_must_be_strings:
      return "key is not a string";
    case yajl_max_depth_exceeded:
      return "nesting deeper than yajl_gen allows";
    case yajl_gen_invalid_number:
      return "invalid number";
    case yajl_gen_invalid_string:
      return "invalid UTF-8 in string";
    default:
      return "generator error";
    }
}

/* Emit a scalar, or open a container. */
static yajl_gen_status
gen_open (yajl_gen g, const struct json_value *v)
{
  switch (v->type)
    {
    case JSON_NULL:
      return yajl_gen_null (g);
    case JSON_FALSE:
      return yajl_gen_bool (g, 0);
    case JSON_TRUE:
      return yajl_gen_bool (g, 1);
    case JSON_NUMBER:
      return yajl_gen_number (g, v->str, v->len);
    case JSON_STRING:
      return yajl_gen_string (g, (const unsigned char *) v->str, v->len);
    case JSON_OBJECT:
      return yajl_gen_map_open (g);
    case JSON_ARRAY:
      return yajl_gen_array_open (g);
    }
  return yajl_gen_in_error_state;
}

static bool
value_has_nul (const struct json_value *v)
{
  return (v->type == JSON_STRING || v->type == JSON_NUMBER) && memchr (v->str, '\0', v->len) != NULL;
}

static void
gen_path (const struct gen_frame *stack, size_t depth, struct json_pathbuf *p)
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
  struct json_pathbuf p = { 0 };
  gen_path (stack, depth, &p);
  secshim_make_error (err, SECSHIM_EINPUT, "json: cannot write %s at %s", what, json_pathbuf_str (&p));
  json_pathbuf_release (&p);
  return -1;
}

static int
gen_tree (yajl_gen g, const struct json_value *root, secshim_error_t *err)
{
  cleanup_free struct gen_frame *stack = NULL;
  size_t depth = 0, cap = 0;
  const struct json_value *v = root;
  yajl_gen_status st;

  for (;;)
    {
      /* a string with NUL would not read back as the same value */
      if (value_has_nul (v))
        return gen_fail (stack, depth, "a NUL character", err);
      st = gen_open (g, v);
      if (st != yajl_gen_status_ok)
        return gen_fail (stack, depth, gen_status_str (st), err);
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
              st = top->v->type == JSON_OBJECT ? yajl_gen_map_close (g) : yajl_gen_array_close (g);
              if (st != yajl_gen_status_ok)
                return gen_fail (stack, depth - 1, gen_status_str (st), err);
              depth--;
              continue;
            }
          if (top->v->type == JSON_OBJECT)
            {
              const struct json_member *m = &top->v->members[top->next];
              if (memchr (m->key, '\0', m->key_len) != NULL)
                return gen_fail (stack, depth - 1, "a key with a NUL character", err);
              st = yajl_gen_string (g, (const unsigned char *) m->key, m->key_len);
              top->next++;
              if (st != yajl_gen_status_ok)
                return gen_fail (stack, depth, gen_status_str (st), err);
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
  const unsigned char *buf = NULL;
  size_t len = 0;
  int ret;

  *out = NULL;
  if (v == NULL)
    return secshim_make_error (err, SECSHIM_EINPUT, "json: cannot write a missing document");
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    abort ();
  yajl_gen_config (g, yajl_gen_beautify, 0);
  yajl_gen_config (g, yajl_gen_validate_utf8, 1);

  ret = gen_tree (g, v, err);
  if (ret == 0)
    {
      yajl_gen_get_buf (g, &buf, &len);
      *out = xmalloc (len + 1);
      memcpy (*out, buf, len);
      (*out)[len] = '\0';
      if (out_len)
        *out_len = len;
    }
  yajl_gen_free (g);
  return ret;
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
