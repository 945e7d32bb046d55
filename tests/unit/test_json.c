/* Unit tests for the strict JSON layer (include/secshim/json.h): every
 * refusal class of the loader with the path it must name, lexeme-exact
 * round trips, the real engine fixtures, accessors and typed reads.
 * Run from the repository top. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/util.h"
#include "tap.h"

#include "../../src/json/node.h"

/* The loader's message for buf, or NULL if it was accepted. */
static char *
parse_error (const char *buf, size_t len, const struct json_limits *lim)
{
  secshim_error_t err = NULL;
  struct json_value *v = NULL;
  char *msg;
  if (json_parse (buf, len, lim, &v, &err) == 0)
    {
      json_free (v);
      return NULL;
    }
  msg = xstrdup (err->msg);
  if (err->status != SECSHIM_EINPUT)
    {
      free (msg);
      msg = xstrdup ("wrong status");
    }
  secshim_error_release (&err);
  return msg;
}

/* json_parse_fd over buf[0..len) in a memfd, read piece bytes at a time:
 * its message, NULL if it was accepted (then *tree, if given, gets the
 * tree). */
static char *
parse_error_fd (const char *buf, size_t len, const struct json_limits *lim, size_t piece, struct json_value **tree)
{
  cleanup_close int fd = memfd_create ("test", MFD_CLOEXEC);
  secshim_error_t err = NULL;
  struct json_value *v = NULL;
  size_t size = 0;
  char *msg;
  if (fd < 0 || write_all_fd (fd, buf, len) < 0 || lseek (fd, 0, SEEK_SET) != 0)
    return xstrdup ("memfd failed");
  if ((piece ? json_parse_fd_pieces (fd, piece, len, lim, &v, &size, &err)
             : json_parse_fd (fd, len, lim, &v, &size, &err))
      == 0)
    {
      if (size != len)
        {
          json_free (v);
          return xstrdup ("wrong size");
        }
      if (tree)
        *tree = v;
      else
        json_free (v);
      return NULL;
    }
  msg = xstrdup (err->msg);
  secshim_error_release (&err);
  return msg;
}

/* json_parse and json_parse_fd agree on buf: the same message, or equal
 * trees. */
static bool
same_from_fd_pieces (const char *buf, size_t len, const struct json_limits *lim, size_t piece)
{
  secshim_error_t err = NULL;
  struct json_value *a = NULL, *b = NULL;
  cleanup_free char *mb = parse_error_fd (buf, len, lim, piece, &b);
  bool same;
  if (json_parse (buf, len, lim, &a, &err) == 0)
    same = mb == NULL && json_equal (a, b);
  else
    {
      same = mb != NULL && strcmp (mb, err->msg) == 0;
      if (!same)
        tap_diag ("json_parse: %s; json_parse_fd: %s", err->msg, mb ? mb : "(accepted)");
      secshim_error_release (&err);
    }
  json_free (a);
  json_free (b);
  return same;
}

/* the same, with 64 KiB pieces, and for a short document also with 1,
 * 2, 5 and 12-byte ones */
static bool
same_from_fd (const char *buf, size_t len, const struct json_limits *lim)
{
  if (!same_from_fd_pieces (buf, len, lim, 0))
    return false;
  return len > 4096
         || (same_from_fd_pieces (buf, len, lim, 1) && same_from_fd_pieces (buf, len, lim, 2)
             && same_from_fd_pieces (buf, len, lim, 5) && same_from_fd_pieces (buf, len, lim, 12));
}

static void
refused (const char *name, const char *buf, size_t len, const struct json_limits *lim, const char *want,
         const char *want_path)
{
  cleanup_free char *m = parse_error (buf, len, lim);
  TAP_CHECK (m && strstr (m, want) && (want_path == NULL || strstr (m, want_path)), "%s refused: %s", name,
             m ? m : "(accepted)");
  if (m == NULL || strstr (m, "over the limit") == NULL)
    TAP_CHECK (same_from_fd (buf, len, lim), "%s: the same refusal from an fd", name);
}

#define REFUSED(name, lit, want, path) refused (name, lit, sizeof (lit) - 1, NULL, want, path)

static struct json_value *
parse_ok (const char *text)
{
  secshim_error_t err = NULL;
  struct json_value *v = NULL;
  if (json_parse (text, strlen (text), NULL, &v, &err) < 0)
    {
      tap_diag ("unexpected refusal: %s", err->msg);
      secshim_error_release (&err);
      return NULL;
    }
  return v;
}

static char *
write_text (const struct json_value *v)
{
  secshim_error_t err = NULL;
  char *out = NULL;
  size_t len;
  if (json_write (v, &out, &len, &err) < 0)
    {
      tap_diag ("write failed: %s", err->msg);
      secshim_error_release (&err);
      return NULL;
    }
  if (strlen (out) != len)
    {
      free (out);
      return NULL;
    }
  return out;
}

static char *
repeat (const char *s, size_t n, const char *tail_s, size_t tail_n)
{
  size_t a = strlen (s), b = tail_s ? strlen (tail_s) : 0;
  char *out = xmalloc (a * n + b * tail_n + 1), *p = out;
  for (size_t i = 0; i < n; i++, p += a)
    memcpy (p, s, a);
  for (size_t i = 0; i < tail_n; i++, p += b)
    memcpy (p, tail_s, b);
  *p = '\0';
  return out;
}

/* ---- refusals ---- */

static void
test_refusals (void)
{
  struct json_limits small = { .max_bytes = 16, .max_depth = 64, .max_items = 3 };

  refused ("size cap", "{\"a\":\"0123456789abcdef\"}", 24, &small, "over the limit of 16", NULL);
  refused ("max_items array", "[1,2,3,4]", 9, &small, "more than 3 elements", "top level");
  {
    struct json_limits lim = { .max_bytes = 1024, .max_depth = 64, .max_items = 3 };
    const char *obj = "{\"x\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4}}";
    refused ("max_items object", obj, strlen (obj), &lim, "more than 3 members", "in object x");
  }

  REFUSED ("raw NUL in a string", "{\"a\":{\"b\":\"x\0y\"}}", "NUL byte", "at a.b");
  REFUSED ("raw NUL after the document", "{\"a\":1}\0{\"a\":2}", "NUL byte", "top level");
  REFUSED ("escaped NUL in a value", "{\"a\":{\"b\":\"x\\u0000\"}}", "NUL character", "at a.b");
  REFUSED ("escaped NUL in a key", "{\"process\":{\"user\":{\"uid\\u0000\":1000}}}", "NUL character",
           "in process.user");
  REFUSED ("byte order mark", "\xEF\xBB\xBF{\"a\":1}", "byte order mark", "top level");
  REFUSED ("block comment", "{\"a\":{/*c*/\"b\":1}}", "comment", "at a");
  REFUSED ("line comment", "{\"a\":{\"b\": // c\n 1}}", "comment", "at a.b");
  REFUSED ("trailing garbage", "{\"a\":1} x", "trailing garbage", "top level");
  REFUSED ("second document", "{\"process\":{\"user\":{\"uid\":1000}}} {\"process\":{\"user\":{\"uid\":0}}}",
           "trailing garbage", "top level");
  REFUSED ("partial value", "{\"a\":[1,2", "premature EOF", "at a[2]");
  REFUSED ("empty input", "", "premature EOF", "top level");
  REFUSED ("whitespace only", " \n ", "premature EOF", "top level");

  REFUSED ("invalid UTF-8 byte", "{\"a\":{\"b\":\"\xff\"}}", "UTF8", "at a.b");
  REFUSED ("overlong UTF-8 (C0 AF)", "{\"a\":{\"b\":\"/etc\xc0\xaf\"}}", "invalid UTF-8", "at a.b");
  REFUSED ("overlong 3-byte UTF-8", "{\"a\":\"\xe0\x80\xaf\"}", "invalid UTF-8", "at a");
  REFUSED ("UTF-8 encoded surrogate", "{\"a\":[\"\xed\xa0\x80\"]}", "invalid UTF-8", "at a[0]");
  REFUSED ("UTF-8 above U+10FFFF", "{\"a\":\"\xf4\x90\x80\x80\"}", "invalid UTF-8", "at a");
  REFUSED ("invalid UTF-8 in a key", "{\"a\":{\"\xc0\xaf\":1}}", "invalid UTF-8 in a key", "in a");
  REFUSED ("truncated UTF-8", "{\"a\":\"\xe2\x84\"}", "UTF8", "at a");

  REFUSED ("lone high surrogate", "{\"a\":{\"b\":\"\\ud800\"}}", "surrogate", "at a.b");
  REFUSED ("lone high surrogate mid-string", "{\"a\":\"x\\uD800y\"}", "surrogate", "at a");
  REFUSED ("lone low surrogate", "{\"a\":[\"ok\",\"\\udc00\"]}", "surrogate", "at a[1]");
  REFUSED ("high + non-low", "{\"a\":\"\\ud800\\u0041\"}", "surrogate", "at a");
  REFUSED ("high + high", "{\"a\":\"\\ud800\\ud800\"}", "surrogate", "at a");
  REFUSED ("lone surrogate in a key", "{\"a\":{\"\\udfff\":1}}", "surrogate", "at a");

  REFUSED ("exact duplicate key", "{\"process\":{\"user\":{\"uid\":1000,\"uid\":0}}}", "duplicate key `uid`",
           "in process.user");
  REFUSED ("duplicate top-level object", "{\"process\":{},\"linux\":{},\"process\":{}}", "duplicate key `process`",
           "in top level");
  REFUSED ("duplicate via escape", "{\"a\":1,\"\\u0061\":2}", "duplicate key `a`", "top level");
  REFUSED ("duplicate key in array element", "{\"m\":[{},{\"d\":1,\"d\":2}]}", "duplicate key `d`", "in m[1]");

  {
    cleanup_free char *m = parse_error ("{\n  \"a\": 1,\n  \"a\": 2\n}", 22, NULL);
    TAP_CHECK (m && strstr (m, "json: line 3, column "), "error names the line: %s", m ? m : "(accepted)");
  }

  /* depth: the root container is depth 1 */
  {
    cleanup_free char *ok64 = repeat ("[", 64, "]", 64);
    cleanup_free char *bad65 = repeat ("[", 65, "]", 65);
    cleanup_free char *obj65 = repeat ("{\"a\":", 65, "}", 65);
    cleanup_free char *m64 = parse_error (ok64, strlen (ok64), NULL);
    TAP_CHECK (m64 == NULL, "depth 64 accepted%s%s", m64 ? ": " : "", m64 ? m64 : "");
    refused ("depth 65 arrays", bad65, strlen (bad65), NULL, "nesting deeper than 64", "at [0][0][0]");
    refused ("depth 65 objects", obj65, strlen (obj65), NULL, "nesting deeper than 64", "at a.a.a.a");
  }
  {
    /* 10^6 brackets: security.md 2.1 #16, yajl_tree_free overflowed */
    cleanup_free char *deep = repeat ("[", 1000000, NULL, 0);
    refused ("depth 10^6", deep, strlen (deep), NULL, "nesting deeper than 64", NULL);
    cleanup_free char *deep_obj = repeat ("{\"k\":", 1000000, NULL, 0);
    refused ("depth 10^6 objects", deep_obj, strlen (deep_obj), NULL, "nesting deeper than 64", NULL);
  }
  {
    /* duplicate detection must work in a large object (hashed set) */
    size_t n = 60000;
    char *big = xmalloc (n * 16 + 64), *p = big;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
      p += sprintf (p, "%s\"k%zu\":%zu", i ? "," : "", i, i);
    size_t distinct_len = (size_t) (p - big);
    static const char dup[] = ",\"k31337\":0}";
    memcpy (p, dup, sizeof dup);
    p += sizeof dup - 1;
    refused ("duplicate among 60000 keys", big, (size_t) (p - big), NULL, "duplicate key `k31337`", "top level");
    strcpy (big + distinct_len, "}");
    cleanup_free char *m = parse_error (big, strlen (big), NULL);
    TAP_CHECK (m == NULL, "60000 distinct keys accepted%s%s", m ? ": " : "", m ? m : "");
    free (big);
  }
  {
    /* fold-equal keys are the schema's business, not the loader's */
    cleanup_free char *m = parse_error ("{\"uid\":1,\"UID\":2}", 17, NULL);
    TAP_CHECK (m == NULL, "case-only different keys pass the loader");
  }
  {
    struct json_value *v = parse_ok ("{\"s\":\"\\ud83d\\ude00\"}");
    const char *s = json_string (json_get (v, "s"));
    TAP_CHECK (s && strcmp (s, "\xf0\x9f\x98\x80") == 0, "surrogate pair decodes to U+1F600");
    json_free (v);
  }
}

/* ---- writer and round trips ---- */

static void
test_lexemes_and_round_trip (void)
{
  const char *text = "{\"big\":18446744073709551615,\"x\":{\"unknown\":1e3,\"f\":1.50,\"e\":-2E+2},\"neg\":-0,"
                     "\"order\":{\"z\":1,\"a\":2,\"m\":[true,false,null]}}";
  cleanup_with (json_free) struct json_value *v = parse_ok (text);
  cleanup_free char *out = v ? write_text (v) : NULL;
  TAP_CHECK (out && strcmp (out, text) == 0, "numbers keep their lexeme, members their order: %s", out ? out : "");

  const char *esc = "{\"s\":\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\\u001f\\u2028\"}";
  cleanup_with (json_free) struct json_value *e = parse_ok (esc);
  cleanup_free char *e_out = e ? write_text (e) : NULL;
  cleanup_with (json_free) struct json_value *e2 = e_out ? parse_ok (e_out) : NULL;
  TAP_CHECK (e2 && json_equal (e, e2), "escaped strings survive write+parse: %s", e_out ? e_out : "");
  cleanup_free char *e2_out = e2 ? write_text (e2) : NULL;
  TAP_CHECK (e2_out && strcmp (e_out, e2_out) == 0, "write(parse(write(x))) == write(x) for escapes");

  cleanup_with (json_free) struct json_value *bad = json_new_object ();
  json_set (bad, "k", json_new_stringn ("a\0b", 3));
  secshim_error_t err = NULL;
  char *o = NULL;
  size_t n;
  int r = json_write (bad, &o, &n, &err);
  TAP_CHECK (r < 0 && err && strstr (err->msg, "NUL") && strstr (err->msg, "at k"),
             "writer refuses NUL in a string: %s", err ? err->msg : "(written)");
  secshim_error_release (&err);
  free (o);
}

static int
read_file (const char *path, char **buf, size_t *len)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  return read_all_fd (fd, JSON_DEFAULT_MAX_BYTES, buf, len);
}

static const char *
fixtures_dir (void)
{
  const char *d = getenv ("SECSHIM_FIXTURES");
  return d ? d : "tests/fixtures";
}

static void
test_fixture_file (const char *path)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;
  secshim_error_t err = NULL;
  cleanup_with (json_free) struct json_value *a = NULL;
  cleanup_with (json_free) struct json_value *b = NULL;

  if (read_file (path, &buf, &len) < 0)
    {
      TAP_CHECK (0, "read %s", path);
      return;
    }
  if (json_parse (buf, len, NULL, &a, &err) < 0)
    {
      TAP_CHECK (0, "%s parses: %s", path, err->msg);
      secshim_error_release (&err);
      return;
    }
  cleanup_free char *w1 = write_text (a);
  if (w1 == NULL || json_parse (w1, strlen (w1), NULL, &b, &err) < 0)
    {
      TAP_CHECK (0, "%s re-parses after write", path);
      secshim_error_release (&err);
      return;
    }
  cleanup_free char *w2 = write_text (b);
  cleanup_with (json_free) struct json_value *c = json_clone (b);
  TAP_CHECK (json_equal (a, b) && w2 && strcmp (w1, w2) == 0 && json_equal (a, c),
             "%s: parse->write->parse equal, writer idempotent, clone equal", path);
}

static void
test_fixtures (void)
{
  static const char *const subdirs[] = { "docker-20.10", "podman-4.3" };
  int seen = 0;
  for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++)
    {
      cleanup_free char *dir = NULL;
      xasprintf (&dir, "%s/%s", fixtures_dir (), subdirs[i]);
      cleanup_dir DIR *d = opendir (dir);
      if (d == NULL)
        continue;
      struct dirent *de;
      while ((de = readdir (d)) != NULL)
        {
          size_t n = strlen (de->d_name);
          if (n < 6 || strcmp (de->d_name + n - 5, ".json") != 0)
            continue;
          cleanup_free char *path = NULL;
          xasprintf (&path, "%s/%s", dir, de->d_name);
          test_fixture_file (path);
          seen++;
        }
    }
  if (seen == 0)
    TAP_SKIP ("no fixtures under %s", fixtures_dir ());
  else
    TAP_CHECK (seen >= 18, "all fixture files visited (%d)", seen);
}

/* ---- typed reads ---- */

static void
expect_u32 (const char *lexeme, int want_ret, int want_errno, uint32_t want)
{
  struct json_value v = { .type = JSON_NUMBER, .str = (char *) lexeme, .len = strlen (lexeme) };
  uint32_t out = 0;
  errno = 0;
  int r = json_get_u32 (&v, &out);
  TAP_CHECK (r == want_ret && (r < 0 ? errno == want_errno : out == want), "u32 %s -> %d/%d", lexeme, r, errno);
}

static void
expect_u64 (const char *lexeme, int want_ret, int want_errno, uint64_t want)
{
  struct json_value v = { .type = JSON_NUMBER, .str = (char *) lexeme, .len = strlen (lexeme) };
  uint64_t out = 0;
  errno = 0;
  int r = json_get_u64 (&v, &out);
  TAP_CHECK (r == want_ret && (r < 0 ? errno == want_errno : out == want), "u64 %s -> %d/%d", lexeme, r, errno);
}

static void
expect_i64 (const char *lexeme, int want_ret, int want_errno, int64_t want)
{
  struct json_value v = { .type = JSON_NUMBER, .str = (char *) lexeme, .len = strlen (lexeme) };
  int64_t out = 1;
  errno = 0;
  int r = json_get_i64 (&v, &out);
  TAP_CHECK (r == want_ret && (r < 0 ? errno == want_errno : out == want), "i64 %s -> %d/%d", lexeme, r, errno);
}

static void
test_typed_reads (void)
{
  expect_u32 ("0", 0, 0, 0);
  expect_u32 ("4294967295", 0, 0, UINT32_MAX);
  expect_u32 ("4294967296", -1, ERANGE, 0);
  expect_u32 ("-1", -1, EINVAL, 0);
  expect_u32 ("-0", -1, EINVAL, 0);
  expect_u32 ("1e3", -1, EINVAL, 0);
  expect_u32 ("1.0", -1, EINVAL, 0);
  expect_u32 ("+1", -1, EINVAL, 0);
  expect_u32 ("99999999999999999999999", -1, ERANGE, 0);
  expect_u64 ("18446744073709551615", 0, 0, UINT64_MAX);
  expect_u64 ("18446744073709551616", -1, ERANGE, 0);
  expect_u64 ("-0", -1, EINVAL, 0);
  expect_i64 ("-0", 0, 0, 0);
  expect_i64 ("-9223372036854775808", 0, 0, INT64_MIN);
  expect_i64 ("9223372036854775807", 0, 0, INT64_MAX);
  expect_i64 ("9223372036854775808", -1, ERANGE, 0);
  expect_i64 ("-9223372036854775809", -1, ERANGE, 0);
  expect_i64 ("-", -1, EINVAL, 0);
  expect_i64 ("1e3", -1, EINVAL, 0);
  expect_i64 ("-1.5", -1, EINVAL, 0);
  expect_i64 ("+1", -1, EINVAL, 0);

  cleanup_with (json_free) struct json_value *s = json_new_string ("5");
  uint32_t u;
  errno = 0;
  TAP_CHECK (json_get_u32 (s, &u) < 0 && errno == EINVAL, "a string is not a number");
}

/* ---- accessors and constructors ---- */

static void
test_accessors (void)
{
  cleanup_with (json_free) struct json_value *doc
      = parse_ok ("{\"process\":{\"user\":{\"uid\":1000},\"args\":[\"sh\",\"-c\"]},\"linux\":null,\"z\":1}");
  if (doc == NULL)
    {
      TAP_CHECK (0, "accessor document parses");
      return;
    }
  uint32_t uid = 0;
  TAP_CHECK (json_get_u32 (json_get_path (doc, "process.user.uid"), &uid) == 0 && uid == 1000, "json_get_path");
  TAP_CHECK (json_get_path (doc, "process.user.gid") == NULL && json_get_path (doc, "process.args.x") == NULL,
             "json_get_path misses");
  TAP_CHECK (json_array_has_string (json_get_path (doc, "process.args"), "-c")
                 && !json_array_has_string (json_get_path (doc, "process.args"), "-"),
             "json_array_has_string");

  json_set (doc, "process", json_new_u64 (7));
  cleanup_free char *t1 = write_text (doc);
  TAP_CHECK (t1 && strcmp (t1, "{\"process\":7,\"linux\":null,\"z\":1}") == 0, "json_set replaces in place: %s",
             t1 ? t1 : "");

  struct json_value *lin = json_get_or_add_object (doc, "linux");
  TAP_CHECK (json_is (lin, JSON_OBJECT) && json_get (doc, "linux") == lin, "json_get_or_add_object over null");
  json_set (lin, "seccomp", json_new_object ());
  TAP_CHECK (json_get_or_add_object (doc, "z") == NULL, "json_get_or_add_object refuses a non-object");
  struct json_value *added = json_get_or_add_object (doc, "hooks");
  json_set (added, "n", json_new_i64 (-42));
  json_set (added, "lex", json_new_number_lexeme ("1e3"));
  json_set (added, "b", json_new_bool (true));
  struct json_value *arr = json_new_array ();
  json_array_append (arr, json_new_string ("a"));
  json_array_append (arr, json_new_string ("b"));
  json_array_append (arr, json_new_null ());
  json_array_remove_at (arr, 0);
  json_set (added, "arr", arr);
  TAP_CHECK (json_remove (doc, "z") && !json_remove (doc, "z"), "json_remove");
  cleanup_free char *t2 = write_text (doc);
  TAP_CHECK (t2
                 && strcmp (t2, "{\"process\":7,\"linux\":{\"seccomp\":{}},\"hooks\":{\"n\":-42,\"lex\":1e3,"
                                "\"b\":true,\"arr\":[\"b\",null]}}")
                        == 0,
             "constructors write as expected: %s", t2 ? t2 : "");

  cleanup_free char *short_text = json_render_short (doc, 12);
  TAP_CHECK (short_text && strcmp (short_text, "{\"process\":7...") == 0, "json_render_short truncates: %s",
             short_text ? short_text : "");
  cleanup_free char *utf = NULL;
  {
    cleanup_with (json_free) struct json_value *k = json_new_string ("\xc3\xa9\xc3\xa9\xc3\xa9");
    utf = json_render_short (k, 3);
    TAP_CHECK (utf && strcmp (utf, "\"\xc3\xa9...") == 0, "json_render_short keeps UTF-8 whole: %s", utf ? utf : "");
  }
  TAP_CHECK (json_is_true (json_get_path (doc, "hooks.b")) && !json_is_true (json_get (doc, "process")),
             "json_is_true");
}

/* json_parse_fd reads 64 KiB at a time and pre-scans each piece: put
 * every kind of escape the pre-scan judges (and a NUL, and a refusal
 * after many lines) across the first piece boundary at every shift, and
 * compare with json_parse of the whole. */
static void
test_pieces (void)
{
  static const char *const payloads[] = {
    "\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\ud83d\\u0041", "\\ud83dx\\ude00", "\\u00e9", "\\\"", "\\\\",
    "\\u12",          "x\\",     "\\n",
  };
  size_t agree = 0, total = 0;
  const size_t boundary = 64 * 1024;
  for (size_t p = 0; p < sizeof payloads / sizeof *payloads; p++)
    for (size_t shift = 0; shift <= 16; shift++)
      for (int variant = 0; variant < 3; variant++)
        {
          size_t plen = strlen (payloads[p]);
          size_t pad = boundary - 2 - shift;
          char *doc = xmalloc (pad + plen + 16);
          size_t n = 0;
          memcpy (doc, "[\"", 2);
          n = 2;
          memset (doc + n, 'a', pad);
          n += pad;
          memcpy (doc + n, payloads[p], plen);
          n += plen;
          if (variant == 1)
            doc[n++] = '\0'; /* a NUL after the escape */
          if (variant != 2)
            {
              memcpy (doc + n, "\"]", 2);
              n += 2;
            }
          agree += same_from_fd (doc, n, NULL);
          total++;
          free (doc);
        }
  TAP_CHECK (agree == total, "escapes across a piece boundary: json_parse_fd == json_parse on %zu of %zu", agree,
             total);

  /* and short pieces: every payload at every offset of 1..16-byte pieces */
  agree = total = 0;
  for (size_t p = 0; p < sizeof payloads / sizeof *payloads; p++)
    for (size_t piece = 1; piece <= 16; piece++)
      for (size_t shift = 0; shift <= 16; shift++)
        for (int variant = 0; variant < 3; variant++)
          {
            char doc[64];
            int n = snprintf (doc, sizeof doc, "[\"%.*s%s", (int) shift, "aaaaaaaaaaaaaaaa", payloads[p]);
            if (variant == 1)
              doc[n++] = '\0';
            if (variant != 2)
              {
                memcpy (doc + n, "\"]", 2);
                n += 2;
              }
            agree += same_from_fd_pieces (doc, (size_t) n, NULL, piece);
            total++;
          }
  TAP_CHECK (agree == total, "escapes across 1..16-byte pieces: the same as json_parse on %zu of %zu", agree, total);

  /* yajl places some syntax errors at the start of the offending token,
   * which may lie in an earlier piece: the message is the whole's */
  static const char *const bad[] = {
    "{\"uid\":100\"flags\":1}",
    "{\"key\" 1}",
    "[1 2]",
    "{1:2}",
    "{\"a\":1,}",
    "[\"abc\" \"defghijk\"]",
    "{\"a\":[true false]}",
    "{\"process\":{\"user\":{\"uid\":0}}}}",
  };
  agree = total = 0;
  for (size_t b = 0; b < sizeof bad / sizeof *bad; b++)
    for (size_t piece = 1; piece <= 16; piece++)
      {
        agree += same_from_fd_pieces (bad[b], strlen (bad[b]), NULL, piece);
        total++;
      }
  TAP_CHECK (agree == total, "syntax errors across 1..16-byte pieces: the same message on %zu of %zu", agree, total);

  /* lines and columns of a refusal two pieces in */
  cleanup_free char *lines = repeat ("[1,\n2],\n", 20000, NULL, 0);
  size_t ln = strlen (lines);
  char *doc = xmalloc (ln + 8);
  doc[0] = '[';
  memcpy (doc + 1, lines, ln);
  memcpy (doc + 1 + ln, "x]", 3);
  TAP_CHECK (same_from_fd (doc, ln + 3, NULL), "a refusal at line 40001: the same line and column from an fd");
  memcpy (doc + 1 + ln, "1]", 3);
  TAP_CHECK (same_from_fd (doc, ln + 3, NULL), "a 180 KB document: the same tree from an fd");
  free (doc);
}

/* A parsed tree comes from one arena, but each node keeps its own
 * lifetime: subtrees moved into other trees, or taken out, outlive the
 * tree they were parsed in; members and items appended, renamed, moved and
 * removed behave as on a built tree.  (Run under ASan by SUITES=asan,
 * which also sees any leak or double free.) */
static void
test_parsed_tree_ownership (void)
{
  struct json_value *doc = parse_ok ("{\"a\":{\"x\":\"one\",\"y\":[1,2]},\"b\":[\"p\",\"q\"],\"c\":\"keep\","
                                     "\"d\":{\"k\":true},\"e\":{\"CPU\":1}}");
  if (doc == NULL)
    {
      TAP_CHECK (0, "ownership document parses");
      return;
    }
  struct json_value *other = json_new_object ();
  struct json_value *taken = json_take (doc, "a");
  TAP_CHECK (taken && json_get (doc, "a") == NULL && json_take (doc, "a") == NULL, "json_take removes the member");
  json_set (other, "moved", taken);
  json_set (other, "c", json_clone (json_get (doc, "c")));
  json_array_append (json_get (doc, "b"), json_new_string ("r"));         /* arena array grows */
  json_array_append (json_get_path (other, "moved.y"), json_new_u64 (3)); /* in another tree */
  json_set (json_get (doc, "d"), "added", json_new_string ("new"));       /* key in the arena */
  json_object_rename_at (json_get (doc, "d"), 0, "renamed");
  json_set (doc, "c", json_new_string ("replaced"));
  struct json_value *e = json_take (doc, "e"), *heap = json_new_object ();
  json_set (heap, "mem", json_new_null ());
  json_object_move_members (heap, e);                   /* arena keys into a heap object */
  json_object_move_members (json_get (doc, "d"), heap); /* and heap keys into an arena one */
  json_free (e);
  json_free (heap);
  cleanup_free char *t = write_text (doc);
  TAP_CHECK (t
                 && strcmp (t, "{\"b\":[\"p\",\"q\",\"r\"],\"c\":\"replaced\",\"d\":{\"renamed\":true,"
                               "\"added\":\"new\",\"mem\":null,\"CPU\":1}}")
                        == 0,
             "parsed tree after appends, renames, moves, replacement: %s", t ? t : "");
  json_object_remove_at (json_get (doc, "d"), 1);
  json_array_remove_at (json_get (doc, "b"), 0);
  json_free (doc); /* `other` still holds nodes from doc's arena */
  cleanup_free char *o = write_text (other);
  TAP_CHECK (o && strcmp (o, "{\"moved\":{\"x\":\"one\",\"y\":[1,2,3]},\"c\":\"keep\"}") == 0,
             "a subtree outlives the tree it was parsed in: %s", o ? o : "");
  json_free (other);
}

/* A tree far deeper than any parser would allow, built by code: free,
 * clone and equal must not recurse; the writer refuses it cleanly. */
static void
test_deep_constructed_tree (void)
{
  struct json_value *root = json_new_array (), *cur = root;
  for (int i = 0; i < 200000; i++)
    {
      struct json_value *next = json_new_array ();
      json_array_append (cur, next);
      cur = next;
    }
  struct json_value *copy = json_clone (root);
  TAP_CHECK (copy && json_equal (root, copy), "deep tree: clone and equal without recursion");
  json_array_append (cur, json_new_null ());
  TAP_CHECK (!json_equal (root, copy), "deep tree: a difference at the bottom is seen");
  secshim_error_t err = NULL;
  char *out = NULL;
  size_t len;
  TAP_CHECK (json_write (root, &out, &len, &err) < 0 && err != NULL, "deep tree: writer refuses: %s",
             err ? err->msg : "(written)");
  secshim_error_release (&err);
  free (out);
  json_free (copy);
  json_free (root);
  TAP_CHECK (1, "deep tree: freed without recursion");
}

/* json_get compares keys of up to 16 bytes in overlapping words: a key of
 * every length from 0 to 20 is found, and no key differing in one byte
 * anywhere, or one byte shorter or longer, is. */
static void
test_get_key_lengths (void)
{
  for (size_t len = 0; len <= 20; len++)
    {
      char key[32], probe[32];
      bool ok = true;
      for (size_t i = 0; i < len; i++)
        key[i] = (char) ('a' + i);
      key[len] = '\0';
      cleanup_with (json_free) struct json_value *obj = json_new_object ();
      json_set (obj, key, json_new_u64 (len));
      /* neighbours of the same length first, so the match must be exact */
      for (size_t i = 0; i < len; i++)
        {
          memcpy (probe, key, len + 1);
          probe[i] = 'Z';
          json_set (obj, probe, json_new_bool (false));
        }
      ok = ok && json_get (obj, key) != NULL && json_get (obj, key)->type == JSON_NUMBER;
      for (size_t i = 0; i < len; i++)
        {
          memcpy (probe, key, len + 1);
          probe[i] = 'Y';
          ok = ok && json_get (obj, probe) == NULL;
        }
      memcpy (probe, key, len + 1);
      probe[len] = 'x';
      probe[len + 1] = '\0';
      ok = ok && json_get (obj, probe) == NULL;
      if (len > 0)
        {
          probe[len - 1] = '\0';
          ok = ok && json_get (obj, probe) == NULL;
        }
      TAP_CHECK (ok, "json_get, a key of %zu bytes: found exactly", len);
    }
}

int
main (void)
{
  test_get_key_lengths ();
  test_refusals ();
  test_lexemes_and_round_trip ();
  test_fixtures ();
  test_typed_reads ();
  test_accessors ();
  test_parsed_tree_ownership ();
  test_pieces ();
  test_deep_constructed_tree ();
  return tap_done ();
}
