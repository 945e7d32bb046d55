/* A strict reader for the TOML subset bane files use (see apparmor.h).
 *
 * Why hand-written: Debian ships no C TOML library, and bane's schema needs
 * four value shapes.  Everything outside them is refused with line and
 * column rather than skipped, so a typo ("ReadonlyPaths") cannot silently
 * drop a rule: BurntSushi/toml, bane's decoder, ignores unknown keys.
 *
 * The reader is a single forward scan with no recursion: arrays hold only
 * strings, so nesting is refused at the first inner '['. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "secshim/apparmor.h"
#include "secshim/cleanup.h"
#include "secshim/file.h"
#include "secshim/util.h"

enum value_type
{
  V_STRING,
  V_BOOL,
  V_STRV,
};

enum table
{
  T_ROOT,
  T_FILESYSTEM,
  T_NETWORK,
  T_CAPABILITIES,
  T_COUNT,
};

static const char *const table_names[T_COUNT] = { NULL, "Filesystem", "Network", "Capabilities" };

struct key_desc
{
  enum table table;
  const char *name;
  enum value_type type;
  size_t offset; /* into struct aa_spec */
};

static const struct key_desc keys[] = {
  { T_ROOT, "Name", V_STRING, offsetof (struct aa_spec, name) },
  { T_FILESYSTEM, "ReadOnlyPaths", V_STRV, offsetof (struct aa_spec, read_only_paths) },
  { T_FILESYSTEM, "LogOnWritePaths", V_STRV, offsetof (struct aa_spec, log_on_write_paths) },
  { T_FILESYSTEM, "WritablePaths", V_STRV, offsetof (struct aa_spec, writable_paths) },
  { T_FILESYSTEM, "AllowExec", V_STRV, offsetof (struct aa_spec, allow_exec) },
  { T_FILESYSTEM, "DenyExec", V_STRV, offsetof (struct aa_spec, deny_exec) },
  { T_NETWORK, "Raw", V_BOOL, offsetof (struct aa_spec, raw) },
  { T_NETWORK, "Packet", V_BOOL, offsetof (struct aa_spec, packet) },
  { T_NETWORK, "Protocols", V_STRV, offsetof (struct aa_spec, protocols) },
  { T_CAPABILITIES, "Allow", V_STRV, offsetof (struct aa_spec, cap_allow) },
  { T_CAPABILITIES, "Deny", V_STRV, offsetof (struct aa_spec, cap_deny) },
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const char *const type_names[] = { "a string", "a boolean (true or false)", "an array of strings" };

struct reader
{
  const char *buf;
  size_t len, pos;
  unsigned line, col; /* of buf[pos], 1-based; col counts bytes */
  const char *where;
  secshim_error_t *err;
  struct aa_spec *spec;
  enum table table;
  unsigned table_line[T_COUNT]; /* line of a table's header, 0 = not seen */
  unsigned key_line[N_KEYS];    /* line where a key was set, 0 = not yet */
};

static int __attribute__ ((format (printf, 4, 5)))
fail_at (struct reader *r, unsigned line, unsigned col, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  xvasprintf (&msg, fmt, ap);
  va_end (ap);
  return secshim_make_error (r->err, SECSHIM_EINPUT, "%s:%u:%u: %s", r->where, line, col, msg);
}

#define FAIL(r, ...) fail_at ((r), (r)->line, (r)->col, __VA_ARGS__)

static int
peek (const struct reader *r)
{
  return r->pos < r->len ? (unsigned char) r->buf[r->pos] : -1;
}

static int
peek_at (const struct reader *r, size_t off)
{
  return r->pos + off < r->len ? (unsigned char) r->buf[r->pos + off] : -1;
}

static void
advance (struct reader *r)
{
  if (r->pos >= r->len)
    return;
  if (r->buf[r->pos] == '\n')
    {
      r->line++;
      r->col = 1;
    }
  else
    r->col++;
  r->pos++;
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 if invalid
 * (overlong, surrogate, above U+10FFFF, truncated). */
static size_t
utf8_len (const unsigned char *s, size_t n)
{
  uint32_t cp;
  size_t k, need;
  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    need = 2, cp = s[0] & 0x1f;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    need = 3, cp = s[0] & 0x0f;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    need = 4, cp = s[0] & 0x07;
  else
    return 0;
  if (n < need)
    return 0;
  for (k = 1; k < need; k++)
    {
      if ((s[k] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[k] & 0x3f);
    }
  if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return need;
}

/* TOML documents are UTF-8 with no control characters but tab and newline
 * (CR only before LF).  Checking once up front keeps the scanner simple. */
static int
check_encoding (struct reader *r)
{
  unsigned line = 1, col = 1;
  size_t i = 0;
  while (i < r->len)
    {
      unsigned char c = (unsigned char) r->buf[i];
      size_t n;
      if (c == '\n')
        {
          line++;
          col = 1;
          i++;
          continue;
        }
      if (c == '\r' && i + 1 < r->len && r->buf[i + 1] == '\n')
        {
          i++;
          col++;
          continue;
        }
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return fail_at (r, line, col, "control character 0x%02x", c);
      n = utf8_len ((const unsigned char *) r->buf + i, r->len - i);
      if (n == 0)
        return fail_at (r, line, col, "invalid UTF-8");
      i += n;
      col += (unsigned) n;
    }
  return 0;
}

static void
skip_blank (struct reader *r)
{
  while (peek (r) == ' ' || peek (r) == '\t')
    advance (r);
}

static void
skip_comment (struct reader *r)
{
  if (peek (r) == '#')
    while (peek (r) != -1 && peek (r) != '\n')
      advance (r);
}

static bool
at_newline (const struct reader *r)
{
  return peek (r) == '\n' || (peek (r) == '\r' && peek_at (r, 1) == '\n');
}

static void
skip_newline (struct reader *r)
{
  if (peek (r) == '\r')
    advance (r);
  if (peek (r) == '\n')
    advance (r);
}

/* After a header or key = value: blanks, an optional comment, then the end
 * of the line or of the input. */
static int
expect_end_of_line (struct reader *r)
{
  skip_blank (r);
  skip_comment (r);
  if (peek (r) == -1)
    return 0;
  if (!at_newline (r))
    return FAIL (r, "expected the end of the line, found `%c`", peek (r));
  skip_newline (r);
  return 0;
}

static bool
is_bare_key_char (int c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A bare key into buf (NUL-terminated, at most size-1 bytes). */
static int
read_bare_key (struct reader *r, char *buf, size_t size)
{
  size_t n = 0;
  int c = peek (r);
  if (c == '"' || c == '\'')
    return FAIL (r, "quoted keys are not supported (bane keys are bare words)");
  if (!is_bare_key_char (c))
    return c == -1 ? FAIL (r, "expected a key") : FAIL (r, "expected a key, found `%c`", c);
  while (is_bare_key_char (peek (r)))
    {
      if (n + 1 >= size)
        return FAIL (r, "key is too long");
      buf[n++] = (char) peek (r);
      advance (r);
    }
  buf[n] = '\0';
  if (peek (r) == '.')
    return FAIL (r, "dotted keys are not supported");
  return 0;
}

static void
append_utf8 (char *out, size_t *n, uint32_t cp)
{
  if (cp < 0x80)
    out[(*n)++] = (char) cp;
  else if (cp < 0x800)
    {
      out[(*n)++] = (char) (0xc0 | (cp >> 6));
      out[(*n)++] = (char) (0x80 | (cp & 0x3f));
    }
  else if (cp < 0x10000)
    {
      out[(*n)++] = (char) (0xe0 | (cp >> 12));
      out[(*n)++] = (char) (0x80 | ((cp >> 6) & 0x3f));
      out[(*n)++] = (char) (0x80 | (cp & 0x3f));
    }
  else
    {
      out[(*n)++] = (char) (0xf0 | (cp >> 18));
      out[(*n)++] = (char) (0x80 | ((cp >> 12) & 0x3f));
      out[(*n)++] = (char) (0x80 | ((cp >> 6) & 0x3f));
      out[(*n)++] = (char) (0x80 | (cp & 0x3f));
    }
}

static int
read_unicode_escape (struct reader *r, unsigned digits, uint32_t *cp)
{
  unsigned line = r->line, col = r->col - 2; /* points at the backslash */
  unsigned k;
  *cp = 0;
  for (k = 0; k < digits; k++)
    {
      int c = peek (r);
      int v;
      if (c >= '0' && c <= '9')
        v = c - '0';
      else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
      else
        return fail_at (r, line, col, "\\%c escape needs %u hex digits", digits == 4 ? 'u' : 'U', digits);
      *cp = (*cp << 4) | (uint32_t) v;
      advance (r);
    }
  if (*cp == 0 || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
    return fail_at (r, line, col, "\\u escape U+%04X is not allowed", (unsigned) *cp);
  return 0;
}

/* A one-line "basic" (escapes) or 'literal' string at r->pos. */
static int
read_string (struct reader *r, char **out)
{
  unsigned line = r->line, col = r->col;
  int quote = peek (r);
  cleanup_free char *s = NULL;
  size_t n = 0;

  if (peek_at (r, 1) == quote && peek_at (r, 2) == quote)
    return FAIL (r, "multi-line strings are not supported");
  /* Worst case every input byte is one output byte, plus UTF-8 growth of
   * \u escapes (6 input bytes -> at most 4): the bound below is safe. */
  s = xmalloc (AA_TOML_MAX_STRING + 8);
  advance (r);
  for (;;)
    {
      int c = peek (r);
      if (c == -1 || c == '\n' || c == '\r')
        return fail_at (r, line, col, "unterminated string");
      if (n >= AA_TOML_MAX_STRING)
        return fail_at (r, line, col, "string longer than %d bytes", AA_TOML_MAX_STRING);
      if (c == quote)
        {
          advance (r);
          break;
        }
      if (c == '\\' && quote == '"')
        {
          uint32_t cp;
          advance (r);
          c = peek (r);
          advance (r);
          switch (c)
            {
            case 'b':
              s[n++] = '\b';
              break;
            case 't':
              s[n++] = '\t';
              break;
            case 'n':
              s[n++] = '\n';
              break;
            case 'f':
              s[n++] = '\f';
              break;
            case 'r':
              s[n++] = '\r';
              break;
            case '"':
              s[n++] = '"';
              break;
            case '\\':
              s[n++] = '\\';
              break;
            case 'u':
            case 'U':
              if (read_unicode_escape (r, c == 'u' ? 4 : 8, &cp) < 0)
                return -1;
              append_utf8 (s, &n, cp);
              break;
            default:
              return fail_at (r, r->line, r->col - 2, "unknown escape sequence");
            }
          continue;
        }
      s[n++] = (char) c;
      advance (r);
    }
  s[n] = '\0';
  *out = steal_pointer (&s);
  return 0;
}

static int
read_bool (struct reader *r, bool *out)
{
  if (r->len - r->pos >= 4 && memcmp (r->buf + r->pos, "true", 4) == 0 && !is_bare_key_char (peek_at (r, 4)))
    {
      *out = true;
      r->pos += 4, r->col += 4;
      return 0;
    }
  if (r->len - r->pos >= 5 && memcmp (r->buf + r->pos, "false", 5) == 0 && !is_bare_key_char (peek_at (r, 5)))
    {
      *out = false;
      r->pos += 5, r->col += 5;
      return 0;
    }
  return FAIL (r, "unsupported value (bane files hold strings, booleans and arrays of strings)");
}

/* Blanks, newlines and comments between array elements. */
static void
skip_array_space (struct reader *r)
{
  for (;;)
    {
      skip_blank (r);
      skip_comment (r);
      if (!at_newline (r))
        return;
      skip_newline (r);
    }
}

static int
read_string_array (struct reader *r, const char *key, struct strv *out)
{
  unsigned line = r->line, col = r->col;
  size_t cap = 0;
  advance (r); /* '[' */
  for (;;)
    {
      char *item = NULL;
      int c;
      skip_array_space (r);
      c = peek (r);
      if (c == ']')
        break;
      if (c == -1)
        return fail_at (r, line, col, "unterminated array");
      if (c == '[')
        return FAIL (r, "nested arrays are not supported");
      if (c != '"' && c != '\'')
        return FAIL (r, "%s: array elements must be strings", key);
      if (out->n >= AA_TOML_MAX_ITEMS)
        return FAIL (r, "%s: more than %d elements", key, AA_TOML_MAX_ITEMS);
      if (read_string (r, &item) < 0)
        return -1;
      if (out->n + 1 >= cap)
        {
          cap = cap ? cap * 2 : 8;
          out->v = xreallocarray (out->v, cap, sizeof (char *));
        }
      out->v[out->n++] = item;
      out->v[out->n] = NULL;
      skip_array_space (r);
      c = peek (r);
      if (c == ',')
        {
          advance (r);
          continue;
        }
      if (c == ']')
        break;
      if (c == -1)
        return fail_at (r, line, col, "unterminated array");
      return FAIL (r, "expected `,` or `]` in array, found `%c`", c);
    }
  advance (r); /* ']' */
  return 0;
}

/* Classify the value at r->pos; -1 (with the error set) when it is none of
 * the shapes bane uses. */
static int
value_type_at (struct reader *r, enum value_type *t)
{
  int c = peek (r);
  if (c == '"' || c == '\'')
    *t = V_STRING;
  else if (c == '[')
    *t = V_STRV;
  else if ((r->len - r->pos >= 4 && memcmp (r->buf + r->pos, "true", 4) == 0)
           || (r->len - r->pos >= 5 && memcmp (r->buf + r->pos, "false", 5) == 0))
    *t = V_BOOL;
  else if (c == '{')
    return FAIL (r, "inline tables are not supported");
  else
    return FAIL (r, "unsupported value (bane files hold strings, booleans and arrays of strings)");
  return 0;
}

static int
unknown_key (struct reader *r, unsigned line, unsigned col, const char *key)
{
  size_t i;
  const char *table = r->table == T_ROOT ? "the top level" : table_names[r->table];
  for (i = 0; i < N_KEYS; i++)
    if (keys[i].table == r->table && strcasecmp (keys[i].name, key) == 0)
      return fail_at (r, line, col, "unknown key `%s` in %s%s%s (keys are case-sensitive: `%s`)", key,
                      r->table == T_ROOT ? "" : "[", table, r->table == T_ROOT ? "" : "]", keys[i].name);
  for (i = 0; i < N_KEYS; i++)
    if (keys[i].table != r->table && strcmp (keys[i].name, key) == 0)
      return fail_at (r, line, col, "unknown key `%s` in %s%s%s (it belongs in %s%s%s)", key,
                      r->table == T_ROOT ? "" : "[", table, r->table == T_ROOT ? "" : "]",
                      keys[i].table == T_ROOT ? "" : "[",
                      keys[i].table == T_ROOT ? "the top level, before any table" : table_names[keys[i].table],
                      keys[i].table == T_ROOT ? "" : "]");
  return fail_at (r, line, col, "unknown key `%s` in %s%s%s", key, r->table == T_ROOT ? "" : "[", table,
                  r->table == T_ROOT ? "" : "]");
}

static int
read_key_value (struct reader *r)
{
  unsigned line = r->line, col = r->col;
  char key[64];
  const struct key_desc *d = NULL;
  size_t i;
  char *base;
  enum value_type vt = V_STRING;

  if (read_bare_key (r, key, sizeof key) < 0)
    return -1;
  for (i = 0; i < N_KEYS; i++)
    if (keys[i].table == r->table && strcmp (keys[i].name, key) == 0)
      d = &keys[i];
  if (d == NULL)
    return unknown_key (r, line, col, key);
  if (r->key_line[d - keys] != 0)
    return fail_at (r, line, col, "duplicate key `%s` (first set on line %u)", key, r->key_line[d - keys]);
  r->key_line[d - keys] = line;

  skip_blank (r);
  if (peek (r) != '=')
    return FAIL (r, "expected `=` after `%s`", key);
  advance (r);
  skip_blank (r);
  if (peek (r) == -1 || at_newline (r))
    return FAIL (r, "missing value for `%s`", key);

  if (value_type_at (r, &vt) < 0)
    return -1;
  if (vt != d->type)
    return FAIL (r, "`%s` must be %s, not %s", key, type_names[d->type], type_names[vt]);
  base = (char *) r->spec + d->offset;
  switch (d->type)
    {
    case V_STRING:
      if (read_string (r, (char **) base) < 0)
        return -1;
      break;
    case V_BOOL:
      if (read_bool (r, (bool *) base) < 0)
        return -1;
      break;
    case V_STRV:
      if (read_string_array (r, key, (struct strv *) base) < 0)
        return -1;
      break;
    }
  return expect_end_of_line (r);
}

static int
read_table_header (struct reader *r)
{
  unsigned line = r->line, col = r->col;
  char name[64];
  int t;

  if (peek_at (r, 1) == '[')
    return FAIL (r, "arrays of tables ([[...]]) are not supported");
  advance (r);
  skip_blank (r);
  if (read_bare_key (r, name, sizeof name) < 0)
    return -1;
  skip_blank (r);
  if (peek (r) != ']')
    return FAIL (r, "expected `]` to close the table header");
  advance (r);
  for (t = T_FILESYSTEM; t < T_COUNT; t++)
    if (strcmp (table_names[t], name) == 0)
      break;
  if (t == T_COUNT)
    return fail_at (r, line, col, "unknown table [%s] (bane has [Filesystem], [Network], [Capabilities])", name);
  if (r->table_line[t] != 0)
    return fail_at (r, line, col, "duplicate table [%s] (first on line %u)", name, r->table_line[t]);
  r->table_line[t] = line;
  r->table = (enum table) t;
  return expect_end_of_line (r);
}

int
aa_spec_from_toml (const char *buf, size_t len, const char *where, struct aa_spec *out, secshim_error_t *err)
{
  struct reader r = { .buf = buf, .len = len, .line = 1, .col = 1, .where = where, .err = err, .spec = out };

  if (len > AA_TOML_MAX_BYTES)
    return secshim_make_error (err, SECSHIM_EINPUT, "%s: larger than %zu bytes", where, AA_TOML_MAX_BYTES);
  if (len >= 3 && memcmp (buf, "\xef\xbb\xbf", 3) == 0)
    return fail_at (&r, 1, 1, "byte order mark");
  if (check_encoding (&r) < 0)
    return -1;
  while (peek (&r) != -1)
    {
      skip_blank (&r);
      skip_comment (&r);
      if (peek (&r) == -1)
        break;
      if (at_newline (&r))
        {
          skip_newline (&r);
          continue;
        }
      if (peek (&r) == '[')
        {
          if (read_table_header (&r) < 0)
            return -1;
        }
      else if (read_key_value (&r) < 0)
        return -1;
    }
  return aa_spec_check (out, where, err);
}

int
aa_spec_from_toml_file (const char *path, struct aa_spec *out, secshim_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;

  if (read_data_file (path, AA_TOML_MAX_BYTES, &buf, &len, err) < 0)
    return -1;
  return aa_spec_from_toml (buf, len, path, out, err);
}
