/* Unit tests for the piecewise write of a bundle's document
 * (doc_file_write_tree, json_write_stream): the file ends up holding
 * exactly json_write's bytes, is left alone (same inode) when they are
 * identical, whether the first difference is in the first 64 KiB piece or
 * later, or only at the end; and no temporary file is left behind. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/bundle.h"
#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/util.h"
#include "tap.h"

static char dir[] = "/tmp/secshim-test-docfile-XXXXXX";

static void
put_file (const char *bytes, size_t len)
{
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/config.json", dir);
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write_all_fd (fd, bytes, len) < 0)
    abort ();
}

static ino_t
file_ino (void)
{
  struct stat st;
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/config.json", dir);
  return stat (path, &st) == 0 ? st.st_ino : 0;
}

static bool
file_is (const char *bytes, size_t len)
{
  cleanup_free char *path = NULL, *got = NULL;
  size_t n = 0;
  xasprintf (&path, "%s/config.json", dir);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  return fd >= 0 && read_all_fd (fd, 64 << 20, &got, &n) == 0 && n == len && memcmp (got, bytes, n) == 0;
}

static size_t
entries (void)
{
  cleanup_dir DIR *d = opendir (dir);
  size_t n = 0;
  while (d && readdir (d))
    n++;
  return n;
}

/* Put `before` in the file, parse it, let change edit the tree, write it
 * back: the file must hold json_write's bytes, replaced (new inode) iff
 * they differ from before. */
static void
check_write (const char *name, const char *before, size_t before_len, void (*change) (struct json_value *))
{
  struct doc_file f;
  struct json_value *doc = NULL;
  secshim_error_t err = NULL;
  cleanup_free char *want = NULL;
  size_t want_len = 0;

  put_file (before, before_len);
  ino_t ino = file_ino ();
  if (doc_file_open (dir, "config.json", JSON_DEFAULT_MAX_BYTES, &f, &err) < 0 || doc_file_parse (&f, &doc, &err) < 0)
    {
      TAP_CHECK (0, "%s: open and parse: %s", name, err->msg);
      secshim_error_release (&err);
      doc_file_close (&f);
      return;
    }
  if (change)
    change (doc);
  if (json_write (doc, &want, &want_len, &err) < 0)
    abort ();
  bool same = want_len == before_len && memcmp (want, before, want_len) == 0;
  int ret = doc_file_write_tree (&f, doc, &err);
  TAP_CHECK (ret == 0 && file_is (want, want_len), "%s: the file holds json_write's bytes%s%s", name, err ? ": " : "",
             err ? err->msg : "");
  TAP_CHECK ((file_ino () == ino) == same, "%s: %s", name, same ? "identical, left alone" : "replaced");
  TAP_CHECK (entries () == 3, "%s: no temporary file left", name);
  secshim_error_release (&err);
  json_free (doc);
  doc_file_close (&f);
}

static void
set_uid (struct json_value *doc)
{
  json_set (json_get_or_add_object (json_get_or_add_object (doc, "process"), "user"), "uid", json_new_u64 (65534));
}

static void
set_last (struct json_value *doc)
{
  json_set (doc, "zzz", json_new_string ("changed"));
}

/* {"process":{"user":{"uid":0}},"big":[...n strings...],"zzz":"x"} */
static char *
big_doc (size_t n, size_t *len)
{
  struct json_value *doc = json_new_object ();
  struct json_value *arr = json_new_array ();
  char *out = NULL;
  secshim_error_t err = NULL;
  set_uid (doc);
  json_set (json_get_path (doc, "process.user"), "uid", json_new_u64 (0));
  for (size_t i = 0; i < n; i++)
    json_array_append (arr, json_new_string ("BENCH_VARIABLE=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
  json_set (doc, "big", arr);
  json_set (doc, "zzz", json_new_string ("x"));
  if (json_write (doc, &out, len, &err) < 0)
    abort ();
  json_free (doc);
  return out;
}

static int
collect (void *opaque, const char *piece, size_t len, secshim_error_t *err)
{
  struct strbuf *b = opaque;
  strbuf_append (b, piece, len, 4096);
  return 0;
}

int
main (void)
{
  if (mkdtemp (dir) == NULL)
    abort ();
  const char small[] = "{\"process\":{\"user\":{\"uid\":0}},\"zzz\":\"x\"}";
  size_t big_len = 0;
  cleanup_free char *big = big_doc (20000, &big_len); /* about 1.4 MB */
  cleanup_free char *newline = xmalloc (big_len + 1);
  memcpy (newline, big, big_len);
  newline[big_len] = '\n';

  check_write ("small, unchanged", small, sizeof small - 1, NULL);
  check_write ("small, changed", small, sizeof small - 1, set_uid);
  check_write ("large, unchanged", big, big_len, NULL);
  check_write ("large, changed in the first piece", big, big_len, set_uid);
  check_write ("large, changed after the first piece", big, big_len, set_last);
  check_write ("large, a trailing newline only", newline, big_len + 1, NULL);

  /* the pieces of json_write_stream are json_write's bytes */
  struct json_value *doc = NULL;
  secshim_error_t err = NULL;
  struct strbuf b = { 0 };
  if (json_parse (big, big_len, NULL, &doc, &err) < 0)
    abort ();
  TAP_CHECK (json_write_stream (doc, collect, &b, &err) == 0 && b.len == big_len && memcmp (b.buf, big, big_len) == 0,
             "json_write_stream's pieces make json_write's bytes");
  free (b.buf);
  json_free (doc);

  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/config.json", dir);
  unlink (path);
  rmdir (dir);
  return tap_done ();
}
