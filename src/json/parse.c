/* The strict JSON loader: yajl's callback parser, bounded, building the
 * tree with an explicit stack.  See json.h for what is refused and why
 * (security.md 2.1, runtime-interface.md 4). */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "secshim/cleanup.h"
#include "secshim/json-path.h"
#include "secshim/json.h"
#include "secshim/util.h"

#include "node.h"

const struct json_limits json_default_limits = {
  .max_bytes = JSON_DEFAULT_MAX_BYTES,
  .max_depth = JSON_DEFAULT_MAX_DEPTH,
  .max_items = JSON_DEFAULT_MAX_ITEMS,
};

/* One open object or array.  Its members or items so far are on the
 * context's stack of them, from base on; the container gets an exact-size
 * copy in the arena when it closes, and until then has count 0. */
struct frame
{
  struct json_value *container;
  size_t base;
  size_t count;
  /* object: the key just read, whose value comes next (arena memory) */
  char *key;
  size_t key_len;
  /* object: open-addressing set of member index + 1, so that duplicate
   * detection stays linear in a 65536-member object */
  size_t *slots;
  size_t nslots;
  /* object: a key so far needs an escape (JSON_FLAG_KEYS_PLAIN, node.h) */
  bool key_escaped;
};

struct parse_ctx
{
  const struct json_limits *limits;
  /* the piece of the document yajl parses now: its bytes [piece_base,
   * piece_base + piece_len); the pieces before it had `lines` newlines,
   * the last one just before line_start */
  const char *piece;
  size_t piece_base;
  size_t piece_len;
  size_t lines;
  size_t line_start;
  /* piece_len when no byte of the piece is >= 0x80, else 0 */
  size_t ascii_len;
  yajl_handle yajl;
  struct json_arena *arena;
  struct frame *frames;
  size_t depth;
  size_t frames_cap;
  /* the members and items of the open containers */
  struct json_member *members;
  size_t nmembers, members_cap;
  struct json_value **items;
  size_t nitems, items_cap;
  struct json_value *root;
  /* set by a callback that refuses the document */
  char *error;
  size_t error_offset;
};

/* ---- positions and paths ---- */

/* Newlines of buf[0..n) added to *lines; *line_start after the last one
 * (base: buf's offset in the document). */
static void
count_lines (const char *buf, size_t n, size_t base, size_t *lines, size_t *line_start)
{
  const char *p = buf, *end = buf + n;
  while (p < end && (p = memchr (p, '\n', (size_t) (end - p))) != NULL)
    {
      ++*lines;
      *line_start = base + (size_t) (++p - buf);
    }
}

/* offset is in the current piece or just after it. */
static void
offset_to_line_column (const struct parse_ctx *ctx, size_t offset, size_t *line, size_t *column)
{
  size_t lines = ctx->lines, line_start = ctx->line_start;
  size_t in_piece = offset > ctx->piece_base ? offset - ctx->piece_base : 0;
  if (in_piece > ctx->piece_len)
    in_piece = ctx->piece_len;
  count_lines (ctx->piece, in_piece, ctx->piece_base, &lines, &line_start);
  if (offset < line_start)
    offset = line_start;
  *line = lines + 1;
  *column = offset - line_start + 1;
}

/* The path of the value being parsed now.  With with_pending, an object's
 * pending key or an array's next index is included: that is where the
 * current token belongs. */
static void
current_path (struct parse_ctx *ctx, bool with_pending, struct strbuf *p)
{
  for (size_t i = 0; i < ctx->depth; i++)
    {
      struct frame *f = &ctx->frames[i];
      struct json_value *c = f->container;
      bool top = i + 1 == ctx->depth;
      if (!top)
        {
          /* the open child is the container's last element */
          if (c->type == JSON_OBJECT)
            {
              const struct json_member *m = &ctx->members[f->base + f->count - 1];
              json_pathbuf_add_key (p, m->key, m->key_len);
            }
          else
            json_pathbuf_add_index (p, f->count - 1);
        }
      else if (with_pending)
        {
          if (c->type == JSON_OBJECT && f->key != NULL)
            json_pathbuf_add_key (p, f->key, f->key_len);
          else if (c->type == JSON_ARRAY)
            json_pathbuf_add_index (p, f->count);
        }
    }
}

/* Record the first refusal; callbacks then return 0 to stop yajl. */
static int __attribute__ ((format (printf, 3, 4)))
ctx_fail (struct parse_ctx *ctx, bool with_pending, const char *fmt, ...)
{
  va_list ap;
  cleanup_free char *what = NULL;
  struct strbuf p = { 0 };

  if (ctx->error != NULL)
    return 0;
  va_start (ap, fmt);
  xvasprintf (&what, fmt, ap);
  va_end (ap);
  current_path (ctx, with_pending, &p);
  xasprintf (&ctx->error, "%s %s", what, json_pathbuf_str (&p));
  json_pathbuf_release (&p);
  ctx->error_offset = ctx->piece_base + yajl_get_bytes_consumed (ctx->yajl);
  return 0;
}

/* ---- duplicate keys ---- */

static size_t
hash_key (const char *key, size_t len)
{
  /* FNV-1a: keys are attacker-chosen, but the set is per object and
   * bounded by max_items, so a crafted collision costs time, not safety. */
  size_t h = (size_t) 14695981039346656037ULL;
  for (size_t i = 0; i < len; i++)
    {
      h ^= (unsigned char) key[i];
      h *= (size_t) 1099511628211ULL;
    }
  return h;
}

static bool
member_key_equal (const struct json_member *m, const char *key, size_t len)
{
  return m->key_len == len && memcmp (m->key, key, len) == 0;
}

static void
keyset_grow (struct frame *f, const struct json_member *members)
{
  size_t nslots = f->nslots ? f->nslots * 2 : 16;
  size_t *slots = xzalloc (nslots * sizeof *slots);
  for (size_t i = 0; i < f->count; i++)
    {
      size_t j = hash_key (members[i].key, members[i].key_len) & (nslots - 1);
      while (slots[j])
        j = (j + 1) & (nslots - 1);
      slots[j] = i + 1;
    }
  free (f->slots);
  f->slots = slots;
  f->nslots = nslots;
}

/* Objects up to this many members are checked by a linear scan: most
 * objects of a config are small, and a hash table for each of them cost
 * more than the comparisons. */
#define KEYSET_LINEAR_MAX 8

/* true if key is new; then slot reserved for member index f->count.
 * members: the object's members so far. */
static bool
keyset_insert (struct frame *f, const struct json_member *members, const char *key, size_t len)
{
  if (f->count < KEYSET_LINEAR_MAX)
    {
      for (size_t i = 0; i < f->count; i++)
        if (member_key_equal (&members[i], key, len))
          return false;
      return true;
    }
  if ((f->count + 1) * 2 > f->nslots)
    keyset_grow (f, members);
  size_t j = hash_key (key, len) & (f->nslots - 1);
  while (f->slots[j])
    {
      if (member_key_equal (&members[f->slots[j] - 1], key, len))
        return false;
      j = (j + 1) & (f->nslots - 1);
    }
  f->slots[j] = f->count + 1;
  return true;
}

/* ---- strings ---- */

/* RFC 3629 well-formed UTF-8.  yajl's own check only looks at lead and
 * continuation bit patterns, so it lets through overlong forms (C0 AF for
 * '/'), encoded surrogates (ED A0 80) and code points above U+10FFFF; Go
 * decodes each of those as U+FFFD, a value different from ours. */
static bool
utf8_is_strict (const unsigned char *s, size_t len)
{
  size_t i = 0;
  while (i < len)
    {
      unsigned char c = s[i];
      size_t n;
      unsigned char lo = 0x80, hi = 0xBF;
      if (c < 0x80)
        {
          i++;
          continue;
        }
      if (c >= 0xC2 && c <= 0xDF)
        n = 1;
      else if (c >= 0xE0 && c <= 0xEF)
        {
          n = 2;
          if (c == 0xE0)
            lo = 0xA0; /* no overlong */
          else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
        }
      else if (c >= 0xF0 && c <= 0xF4)
        {
          n = 3;
          if (c == 0xF0)
            lo = 0x90; /* no overlong */
          else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
        }
      else
        return false;
      if (n >= len - i)
        return false;
      if (s[i + 1] < lo || s[i + 1] > hi)
        return false;
      for (size_t k = 2; k <= n; k++)
        if (s[i + k] < 0x80 || s[i + k] > 0xBF)
          return false;
      i += n + 1;
    }
  return true;
}

/* What one pass over a decoded string finds, eight bytes at a time. */
#define TEXT_NOT_PLAIN_ASCII 1u /* a byte >= 0x80 or below 0x20 (NUL?): the full check follows */
#define TEXT_ESCAPED 2u         /* a byte below 0x20, '"' or '\\': yajl_gen escapes it */

struct text_bits
{
  uint64_t high, ctl, quote; /* top bits: some byte >= 0x80, < 0x20, '"' or '\\' */
};

/* Each test is exact for "some byte of w is" once masked to the top bits
 * (text_scan does that after the last word): has-less-than-n
 * (x - n * ones) & ~x, has-zero for n = 1. */
static inline __attribute__ ((always_inline)) void
word_scan (struct text_bits *b, uint64_t w)
{
  const uint64_t ones = 0x0101010101010101ull;
  uint64_t q = w ^ ('"' * ones), bs = w ^ ('\\' * ones);
  b->high |= w;
  b->ctl |= (w - 0x20 * ones) & ~w;
  b->quote |= ((q - ones) & ~q) | ((bs - ones) & ~bs);
}

/* TEXT_* of s[0..len).  The tests are "any byte", so bytes may be looked
 * at twice: the last word overlaps the one before, and a string shorter
 * than eight bytes is read in overlapping parts, the rest of the word
 * filled with a plain 'a'. */
static unsigned
text_scan (const unsigned char *s, size_t len)
{
  const uint64_t highs = 0x8080808080808080ull;
  struct text_bits b = { 0, 0, 0 };
  unsigned found = 0;
  uint64_t w;
  if (len >= 8)
    {
      for (size_t i = 0; i + 8 < len; i += 8)
        {
          memcpy (&w, s + i, sizeof w);
          word_scan (&b, w);
        }
      memcpy (&w, s + len - 8, sizeof w);
    }
  else if (len >= 4)
    {
      uint32_t lo, hi;
      memcpy (&lo, s, sizeof lo);
      memcpy (&hi, s + len - 4, sizeof hi);
      w = (uint64_t) lo | (uint64_t) hi << 32;
    }
  else if (len > 0)
    /* s[0], s[len / 2] and s[len - 1] are every byte of 1 to 3 */
    w = 0x6161616161000000ull | (uint64_t) s[0] | (uint64_t) s[len / 2] << 8 | (uint64_t) s[len - 1] << 16;
  else
    return 0;
  word_scan (&b, w);
  if ((b.high | b.ctl) & highs)
    found |= TEXT_NOT_PLAIN_ASCII;
  if ((b.ctl | b.quote) & highs)
    found |= TEXT_ESCAPED;
  return found;
}

/* Whether no byte of s[0..len) is >= 0x80. */
static bool
is_ascii (const unsigned char *s, size_t len)
{
  uint64_t acc = 0, w[4];
  size_t i = 0;
  /* four words a turn: the loop's own instructions were most of it */
  for (; i + 32 <= len; i += 32)
    {
      memcpy (w, s + i, sizeof w);
      acc |= w[0] | w[1] | w[2] | w[3];
    }
  for (; i + 8 <= len; i += 8)
    {
      memcpy (w, s + i, sizeof w[0]);
      acc |= w[0];
    }
  for (; i < len; i++)
    acc |= s[i];
  return (acc & 0x8080808080808080ull) == 0;
}

/* Whether yajl hands over s as it stands in a piece of ASCII, not
 * decoded.  yajl 2.1 passes a string without escapes (yajl_tok_string) as
 * a pointer into the text it parses (or into its lexer's buffer when the
 * string began in an earlier piece) and decodes one with escapes into a
 * buffer of its own, so a string starting inside the piece had no
 * backslash in the source.  Its lexer refuses a raw byte below 0x20
 * (yajl_lex_string_invalid_json_char) and ends a string at '"', so such a
 * string holds nothing yajl_gen escapes and no NUL; in an ASCII piece it
 * is also valid UTF-8.  (Pointers compared as integers: a pointer into
 * another buffer is simply outside the range.) */
static inline bool
is_plain_in_piece (const struct parse_ctx *ctx, const unsigned char *s)
{
  return (uintptr_t) s - (uintptr_t) ctx->piece < ctx->ascii_len;
}

/* A string or key's decoded bytes: no NUL, well-formed UTF-8.  Returns 0
 * (refused), TEXT_CHECKED, or TEXT_CHECKED | TEXT_PLAIN when the writer
 * may copy them whole (JSON_FLAG_TEXT_PLAIN). */
#define TEXT_CHECKED 1
#define TEXT_PLAIN 2
static int __attribute__ ((noinline))
check_decoded_slow (struct parse_ctx *ctx, const unsigned char *s, size_t len, bool is_key)
{
  unsigned found = text_scan (s, len);
  int ok = found & TEXT_ESCAPED ? TEXT_CHECKED : TEXT_CHECKED | TEXT_PLAIN;
  if (!(found & TEXT_NOT_PLAIN_ASCII))
    return ok;
  /* \u0000 decodes to a real NUL, which C strings would silently cut */
  if (memchr (s, '\0', len) != NULL)
    return is_key ? ctx_fail (ctx, false, "NUL character (\\u0000) in a key in")
                  : ctx_fail (ctx, true, "NUL character (\\u0000) in string at");
  if (!utf8_is_strict (s, len))
    return is_key ? ctx_fail (ctx, false, "invalid UTF-8 in a key in")
                  : ctx_fail (ctx, true, "invalid UTF-8 in string at");
  return ok;
}

static inline int
check_decoded (struct parse_ctx *ctx, const unsigned char *s, size_t len, bool is_key)
{
  if (is_plain_in_piece (ctx, s))
    return TEXT_CHECKED | TEXT_PLAIN;
  return check_decoded_slow (ctx, s, len, is_key);
}

/* ---- tree building ---- */

static struct json_value *
new_value (struct parse_ctx *ctx, enum json_type type)
{
  return json_arena_node (ctx->arena, type, NULL, 0);
}

/* Attach v where the parser is; takes ownership.  Returns 1 or 0 (stop). */
static int
attach (struct parse_ctx *ctx, struct json_value *v)
{
  if (ctx->depth == 0)
    {
      ctx->root = v;
      return 1;
    }
  struct frame *f = &ctx->frames[ctx->depth - 1];
  if (f->container->type == JSON_ARRAY)
    {
      if (f->count >= ctx->limits->max_items)
        {
          json_free (v);
          return ctx_fail (ctx, false, "more than %zu elements in array", ctx->limits->max_items);
        }
      if (ctx->nitems == ctx->items_cap)
        {
          ctx->items_cap = ctx->items_cap ? ctx->items_cap * 2 : 256;
          ctx->items = xreallocarray (ctx->items, ctx->items_cap, sizeof *ctx->items);
        }
      ctx->items[ctx->nitems++] = v;
      f->count++;
      return 1;
    }
  /* object: yajl only calls a value callback after a key */
  if (ctx->nmembers == ctx->members_cap)
    {
      ctx->members_cap = ctx->members_cap ? ctx->members_cap * 2 : 128;
      ctx->members = xreallocarray (ctx->members, ctx->members_cap, sizeof *ctx->members);
    }
  ctx->members[ctx->nmembers++] = (struct json_member){ .key = f->key, .key_len = f->key_len, .value = v };
  f->key = NULL;
  f->count++;
  return 1;
}

static int
on_null (void *opaque)
{
  return attach (opaque, new_value (opaque, JSON_NULL));
}

static int
on_boolean (void *opaque, int b)
{
  return attach (opaque, new_value (opaque, b ? JSON_TRUE : JSON_FALSE));
}

/* Numbers keep their lexeme: yajl only calls this when set, never
 * yajl_integer/yajl_double. */
static int
on_number (void *opaque, const char *s, size_t len)
{
  struct parse_ctx *ctx = opaque;
  return attach (ctx, json_arena_node (ctx->arena, JSON_NUMBER, s, len));
}

static int
on_string (void *opaque, const unsigned char *s, size_t len)
{
  struct parse_ctx *ctx = opaque;
  struct json_value *v;
  int checked = check_decoded (ctx, s, len, false);
  if (!checked)
    return 0;
  v = json_arena_node (ctx->arena, JSON_STRING, (const char *) s, len);
  if (checked & TEXT_PLAIN)
    v->flags |= JSON_FLAG_TEXT_PLAIN;
  return attach (ctx, v);
}

static int
on_map_key (void *opaque, const unsigned char *s, size_t len)
{
  struct parse_ctx *ctx = opaque;
  struct frame *f = &ctx->frames[ctx->depth - 1];
  const char *key = (const char *) s;
  int checked = check_decoded (ctx, s, len, true);

  if (!checked)
    return 0;
  if (!(checked & TEXT_PLAIN))
    f->key_escaped = true;
  if (f->count >= ctx->limits->max_items)
    return ctx_fail (ctx, false, "more than %zu members in object", ctx->limits->max_items);
  /* (no members stack before an object's first member) */
  if (!keyset_insert (f, ctx->members ? ctx->members + f->base : NULL, key, len))
    {
      cleanup_free char *quoted = json_quote_key (key, len);
      return ctx_fail (ctx, false, "duplicate key `%s` in", quoted);
    }
  f->key = json_arena_alloc (ctx->arena, len + 1);
  memcpy (f->key, key, len);
  f->key[len] = '\0';
  f->key_len = len;
  return 1;
}

static int
open_container (struct parse_ctx *ctx, enum json_type type)
{
  /* The cap is checked before anything is allocated, so 10^6 nested
   * brackets stop at the 65th. */
  if (ctx->depth >= ctx->limits->max_depth)
    return ctx_fail (ctx, true, "nesting deeper than %u at", ctx->limits->max_depth);
  struct json_value *v = new_value (ctx, type);
  if (!attach (ctx, v))
    return 0;
  if (ctx->depth == ctx->frames_cap)
    {
      ctx->frames_cap = ctx->frames_cap ? ctx->frames_cap * 2 : 16;
      ctx->frames = xreallocarray (ctx->frames, ctx->frames_cap, sizeof *ctx->frames);
    }
  ctx->frames[ctx->depth] = (struct frame){ .container = v, .base = type == JSON_OBJECT ? ctx->nmembers : ctx->nitems };
  ctx->depth++;
  return 1;
}

static void
frame_release (struct frame *f)
{
  free (f->slots);
  *f = (struct frame){ 0 };
}

/* The container gets its members or items, in an exact-size arena array. */
static int
close_container (struct parse_ctx *ctx)
{
  struct frame *f = &ctx->frames[ctx->depth - 1];
  struct json_value *c = f->container;
  size_t n = f->count;
  if (n > 0)
    {
      bool obj = c->type == JSON_OBJECT;
      size_t size = obj ? sizeof *c->members : sizeof *c->items;
      void *arr = json_arena_alloc (ctx->arena, n * size);
      memcpy (arr, obj ? (void *) (ctx->members + f->base) : (void *) (ctx->items + f->base), n * size);
      if (obj)
        {
          c->members = arr;
          ctx->nmembers = f->base;
        }
      else
        {
          c->items = arr;
          ctx->nitems = f->base;
        }
      c->count = c->cap = n;
      c->flags |= JSON_FLAG_CHILDREN_IN_ARENA;
    }
  if (c->type == JSON_OBJECT && !f->key_escaped)
    c->flags |= JSON_FLAG_KEYS_PLAIN;
  ctx->depth--;
  frame_release (f);
  return 1;
}

static int
on_start_map (void *opaque)
{
  return open_container (opaque, JSON_OBJECT);
}

static int
on_start_array (void *opaque)
{
  return open_container (opaque, JSON_ARRAY);
}

static int
on_end (void *opaque)
{
  return close_container (opaque);
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = on_end,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end,
};

/* ---- raw pre-scan ---- */

static int
hex4 (const char *s)
{
  int v = 0;
  for (int i = 0; i < 4; i++)
    {
      char c = s[i];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v |= c - 'A' + 10;
      else
        return -1;
    }
  return v;
}

/* At s[0] = '\\' inside a string with s[1] = 'u'; avail bytes from s to
 * the document's end (or at least 12).  Returns the escape's length (6 or
 * 12), or 0 for a lone or mismatched surrogate.  Malformed hex is left to
 * yajl's lexer, which rejects it. */
static size_t
check_unicode_escape (const char *s, size_t avail)
{
  if (avail < 6)
    return 2;
  int cp = hex4 (s + 2);
  if (cp < 0)
    return 2;
  if (cp >= 0xDC00 && cp <= 0xDFFF)
    return 0;
  if (cp < 0xD800 || cp > 0xDBFF)
    return 6;
  /* yajl combines a high surrogate with whatever \uXXXX follows */
  if (avail < 12 || s[6] != '\\' || s[7] != 'u')
    return 0;
  int low = hex4 (s + 8);
  if (low < 0xDC00 || low > 0xDFFF)
    return 0;
  return 12;
}

/* The pre-scan finds the first thing yajl would let through or report
 * badly: a BOM, a raw NUL (yajl would stop there only with a generic
 * lexical error) or a lone/mismatched surrogate escape (yajl decodes those
 * silently, Go makes them U+FFFD).
 *
 * Only backslashes matter after the BOM, and memchr finds them: in valid
 * JSON a backslash appears only inside a string, where it always starts
 * an escape, so hopping from one escape to the next backslash after it
 * walks the escapes exactly as a byte-by-byte scan that tracks string
 * boundaries would.  A backslash outside a string is invalid JSON, which
 * yajl refuses anyway (this pass may then name the surrogate instead).
 * Escapes are looked at only before the first NUL.  A byte loop here was
 * 6% of a create's instructions.
 *
 * It runs over the document piece by piece (json_parse_fd), with the same
 * result as over the whole: an escape that may reach past the bytes read
 * so far waits for more (at most 12 bytes), and so does the BOM check. */
struct prescan
{
  size_t next;         /* where the search for the next backslash resumes */
  size_t nul;          /* offset of the first NUL; SIZE_MAX while none seen */
  size_t nul_searched; /* [0, nul_searched) holds no other NUL */
  bool started;        /* the BOM check is done */
  bool done;           /* nothing more to look at */
  bool bad;
  size_t bad_offset;
  const char *what;
};

static size_t
prescan_finding (struct prescan *ps, size_t offset, const char *what)
{
  ps->bad = ps->done = true;
  ps->bad_offset = offset;
  ps->what = what;
  return offset;
}

/* buf holds the document's bytes [base, base + n); eof when that is all of
 * it.  Returns the offset before which every byte is decided: yajl may
 * parse up to there (up to the finding when there is one). */
static size_t
prescan_step (struct prescan *ps, const char *buf, size_t base, size_t n, bool eof)
{
  size_t end = base + n, limit;

  if (ps->done)
    return ps->bad ? ps->bad_offset : end;
  if (!ps->started)
    {
      if (n < 3 && !eof)
        return base;
      ps->started = true;
      if (n >= 3 && memcmp (buf, "\xEF\xBB\xBF", 3) == 0)
        return prescan_finding (ps, 0, "byte order mark at");
    }
  if (ps->nul == SIZE_MAX && ps->nul_searched < end)
    {
      const char *z = memchr (buf + (ps->nul_searched - base), '\0', end - ps->nul_searched);
      if (z != NULL)
        ps->nul = base + (size_t) (z - buf);
      ps->nul_searched = end;
    }
  limit = ps->nul != SIZE_MAX ? ps->nul : end;
  while (ps->next < limit)
    {
      const char *p = memchr (buf + (ps->next - base), '\\', limit - ps->next);
      if (p == NULL)
        {
          ps->next = limit;
          break;
        }
      size_t i = base + (size_t) (p - buf);
      if (!eof && i + 12 > end)
        {
          ps->next = i;
          return i;
        }
      if (i + 1 >= end)
        {
          ps->next = SIZE_MAX; /* a backslash at the very end */
          break;
        }
      if (p[1] != 'u')
        {
          ps->next = i + 2;
          continue;
        }
      size_t len = check_unicode_escape (p, end - i);
      if (len == 0)
        return prescan_finding (ps, i, "lone or mismatched UTF-16 surrogate escape in string at");
      ps->next = i + len;
    }
  if (ps->nul != SIZE_MAX)
    return prescan_finding (ps, ps->nul, "NUL byte at");
  if (eof)
    ps->done = true;
  return end;
}

/* ---- driver ---- */

static void
ctx_release (struct parse_ctx *ctx)
{
  for (size_t i = 0; i < ctx->depth; i++)
    frame_release (&ctx->frames[i]);
  free (ctx->frames);
  if (ctx->yajl)
    yajl_free (ctx->yajl);
  /* after a refusal: the children of the unclosed containers (which
   * have count 0 themselves) */
  for (size_t i = 0; i < ctx->nmembers; i++)
    json_free (ctx->members[i].value);
  for (size_t i = 0; i < ctx->nitems; i++)
    json_free (ctx->items[i]);
  free (ctx->members);
  free (ctx->items);
  json_free (ctx->root);
  json_arena_unref (ctx->arena);
  free (ctx->error);
}

static int
fail_at (struct parse_ctx *ctx, size_t offset, const char *what, secshim_error_t *err)
{
  size_t line, column;
  offset_to_line_column (ctx, offset, &line, &column);
  return secshim_make_error (err, SECSHIM_EINPUT, "json: line %zu, column %zu: %s", line, column, what);
}

/* yajl's own message ("parse error: trailing garbage"), with our path. */
static int
fail_yajl (struct parse_ctx *ctx, size_t offset, secshim_error_t *err)
{
  if (ctx->error != NULL)
    return fail_at (ctx, ctx->error_offset, ctx->error, err);

  unsigned char *msg = yajl_get_error (ctx->yajl, 0, NULL, 0);
  cleanup_free char *what = xstrdup (msg ? (const char *) msg : "parse error");
  if (msg)
    yajl_free_error (ctx->yajl, msg);
  size_t n = strlen (what);
  while (n > 0 && (what[n - 1] == '\n' || what[n - 1] == '.' || what[n - 1] == ' '))
    what[--n] = '\0';

  struct strbuf p = { 0 };
  cleanup_free char *full = NULL;
  current_path (ctx, true, &p);
  xasprintf (&full, "%s at %s", what, json_pathbuf_str (&p));
  json_pathbuf_release (&p);
  return fail_at (ctx, offset, full, err);
}

/* A context ready for yajl: size_hint is the document's size, or a guess. */
static void
ctx_begin (struct parse_ctx *ctx, const struct json_limits *limits, size_t size_hint)
{
  *ctx = (struct parse_ctx){ .limits = limits ? limits : &json_default_limits };
  /* A tree takes about 4 to 8 times its text (a node is 64 bytes). */
  ctx->arena = json_arena_new (size_hint * 4);
  ctx->yajl = yajl_alloc (&callbacks, NULL, ctx);
  if (ctx->yajl == NULL)
    abort ();
  /* the defaults, spelled out: they are the security contract */
  yajl_config (ctx->yajl, yajl_allow_comments, 0);
  yajl_config (ctx->yajl, yajl_dont_validate_strings, 0);
  yajl_config (ctx->yajl, yajl_allow_trailing_garbage, 0);
  yajl_config (ctx->yajl, yajl_allow_multiple_values, 0);
  yajl_config (ctx->yajl, yajl_allow_partial_values, 0);
}

/* The current piece is parsed and its bytes about to be overwritten:
 * count its lines once, for the positions of later errors. */
static void
retire_piece (struct parse_ctx *ctx)
{
  count_lines (ctx->piece, ctx->piece_len, ctx->piece_base, &ctx->lines, &ctx->line_start);
  ctx->piece_base += ctx->piece_len;
  ctx->piece_len = ctx->ascii_len = 0;
}

/* Parse the document's bytes [base, base + n) at buf, the ones after
 * those of the previous call (retired). */
static int
parse_piece (struct parse_ctx *ctx, const char *buf, size_t base, size_t n, secshim_error_t *err)
{
  ctx->piece = buf;
  ctx->piece_base = base;
  ctx->piece_len = n;
  ctx->ascii_len = is_ascii ((const unsigned char *) buf, n) ? n : 0;
  if (n == 0)
    return 0;
  if (yajl_parse (ctx->yajl, (const unsigned char *) buf, n) != yajl_status_ok)
    return fail_yajl (ctx, base + yajl_get_bytes_consumed (ctx->yajl), err);
  return 0;
}

/* Everything up to the pre-scan's finding, or the whole document of len
 * bytes, has been parsed. */
static int
parse_finish (struct parse_ctx *ctx, const struct prescan *ps, size_t len, struct json_value **out,
              secshim_error_t *err)
{
  /* With a pre-scan finding, parse only up to it: an earlier error wins,
   * otherwise the parser state tells the finding's path. */
  if (ps->bad)
    {
      struct strbuf p = { 0 };
      cleanup_free char *full = NULL;
      current_path (ctx, true, &p);
      xasprintf (&full, "%s %s", ps->what, json_pathbuf_str (&p));
      json_pathbuf_release (&p);
      return fail_at (ctx, ps->bad_offset, full, err);
    }
  if (yajl_complete_parse (ctx->yajl) != yajl_status_ok)
    return fail_yajl (ctx, len, err);
  if (ctx->root == NULL || ctx->depth != 0)
    return fail_at (ctx, len, "incomplete document at top level", err);
  *out = steal_pointer (&ctx->root);
  return 0;
}

int
json_parse (const char *buf, size_t len, const struct json_limits *limits, struct json_value **out,
            secshim_error_t *err)
{
  struct parse_ctx ctx;
  struct prescan ps = { .nul = SIZE_MAX };
  int ret;

  *out = NULL;
  if (len > (limits ? limits : &json_default_limits)->max_bytes)
    return secshim_make_error (err, SECSHIM_EINPUT, "json: document is %zu bytes, over the limit of %zu", len,
                               (limits ? limits : &json_default_limits)->max_bytes);
  ctx_begin (&ctx, limits, len);
  size_t decided = prescan_step (&ps, buf, 0, len, true);
  ret = parse_piece (&ctx, buf, 0, decided, err);
  if (ret == 0)
    ret = parse_finish (&ctx, &ps, len, out, err);
  ctx_release (&ctx);
  return ret;
}

/* What json_parse_fd reads at a time; pieces carry up to 11 bytes over. */
#define PARSE_READ_SIZE ((size_t) 64 * 1024)

int
json_parse_fd (int fd, size_t size_hint, const struct json_limits *limits, struct json_value **out, size_t *size,
               secshim_error_t *err)
{
  return json_parse_fd_pieces (fd, PARSE_READ_SIZE, size_hint, limits, out, size, err);
}

/* A refusal of a document read in more than one piece, in the words of
 * json_parse over the whole: yajl places some syntax errors at the start of
 * the offending token, which it cannot do when the token began in an
 * earlier piece.  Only for the message (the verdict is taken): the file is
 * read again from the start, whole, and if that parse is refused too (the
 * file may have changed since), its message replaces ours. */
static void
reword_from_whole (int fd, const struct json_limits *limits, secshim_error_t *err)
{
  cleanup_free char *whole = NULL;
  struct json_value *v = NULL;
  secshim_error_t werr = NULL;
  size_t len = 0;

  if (lseek (fd, 0, SEEK_SET) != 0 || read_all_fd (fd, limits->max_bytes, &whole, &len) < 0)
    return;
  if (json_parse (whole, len, limits, &v, &werr) == 0)
    {
      json_free (v);
      return;
    }
  secshim_error_release (err);
  *err = werr;
}

int
json_parse_fd_pieces (int fd, size_t piece, size_t size_hint, const struct json_limits *limits, struct json_value **out,
                      size_t *size, secshim_error_t *err)
{
  struct parse_ctx ctx;
  struct prescan ps = { .nul = SIZE_MAX };
  size_t base = 0, carry = 0, total = 0;
  char *buf;
  int ret = 0;

  if (piece == 0 || piece > PARSE_READ_SIZE)
    abort ();
  buf = xmalloc (piece + 16);

  *out = NULL;
  ctx_begin (&ctx, limits, size_hint);
  for (;;)
    {
      ssize_t r = read (fd, buf + carry, piece);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          ret = secshim_make_error (err, errno, "read");
          break;
        }
      total += (size_t) r;
      if (total > ctx.limits->max_bytes)
        {
          ret = secshim_make_error (err, EFBIG, "json: document is over the limit of %zu bytes", ctx.limits->max_bytes);
          break;
        }
      size_t n = carry + (size_t) r, end = base + n;
      size_t decided = prescan_step (&ps, buf, base, n, r == 0);
      ret = parse_piece (&ctx, buf, base, decided - base, err);
      if (ret < 0 || ps.bad || r == 0)
        break;
      /* the undecided rest goes before the next read */
      retire_piece (&ctx);
      carry = end - decided;
      memmove (buf, buf + (decided - base), carry);
      base = decided;
    }
  if (ret == 0)
    ret = parse_finish (&ctx, &ps, total, out, err);
  if (ret == 0 && size)
    *size = total;
  ctx_release (&ctx);
  free (buf);
  /* not for a read error or a document over the cap */
  if (ret < 0 && base > 0 && err && *err && (*err)->status == SECSHIM_EINPUT)
    reword_from_whole (fd, ctx.limits, err);
  return ret;
}
