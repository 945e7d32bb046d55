/* Abort-on-OOM allocation and small string helpers.  secshim is a short-lived
 * exec wrapper: running out of memory ends it before runc runs, which fails
 * closed. */
#ifndef SECSHIM_UTIL_H
#define SECSHIM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc (size_t size);
void *xzalloc (size_t size);
void *xrealloc (void *p, size_t size);
/* n * size with overflow check (aborts on overflow). */
void *xreallocarray (void *p, size_t n, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
int xasprintf (char **out, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
int xvasprintf (char **out, const char *fmt, va_list ap) __attribute__ ((format (printf, 2, 0)));

bool str_has_prefix (const char *s, const char *prefix);
bool str_equal (const char *a, const char *b); /* NULL-safe */
/* A hash of s for the in-memory tables (not for anything an attacker must
 * not collide: the tables compare whole keys), eight bytes at a time:
 * the keys are paths and syscall names looked up hundreds of times per
 * evaluation.  seed separates kinds of key in one table. */
size_t str_hash (const char *s, size_t seed);
/* The same hash of s[0..n), n == strlen (s) when s is a C string. */
size_t str_hash_n (const char *s, size_t n, size_t seed);

/* Checked decimal parsing (systemd's safe_atou32): digits only, no sign, no
 * whitespace, no leading '+', range-checked.  Return 0 or -1 (errno set). */
int parse_u32 (const char *s, uint32_t *out);
int parse_u64 (const char *s, uint64_t *out);
int parse_i64 (const char *s, int64_t *out);

/* Go's strconv, exactly, for numbers runc reads from its command line.
 * go_parse_int is strconv.ParseInt (s, 10, bits): an optional '+' or '-',
 * then one or more decimal digits, leading zeros allowed ("-0", "+0" and
 * "00" are 0), no space, no '_', range-checked for bits (8..64).
 * go_atoi is strconv.Atoi on a 64-bit Go (ParseInt (s, 10, 64)).
 * go_parse_uint is strconv.ParseUint (s, 10, bits): digits only.
 * Return 0, or -1 with errno EINVAL (syntax) or ERANGE, as Go's errors.
 * What runc then does with the value is the caller's: runc's exec keeps
 * uint32 (v) of --user's Atoi, so 4294967296 and -4294967296 are 0. */
int go_parse_int (const char *s, int bits, int64_t *out);
int go_parse_uint (const char *s, int bits, uint64_t *out);
int go_atoi (const char *s, int64_t *out);

/* Read a whole regular file from fd, at most max bytes (EFBIG above). */
int read_all_fd (int fd, size_t max, char **out, size_t *out_len);
/* A growable byte buffer, NUL-terminated after every append (the JSON
 * writer's output and the JSON paths of error messages).  Inline: the
 * writer appends once per token. */
struct strbuf
{
  char *buf;
  size_t len;
  size_t cap;
};

static inline void
strbuf_reserve (struct strbuf *b, size_t extra, size_t first_cap)
{
  size_t need = b->len + extra + 1;
  size_t cap;
  if (need <= b->cap)
    return;
  cap = b->cap ? b->cap : first_cap;
  while (cap < need)
    cap *= 2;
  b->buf = xrealloc (b->buf, cap);
  b->cap = cap;
}

static inline void
strbuf_append (struct strbuf *b, const char *s, size_t n, size_t first_cap)
{
  strbuf_reserve (b, n, first_cap);
  __builtin_memcpy (b->buf + b->len, s, n);
  b->len += n;
  b->buf[b->len] = '\0';
}

/* Lexical normalisation of an absolute path as the kernel would walk it
 * without symlinks: "//proc/./self/../self/" -> "/proc/self"; ".." at the
 * root stays at the root.  A relative path is taken from "/" (runc joins a
 * relative cwd with the rootfs root).  Returns a malloc'd string. */
char *path_lexical_normalize (const char *path);
/* Go's filepath.Clean, exactly (runc cleans paths with it): "" -> ".",
 * a relative path stays relative ("../x" stays).  path_lexical_normalize
 * is this on "/" + path.  Malloc'd. */
char *go_path_clean (const char *path);

/* write(2) all of buf, retrying on EINTR and short writes. */
int write_all_fd (int fd, const void *buf, size_t len);

/* The bytes of the eight in w that a JSON string cannot hold as they are
 * (below 0x20, '"', '\\') or that are not ASCII, each flagged by its top
 * bit.  Every test flags exactly the first byte it matches (the borrow of
 * the classic has-zero-byte test reaches only bytes above a true match), so
 * the lowest flag is exactly the first such byte; flags above it may be
 * false.  The JSON writer and the audit record's writer scan with it. */
static inline uint64_t
json_word_not_plain (uint64_t w)
{
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
#define HAS_ZERO_BYTE(x) (((x) -ones) & ~(x) &highs)
  return (w & highs) | ((w - 0x20 * ones) & ~w & highs) | HAS_ZERO_BYTE (w ^ ('"' * ones))
         | HAS_ZERO_BYTE (w ^ ('\\' * ones));
#undef HAS_ZERO_BYTE
}

#endif
