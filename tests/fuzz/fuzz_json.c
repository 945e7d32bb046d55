/* Fuzz target: the strict JSON loader, the canonical writer and the schema.
 *
 * Invariants (json.h, spec.h):
 *  - json_parse never crashes, leaks or recurses without bound, whatever the
 *    bytes;
 *  - what it accepts, json_write serialises, and that output parses again to
 *    an equal tree whose serialisation is byte-identical (a fixpoint: secshim
 *    must hand runc the one document it checked);
 *  - spec_normalize, for each document kind, either refuses or yields a tree
 *    that writes, re-parses and normalises again to the same bytes;
 *  - json_parse_fd, reading the bytes from an fd in pieces of 1 to 16 bytes,
 *    refuses with the same message or accepts an equal tree;
 *  - the loader's plain-text flags (src/json/node.h) change nothing: the
 *    tree without them writes the same bytes. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/spec.h"
#include "secshim/util.h"

#include "../../src/json/node.h"

/* Serialise v, parse the output back and check the round trip is a fixpoint.
 * Returns the serialisation (malloc'd). */
static char *
write_and_reparse (const struct json_value *v, const char *what, size_t *out_len)
{
  secshim_error_t err = NULL;
  cleanup_free char *out = NULL, *out2 = NULL;
  cleanup_with (json_free) struct json_value *again = NULL;
  size_t len = 0, len2 = 0;

  FUZZ_ASSERT (json_write (v, &out, &len, &err) == 0, "%s: json_write failed: %s", what, fuzz_msg (err));
  FUZZ_ASSERT (strlen (out) == len, "%s: json_write output has an embedded NUL", what);
  FUZZ_ASSERT (json_parse (out, len, NULL, &again, &err) == 0, "%s: own output does not parse: %s\n%s", what,
               fuzz_msg (err), out);
  FUZZ_ASSERT (json_equal (v, again), "%s: re-parsed tree differs\n%s", what, out);
  FUZZ_ASSERT (json_write (again, &out2, &len2, &err) == 0, "%s: second json_write failed: %s", what, fuzz_msg (err));
  FUZZ_ASSERT (len == len2 && memcmp (out, out2, len) == 0, "%s: serialisation is not a fixpoint\n%s\n%s", what, out,
               out2);
  *out_len = len;
  return steal_pointer (&out);
}

/* A copy of v without JSON_FLAG_TEXT_PLAIN and _KEYS_PLAIN (every string
 * and key scanned by the writer) writes out[0..len). */
static void
check_flags (const struct json_value *v, const char *out, size_t len)
{
  secshim_error_t err = NULL;
  cleanup_with (json_free) struct json_value *c = json_clone (v);
  cleanup_free struct json_value **todo = NULL;
  cleanup_free char *out2 = NULL;
  size_t n = 0, cap = 0, len2 = 0;

  todo = xreallocarray (NULL, cap = 64, sizeof *todo);
  todo[n++] = c;
  while (n > 0)
    {
      struct json_value *x = todo[--n];
      x->flags &= ~(JSON_FLAG_TEXT_PLAIN | JSON_FLAG_KEYS_PLAIN);
      for (size_t i = 0; i < x->count; i++)
        {
          if (n == cap)
            todo = xreallocarray (todo, cap *= 2, sizeof *todo);
          todo[n++] = x->type == JSON_OBJECT ? x->members[i].value : x->items[i];
        }
    }
  FUZZ_ASSERT (json_write (c, &out2, &len2, &err) == 0, "unflagged copy: json_write failed: %s", fuzz_msg (err));
  FUZZ_ASSERT (len == len2 && memcmp (out, out2, len) == 0, "the plain flags change the output\n%s\n%s", out, out2);
}

/* Normalise a copy of v as kind; when accepted, its serialisation must
 * re-parse and re-normalise to the same bytes. */
static void
check_schema (const struct json_value *v, enum spec_kind kind, const char *what)
{
  secshim_error_t err = NULL;
  cleanup_with (json_free) struct json_value *doc = json_clone (v);
  cleanup_with (json_free) struct json_value *again = NULL;
  cleanup_free char *out = NULL, *out2 = NULL;
  size_t len = 0, len2 = 0;

  FUZZ_ASSERT (json_equal (doc, v), "%s: json_clone differs from its source", what);
  if (spec_normalize (doc, kind, &err) < 0)
    {
      FUZZ_ASSERT (err != NULL && err->msg != NULL && err->msg[0] != '\0', "%s: refusal without a message", what);
      secshim_error_release (&err);
      return;
    }
  out = write_and_reparse (doc, what, &len);
  FUZZ_ASSERT (json_parse (out, len, NULL, &again, &err) == 0, "%s: %s", what, fuzz_msg (err));
  FUZZ_ASSERT (spec_normalize (again, kind, &err) == 0, "%s: normalised output refused on re-read: %s\n%s", what,
               fuzz_msg (err), out);
  out2 = write_and_reparse (again, what, &len2);
  FUZZ_ASSERT (len == len2 && memcmp (out, out2, len) == 0, "%s: normalisation is not idempotent\n%s\n%s", what, out,
               out2);
}

/* json_parse_fd_pieces agrees with json_parse (its result: v, or err). */
static void
check_pieces (const uint8_t *data, size_t size, const struct json_value *v, const secshim_error_t err)
{
  static int fd = -1;
  secshim_error_t ferr = NULL;
  cleanup_with (json_free) struct json_value *fv = NULL;
  size_t piece = size ? 1 + data[size / 2] % 16 : 1, got = 0;

  if (fd < 0)
    fd = memfd_create ("fuzz-json", MFD_CLOEXEC);
  /* one memfd, emptied and rewound for each input */
  FUZZ_ASSERT (fd >= 0 && ftruncate (fd, 0) == 0 && lseek (fd, 0, SEEK_SET) == 0
                   && write_all_fd (fd, (const char *) data, size) == 0 && lseek (fd, 0, SEEK_SET) == 0,
               "memfd");
  if (json_parse_fd_pieces (fd, piece, size, NULL, &fv, &got, &ferr) < 0)
    {
      FUZZ_ASSERT (err != NULL && strcmp (err->msg, ferr->msg) == 0, "%zu-byte pieces: %s; whole: %s", piece, ferr->msg,
                   err ? err->msg : "(accepted)");
      secshim_error_release (&ferr);
      return;
    }
  FUZZ_ASSERT (err == NULL && got == size && json_equal (v, fv), "%zu-byte pieces accepted; whole: %s", piece,
               err ? err->msg : "(a different tree)");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  secshim_error_t err = NULL;
  cleanup_with (json_free) struct json_value *v = NULL;
  cleanup_free char *out = NULL;
  size_t len = 0;

  int parsed = json_parse ((const char *) data, size, NULL, &v, &err);
  check_pieces (data, size, v, err);
  if (parsed < 0)
    {
      FUZZ_ASSERT (err != NULL && err->msg != NULL && err->msg[0] != '\0', "json_parse refused without a message");
      FUZZ_ASSERT (v == NULL, "json_parse failed but returned a tree");
      secshim_error_release (&err);
      return 0;
    }
  FUZZ_ASSERT (memchr (data, '\0', size) == NULL, "json_parse accepted a raw NUL byte");
  out = write_and_reparse (v, "json", &len);
  check_flags (v, out, len);
  check_schema (v, SPEC_CONFIG, "config");
  check_schema (v, SPEC_PROCESS, "process");
  check_schema (v, SPEC_RESOURCES, "resources");
  return 0;
}
