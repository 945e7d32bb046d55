/* json_write against yajl_gen: the hand-written writer (src/json/write.c)
 * must produce exactly the bytes yajl_gen produces (beautify off,
 * validate_utf8 on), and refuse exactly what yajl_gen refuses: invalid
 * UTF-8 by yajl's own check and nesting past YAJL_MAX_DEPTH.  The
 * reference here is a plain yajl_gen walk, as json_write was before.
 * Trees come from the constructors (no JSON_FLAG_TEXT_PLAIN or _KEYS_PLAIN)
 * and from the loader (flags set where nothing needs an escape), and the
 * functions that change keys or values must leave the output what yajl_gen
 * writes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/util.h"
#include "tap.h"

#include "../../src/json/node.h"

/* ---- reference: recursion is fine for test trees of bounded depth ---- */

static yajl_gen_status
ref_gen (yajl_gen g, const struct json_value *v)
{
  yajl_gen_status st;
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
      if ((st = yajl_gen_map_open (g)) != yajl_gen_status_ok)
        return st;
      for (size_t i = 0; i < v->count; i++)
        {
          st = yajl_gen_string (g, (const unsigned char *) v->members[i].key, v->members[i].key_len);
          if (st != yajl_gen_status_ok || (st = ref_gen (g, v->members[i].value)) != yajl_gen_status_ok)
            return st;
        }
      return yajl_gen_map_close (g);
    case JSON_ARRAY:
      if ((st = yajl_gen_array_open (g)) != yajl_gen_status_ok)
        return st;
      for (size_t i = 0; i < v->count; i++)
        if ((st = ref_gen (g, v->items[i])) != yajl_gen_status_ok)
          return st;
      return yajl_gen_array_close (g);
    }
  return yajl_gen_in_error_state;
}

/* yajl's output, or NULL with *st set on refusal. */
static char *
ref_write (const struct json_value *v, yajl_gen_status *st)
{
  const unsigned char *buf;
  size_t len;
  char *out = NULL;
  yajl_gen g = yajl_gen_alloc (NULL);
  yajl_gen_config (g, yajl_gen_beautify, 0);
  yajl_gen_config (g, yajl_gen_validate_utf8, 1);
  *st = ref_gen (g, v);
  if (*st == yajl_gen_status_ok)
    {
      yajl_gen_get_buf (g, &buf, &len);
      out = xstrndup ((const char *) buf, len);
    }
  yajl_gen_free (g);
  return out;
}

/* ---- random trees ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t
next_rand (void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t) (rng >> 32);
}

/* Bytes 1..255 (no NUL: both writers refuse it before encoding), biased to
 * what needs escaping and to UTF-8 lead/continuation bytes; valid UTF-8
 * only when asked. */
static char *
random_bytes (size_t *len, bool valid_utf8)
{
  size_t n = next_rand () % 24, k = 0;
  char *s = xmalloc (n * 4 + 1);
  for (size_t i = 0; i < n; i++)
    {
      uint32_t r = next_rand () % 10;
      if (r < 3)
        s[k++] = (char) (1 + next_rand () % 0x20); /* controls and space */
      else if (r < 4)
        s[k++] = "\"\\/\x7f`"[next_rand () % 5];
      else if (r < 6)
        s[k++] = (char) (0x20 + next_rand () % 0x5f);
      else if (valid_utf8)
        {
          /* U+00E9, U+2028, U+1F600 */
          static const char *const seqs[] = { "\xC3\xA9", "\xE2\x80\xA8", "\xF0\x9F\x98\x80" };
          const char *q = seqs[next_rand () % 3];
          memcpy (s + k, q, strlen (q));
          k += strlen (q);
        }
      else
        s[k++] = (char) (0x80 + next_rand () % 0x80);
    }
  s[k] = '\0';
  *len = k;
  return s;
}

static struct json_value *
random_tree (unsigned depth, bool valid_utf8)
{
  uint32_t r = next_rand () % (depth > 4 ? 6 : 8);
  size_t len;
  char *s;
  struct json_value *v;
  static const char *const numbers[] = { "0", "-1", "1e3", "18446744073709551615", "3.25E-7" };

  switch (r)
    {
    case 0:
      return json_new_null ();
    case 1:
      return json_new_bool (next_rand () & 1);
    case 2:
      return json_new_number_lexeme (numbers[next_rand () % 5]);
    case 3:
    case 4:
    case 5:
      s = random_bytes (&len, valid_utf8);
      v = json_new_stringn (s, len);
      free (s);
      return v;
    case 6:
      v = json_new_object ();
      for (uint32_t i = next_rand () % 5; i > 0; i--)
        {
          s = random_bytes (&len, valid_utf8);
          if (json_get (v, s) == NULL)
            json_set (v, s, random_tree (depth + 1, valid_utf8));
          free (s);
        }
      return v;
    default:
      v = json_new_array ();
      for (uint32_t i = next_rand () % 5; i > 0; i--)
        json_array_append (v, random_tree (depth + 1, valid_utf8));
      return v;
    }
}

/* true when json_write agrees with yajl_gen on v */
static bool
same_as_yajl (const struct json_value *v, const char *what, size_t n)
{
  yajl_gen_status st;
  char *want = ref_write (v, &st);
  char *got = NULL;
  size_t got_len = 0;
  secshim_error_t err = NULL;
  int ret = json_write (v, &got, &got_len, &err);
  bool ok;

  if (want != NULL)
    ok = ret == 0 && got_len == strlen (want) && memcmp (got, want, got_len) == 0;
  else
    ok = ret < 0
         && strstr (err->msg,
                    st == yajl_max_depth_exceeded ? "nesting deeper than yajl_gen allows" : "invalid UTF-8 in string")
                != NULL;
  if (!ok)
    tap_diag ("%s %zu: yajl %s, json_write %s", what, n, want ? want : "refused", ret == 0 ? got : err->msg);
  free (want);
  free (got);
  if (err)
    secshim_error_release (&err);
  return ok;
}

static void
test_random (bool valid_utf8, const char *what)
{
  size_t agree = 0, refused = 0, total = 3000;
  for (size_t n = 0; n < total; n++)
    {
      struct json_value *v = random_tree (0, valid_utf8);
      yajl_gen_status st;
      char *want = ref_write (v, &st);
      refused += want == NULL;
      free (want);
      agree += same_as_yajl (v, what, n);
      json_free (v);
    }
  TAP_CHECK (agree == total, "%s: json_write == yajl_gen on %zu of %zu random trees", what, agree, total);
  if (!valid_utf8)
    TAP_CHECK (refused > 0 && refused < total, "%s: some trees refused (%zu), some not", what, refused);
}

static void
test_every_byte (void)
{
  size_t agree = 0;
  for (unsigned c = 1; c < 256; c++)
    {
      char s[4] = { 'a', (char) c, 'b', '\0' };
      struct json_value *v = json_new_array ();
      json_array_append (v, json_new_string (s));
      struct json_value *o = json_new_object ();
      json_set (o, s, json_new_null ());
      json_array_append (v, o);
      agree += same_as_yajl (v, "byte", c);
      json_free (v);
    }
  TAP_CHECK (agree == 255, "every byte 0x01..0xFF, in a string and a key: %zu of 255 agree", agree);
}

/* The writer scans strings eight bytes at a time and reads a short tail as
 * the string's last eight bytes, shifted: put every byte at every position
 * of strings of 1..24 bytes, followed by the byte one above it (what the
 * has-zero-byte test's borrow could flag falsely), also after an escape
 * and after a non-ASCII character earlier in the string. */
static void
test_every_position (void)
{
  static const char *const leads[] = { "", "\"", "\xC3\xA9" };
  size_t agree = 0, total = 0;
  for (size_t l = 0; l < 3; l++)
    for (size_t len = 1; len <= 24; len++)
      for (size_t pos = 0; pos < len; pos++)
        for (unsigned c = 1; c < 256; c++)
          {
            char s[40];
            size_t k = strlen (leads[l]);
            memcpy (s, leads[l], k);
            memset (s + k, 'x', len);
            s[k + pos] = (char) c;
            if (pos + 1 < len && (c ^ 1) != 0)
              s[k + pos + 1] = (char) (c ^ 1);
            s[k + len] = '\0';
            struct json_value *v = json_new_string (s);
            agree += same_as_yajl (v, "position", total);
            total++;
            json_free (v);
          }
  TAP_CHECK (agree == total, "every byte at every position of 1..24-byte strings: %zu of %zu agree", agree, total);
}

static void
test_depth (void)
{
  for (unsigned depth = 125; depth <= 130; depth++)
    {
      struct json_value *root = json_new_array (), *cur = root;
      for (unsigned i = 1; i < depth; i++)
        {
          struct json_value *next = i % 2 ? json_new_object () : json_new_array ();
          if (cur->type == JSON_ARRAY)
            json_array_append (cur, next);
          else
            json_set (cur, "k", next);
          cur = next;
        }
      TAP_CHECK (same_as_yajl (root, "depth", depth), "%u nested containers: same result as yajl_gen", depth);
      json_free (root);
    }
}

/* ---- parsed trees: the loader's flags (node.h) ---- */

struct flag_count
{
  size_t plain_strings, other_strings, plain_objects, other_objects;
};

static void
count_flags (const struct json_value *v, struct flag_count *c)
{
  if (v->type == JSON_STRING)
    {
      if (json_node_text_plain (v))
        c->plain_strings++;
      else
        c->other_strings++;
    }
  else if (v->type == JSON_OBJECT)
    {
      if (v->flags & JSON_FLAG_KEYS_PLAIN)
        c->plain_objects++;
      else
        c->other_objects++;
      for (size_t i = 0; i < v->count; i++)
        count_flags (v->members[i].value, c);
    }
  else if (v->type == JSON_ARRAY)
    for (size_t i = 0; i < v->count; i++)
      count_flags (v->items[i], c);
}

static struct json_value *
parse_text (const char *text)
{
  struct json_value *v = NULL;
  secshim_error_t err = NULL;
  if (json_parse (text, strlen (text), NULL, &v, &err) < 0)
    {
      tap_diag ("parse: %s", err->msg);
      secshim_error_release (&err);
      return NULL;
    }
  return v;
}

/* A plain string or key (node.h) is copied with overlapping loads and
 * stores by its length class: every length 0..40, as a value and as a
 * key, parsed (flags set), written as yajl_gen writes it. */
static void
test_plain_lengths (void)
{
  size_t agree = 0, plain = 0;
  for (size_t len = 0; len <= 40; len++)
    {
      char text[128], s[48];
      for (size_t i = 0; i < len; i++)
        s[i] = (char) ('A' + i % 26);
      s[len] = '\0';
      snprintf (text, sizeof text, "[\"%s\",{\"%s\":1}]", s, s);
      struct json_value *v = parse_text (text);
      if (v == NULL)
        continue;
      plain += json_node_text_plain (v->items[0]) && (v->items[1]->flags & JSON_FLAG_KEYS_PLAIN);
      agree += same_as_yajl (v, "plain length", len);
      json_free (v);
    }
  TAP_CHECK (plain == 41, "plain strings and keys of 0..40 bytes are flagged: %zu of 41", plain);
  TAP_CHECK (agree == 41, "plain strings and keys of 0..40 bytes: %zu of 41 agree", agree);
}

/* Each random tree built by the constructors (no flag set), written, read
 * back by the loader (flags set) and cloned (flags kept): the three write
 * the same bytes as yajl_gen. */
static void
test_parsed_random (void)
{
  size_t agree = 0, total = 3000, built_flags = 0;
  struct flag_count parsed = { 0 }, cloned = { 0 };
  for (size_t n = 0; n < total; n++)
    {
      struct json_value *v = random_tree (0, true), *p, *c;
      struct flag_count built = { 0 };
      char *text = NULL;
      size_t len = 0;
      secshim_error_t err = NULL;
      if (json_write (v, &text, &len, &err) < 0)
        {
          tap_diag ("tree %zu: %s", n, err->msg);
          secshim_error_release (&err);
          json_free (v);
          continue;
        }
      count_flags (v, &built);
      built_flags += built.plain_strings + built.plain_objects;
      p = parse_text (text);
      c = p ? json_clone (p) : NULL;
      if (p && same_as_yajl (v, "built", n) && same_as_yajl (p, "parsed", n) && same_as_yajl (c, "cloned", n))
        agree++;
      if (p)
        {
          count_flags (p, &parsed);
          count_flags (c, &cloned);
        }
      json_free (c);
      json_free (p);
      json_free (v);
      free (text);
    }
  TAP_CHECK (agree == total, "built, parsed and cloned random trees: json_write == yajl_gen on %zu of %zu", agree,
             total);
  TAP_CHECK (built_flags == 0, "the constructors set no plain flag (%zu)", built_flags);
  TAP_CHECK (
      parsed.plain_strings > 0 && parsed.other_strings > 0 && parsed.plain_objects > 0 && parsed.other_objects > 0,
      "the loader flags some strings (%zu of %zu) and objects (%zu of %zu), not all", parsed.plain_strings,
      parsed.plain_strings + parsed.other_strings, parsed.plain_objects, parsed.plain_objects + parsed.other_objects);
  TAP_CHECK (memcmp (&parsed, &cloned, sizeof parsed) == 0, "json_clone keeps the flags");
}

/* ---- every way to change a parsed tree ---- */

static const char mutation_doc[] = "{\"plain\":\"text\",\"esc\":\"a\\nb\",\"obj\":{\"k1\":\"v\",\"k2\":[1,\"x\"]},"
                                   "\"arr\":[\"s\",\"t\\\"u\"],\"odd\\tkey\":{\"a\":\"1\"}}";

static bool
drop_first (struct json_member *m, size_t i, void *data)
{
  (void) m;
  (void) data;
  return i != 0;
}

static bool
rekey_first (struct json_member *m, size_t i, void *data)
{
  if (i == 0)
    {
      m->key = data;
      m->key_len = strlen (data);
    }
  return true;
}

struct mutation
{
  const char *name;
  /* changes doc; the object whose keys it touched, if any */
  struct json_value *(*apply) (struct json_value *doc, struct json_value **keep);
  bool keys_stay_plain; /* JSON_FLAG_KEYS_PLAIN of that object after */
};

static struct json_value *
m_set_new_escaped_key (struct json_value *doc, struct json_value **keep)
{
  struct json_value *o = json_get (doc, "obj");
  json_set (o, "new\"key", json_new_string ("v"));
  (void) keep;
  return o;
}

static struct json_value *
m_set_new_plain_key (struct json_value *doc, struct json_value **keep)
{
  struct json_value *o = json_get (doc, "obj");
  json_set (o, "plainkey", json_new_string ("q\tq"));
  (void) keep;
  return o;
}

static struct json_value *
m_set_non_ascii_key (struct json_value *doc, struct json_value **keep)
{
  struct json_value *o = json_get (doc, "obj");
  json_set (o, "\xC3\xA9\xE2\x80\xA8", json_new_null ());
  (void) keep;
  return o;
}

static struct json_value *
m_replace_value (struct json_value *doc, struct json_value **keep)
{
  json_set (doc, "plain", json_new_string ("x\"y\x01"));
  (void) keep;
  return NULL;
}

static struct json_value *
m_rename_escaped (struct json_value *doc, struct json_value **keep)
{
  struct json_value *o = json_get (doc, "obj");
  json_object_rename_at (o, 0, "re\\name");
  (void) keep;
  return o;
}

static struct json_value *
m_rename_plain (struct json_value *doc, struct json_value **keep)
{
  struct json_value *o = json_get (doc, "obj");
  json_object_rename_at (o, 0, "renamed");
  (void) keep;
  return o;
}

static struct json_value *
m_move_in_escaped (struct json_value *doc, struct json_value **keep)
{
  struct json_value *o = json_get (doc, "obj"), *src = json_new_object ();
  json_set (src, "m\x1f", json_new_string ("\x7f/"));
  json_object_move_members (o, src);
  json_free (src);
  (void) keep;
  return o;
}

static struct json_value *
m_move_in_parsed (struct json_value *doc, struct json_value **keep)
{
  /* the parsed object's keys: plain, so obj stays plain */
  struct json_value *o = json_get (doc, "obj"), *src = parse_text ("{\"p\":\"q\",\"r\":{}}");
  json_object_move_members (o, src);
  json_free (src);
  (void) keep;
  return o;
}

static struct json_value *
m_move_in_unflagged (struct json_value *doc, struct json_value **keep)
{
  /* a parsed object with a key that needs an escape: not flagged */
  struct json_value *o = json_get (doc, "obj"), *src = parse_text ("{\"x\\ty\":1}");
  json_object_move_members (o, src);
  json_free (src);
  (void) keep;
  return o;
}

static struct json_value *
m_retain_drop (struct json_value *doc, struct json_value **keep)
{
  struct json_value *o = json_get (doc, "obj");
  json_object_retain (o, drop_first, NULL);
  (void) keep;
  return o;
}

static struct json_value *
m_retain_rekey (struct json_value *doc, struct json_value **keep)
{
  struct json_value *o = json_get (doc, "obj");
  /* a key that outlives the object: a string literal, never freed as the
   * parsed object's keys are arena memory */
  json_object_retain (o, rekey_first, (void *) "c\"d");
  (void) keep;
  return o;
}

static struct json_value *
m_repoint_text (struct json_value *doc, struct json_value **keep)
{
  /* a parsed node's text pointer replaced (never done in src/, and the
   * text itself is const): the flag must not be trusted for it */
  struct json_value *v = json_get (doc, "plain");
  *keep = v;
  v->str = "p\"q\n";
  v->len = 4;
  return NULL;
}

static struct json_value *
m_clone_then_rename (struct json_value *doc, struct json_value **keep)
{
  struct json_value *c = json_clone (json_get (doc, "obj"));
  json_object_rename_at (c, 1, "z\n");
  json_set (doc, "obj", c);
  (void) keep;
  return c;
}

static void
test_mutations (void)
{
  static const struct mutation mutations[] = {
    { "json_set, a new key with '\"'", m_set_new_escaped_key, false },
    { "json_set, a new plain key and a constructed value", m_set_new_plain_key, true },
    { "json_set, a new non-ASCII key", m_set_non_ascii_key, false },
    { "json_set, a value replaced", m_replace_value, true },
    { "json_object_rename_at, a key with '\\\\'", m_rename_escaped, false },
    { "json_object_rename_at, a plain key", m_rename_plain, true },
    { "json_object_move_members from a constructed object", m_move_in_escaped, false },
    { "json_object_move_members from a parsed plain object", m_move_in_parsed, true },
    { "json_object_move_members from a parsed object with a control key", m_move_in_unflagged, false },
    { "json_object_retain, a member dropped", m_retain_drop, true },
    { "json_object_retain, a key changed by keep", m_retain_rekey, false },
    { "a string's text pointer replaced", m_repoint_text, true },
    { "json_clone, then a key renamed", m_clone_then_rename, false },
  };
  for (size_t i = 0; i < sizeof mutations / sizeof *mutations; i++)
    {
      const struct mutation *m = &mutations[i];
      struct json_value *doc = parse_text (mutation_doc), *repointed = NULL, *touched;
      const char *saved_str;
      size_t saved_len;
      if (doc == NULL)
        {
          TAP_CHECK (false, "%s: the document parses", m->name);
          continue;
        }
      TAP_CHECK ((json_get (doc, "obj")->flags & JSON_FLAG_KEYS_PLAIN) && json_node_text_plain (json_get (doc, "plain"))
                     && !json_node_text_plain (json_get (doc, "esc")),
                 "%s: before, the loader's flags are as expected", m->name);
      saved_str = json_get (doc, "plain")->str;
      saved_len = json_get (doc, "plain")->len;
      touched = m->apply (doc, &repointed);
      TAP_CHECK (same_as_yajl (doc, m->name, i), "%s: json_write == yajl_gen", m->name);
      if (touched)
        TAP_CHECK (!!(touched->flags & JSON_FLAG_KEYS_PLAIN) == m->keys_stay_plain, "%s: keys %s plain", m->name,
                   m->keys_stay_plain ? "stay" : "no longer");
      if (repointed)
        {
          repointed->str = saved_str;
          repointed->len = saved_len;
        }
      json_free (doc);
    }
  /* the parsed object with a key that needs an escape is not flagged */
  struct json_value *doc = parse_text (mutation_doc);
  TAP_CHECK (doc && !(doc->flags & JSON_FLAG_KEYS_PLAIN) && (json_get (doc, "odd\tkey")->flags & JSON_FLAG_KEYS_PLAIN),
             "an object with a key that needs an escape is not flagged, its plain child is");
  json_free (doc);
}

/* ---- the loader's fast path: a string yajl did not decode ---- */

/* doc parsed from a memfd in pieces of `piece` bytes (0: json_parse
 * whole); NULL when refused. */
static struct json_value *
parse_in_pieces (const char *doc, size_t piece)
{
  size_t len = strlen (doc);
  struct json_value *v = NULL;
  secshim_error_t err = NULL;
  if (piece == 0)
    return parse_text (doc);
  cleanup_close int fd = memfd_create ("test", MFD_CLOEXEC);
  if (fd < 0 || write_all_fd (fd, doc, len) < 0 || lseek (fd, 0, SEEK_SET) != 0)
    return NULL;
  if (json_parse_fd_pieces (fd, piece, len, NULL, &v, NULL, &err) < 0)
    {
      secshim_error_release (&err);
      return NULL;
    }
  return v;
}

/* A string the loader takes as it stands in an ASCII piece is flagged
 * plain without a scan; everything else is scanned: the flag and the
 * verdict must be the same wherever the piece boundaries fall. */
static void
test_loader_fast_path (void)
{
  static const struct
  {
    const char *doc;
    int s_plain;     /* JSON_FLAG_TEXT_PLAIN of member "s"; -1: refused */
    bool keys_plain; /* JSON_FLAG_KEYS_PLAIN of the top object */
  } cases[] = {
    { "{\"s\": \"plain ascii text\"}", 1, true },
    { "{\"s\": \"\"}", 1, true },
    { "{\"s\": \"a\\\"b\"}", 0, true },
    { "{\"s\": \"a\\\\b\"}", 0, true },
    { "{\"s\": \"tab\\there\"}", 0, true },
    { "{\"s\": \"slash\\/only\"}", 1, true },
    { "{\"s\": \"\\u00e9t\\u00e9\"}", 1, true },
    { "{\"s\": \"\\u0000\"}", -1, true },
    { "{\"s\": \"caf\xc3\xa9\"}", 1, true },
    { "{\"t\": \"\xc3\xa9\", \"s\": \"line\\nfeed\"}", 0, true },
    { "{\"s\": \"overlong \xc0\xaf\"}", -1, true },
    { "{\"s\": \"surrogate \xed\xa0\x80\"}", -1, true },
    { "{\"a\\\"b\": 1, \"s\": \"x\"}", 1, false },
    { "{\"k\xc3\xa9y\": 1, \"s\": \"x\"}", 1, true },
    { "{\"k\\u0001\": 1, \"s\": \"x\"}", 1, false },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    for (size_t piece = 0; piece <= 16; piece++)
      {
        struct json_value *v = parse_in_pieces (cases[i].doc, piece);
        const struct json_value *s = v ? json_get (v, "s") : NULL;
        bool ok;
        if (cases[i].s_plain < 0)
          ok = v == NULL;
        else
          ok = s != NULL && json_node_text_plain (s) == (cases[i].s_plain == 1)
               && !!(v->flags & JSON_FLAG_KEYS_PLAIN) == cases[i].keys_plain;
        if (!ok || piece == 0 || piece == 16)
          TAP_CHECK (ok, "fast path case %zu, pieces of %zu: %s", i, piece,
                     cases[i].s_plain < 0 ? "refused"
                     : cases[i].s_plain   ? "plain"
                                          : "not plain");
        json_free (v);
      }
}

int
main (void)
{
  test_random (true, "valid UTF-8");
  test_random (false, "any bytes");
  test_every_byte ();
  test_every_position ();
  test_depth ();
  test_parsed_random ();
  test_plain_lengths ();
  test_mutations ();
  test_loader_fast_path ();
  return tap_done ();
}
