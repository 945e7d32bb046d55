/* Allocation, strings, checked integers, whole-fd I/O: see util.h. */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/util.h"

static void __attribute__ ((noreturn)) oom (void)
{
  static const char msg[] = "secshim: out of memory\n";
  (void) !write (STDERR_FILENO, msg, sizeof msg - 1);
  abort ();
}

void *
xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xzalloc (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xrealloc (void *p, size_t size)
{
  void *n = realloc (p, size ? size : 1);
  if (n == NULL)
    oom ();
  return n;
}

void *
xreallocarray (void *p, size_t n, size_t size)
{
  size_t total;
  if (__builtin_mul_overflow (n, size, &total))
    oom ();
  return xrealloc (p, total);
}

char *
xstrdup (const char *s)
{
  char *d = strdup (s);
  if (d == NULL)
    oom ();
  return d;
}

char *
xstrndup (const char *s, size_t n)
{
  char *d = strndup (s, n);
  if (d == NULL)
    oom ();
  return d;
}

int
xvasprintf (char **out, const char *fmt, va_list ap)
{
  /* Most strings secshim formats are short (paths, findings): formatted
   * on the stack and copied to their exact size, one malloc; vasprintf
   * grows a buffer of its own first, for about a third more instructions.
   * A longer one is formatted again by vasprintf. */
  char buf[256];
  va_list again;
  int ret;

  va_copy (again, ap);
  ret = vsnprintf (buf, sizeof buf, fmt, ap);
  if (ret >= 0 && (size_t) ret < sizeof buf)
    {
      *out = xmalloc ((size_t) ret + 1);
      memcpy (*out, buf, (size_t) ret + 1);
    }
  else
    ret = vasprintf (out, fmt, again);
  va_end (again);
  if (ret < 0)
    oom ();
  return ret;
}

int
xasprintf (char **out, const char *fmt, ...)
{
  va_list ap;
  int ret;
  va_start (ap, fmt);
  ret = xvasprintf (out, fmt, ap);
  va_end (ap);
  return ret;
}

bool
str_has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

size_t
str_hash (const char *s, size_t seed)
{
  return str_hash_n (s, strlen (s), seed);
}

size_t
str_hash_n (const char *s, size_t n, size_t seed)
{
  const uint64_t k = 0x9E3779B97F4A7C15ULL;
  uint64_t x = ((uint64_t) seed * k) ^ n, w;
  bool long_key = n >= 8;
  size_t i;
  for (; n >= 8; n -= 8, s += 8)
    {
      memcpy (&w, s, 8);
      x = (x ^ w) * k;
      x ^= x >> 29;
    }
  /* The last n < 8 bytes as a little-endian number: a memcpy of a
   * variable length is a libc call, dearer than the key's hash.  A key of
   * eight bytes or more has them as the top of its last eight (one load
   * of a fixed size); a shorter one is read byte by byte. */
  if (n == 0)
    w = 0;
  else if (long_key)
    {
      memcpy (&w, s + n - 8, 8);
      w = le64toh (w) >> (8 * (8 - n));
    }
  else
    for (w = 0, i = 0; i < n; i++)
      w |= (uint64_t) (unsigned char) s[i] << (8 * i);
  x = (x ^ w) * k;
  return (size_t) (x ^ (x >> 32));
}

bool
str_equal (const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp (a, b) == 0;
}

/* Digits only: no sign, no space, no empty string (strtoull would accept
 * all three). */
static bool
all_digits (const char *s)
{
  if (s == NULL || *s == '\0')
    return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

int
parse_u64 (const char *s, uint64_t *out)
{
  unsigned long long v;
  char *end = NULL;
  if (!all_digits (s))
    {
      errno = EINVAL;
      return -1;
    }
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno != 0 || *end != '\0')
    {
      errno = errno ? errno : EINVAL;
      return -1;
    }
  *out = v;
  return 0;
}

int
parse_u32 (const char *s, uint32_t *out)
{
  uint64_t v;
  if (parse_u64 (s, &v) < 0)
    return -1;
  if (v > UINT32_MAX)
    {
      errno = ERANGE;
      return -1;
    }
  *out = (uint32_t) v;
  return 0;
}

int
parse_i64 (const char *s, int64_t *out)
{
  long long v;
  char *end = NULL;
  if (s == NULL || !all_digits (s[0] == '-' ? s + 1 : s))
    {
      errno = EINVAL;
      return -1;
    }
  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno != 0 || *end != '\0')
    {
      errno = errno ? errno : EINVAL;
      return -1;
    }
  *out = v;
  return 0;
}

int
go_parse_uint (const char *s, int bits, uint64_t *out)
{
  uint64_t n = 0, max;
  if (s == NULL || *s == '\0' || bits < 1 || bits > 64)
    {
      errno = EINVAL;
      return -1;
    }
  max = bits == 64 ? UINT64_MAX : (UINT64_C (1) << bits) - 1;
  for (; *s; s++)
    {
      unsigned d;
      if (*s < '0' || *s > '9')
        {
          errno = EINVAL;
          return -1;
        }
      d = (unsigned) (*s - '0');
      /* Go stops at the first overflow with a range error, even when a
       * bad digit follows. */
      if (n > (max - d) / 10)
        {
          errno = ERANGE;
          return -1;
        }
      n = n * 10 + d;
    }
  *out = n;
  return 0;
}

int
go_parse_int (const char *s, int bits, int64_t *out)
{
  bool negative = false;
  uint64_t mag, cutoff;
  if (s == NULL || *s == '\0' || bits < 1 || bits > 64)
    {
      errno = EINVAL;
      return -1;
    }
  if (*s == '+' || *s == '-')
    negative = *s++ == '-';
  if (go_parse_uint (s, 64, &mag) < 0)
    return -1;
  cutoff = UINT64_C (1) << (bits - 1);
  if (negative ? mag > cutoff : mag >= cutoff)
    {
      errno = ERANGE;
      return -1;
    }
  *out = negative ? (int64_t) (0 - mag) : (int64_t) mag;
  return 0;
}

int
go_atoi (const char *s, int64_t *out)
{
  return go_parse_int (s, 64, out);
}

int
read_all_fd (int fd, size_t max, char **out, size_t *out_len)
{
  size_t cap = 4096, len = 0;
  char *buf = NULL;
  struct stat st;

  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    {
      if ((uint64_t) st.st_size > max)
        {
          errno = EFBIG;
          return -1;
        }
      cap = (size_t) st.st_size + 1;
    }
  buf = xmalloc (cap + 1);
  for (;;)
    {
      ssize_t n;
      if (len == cap)
        {
          if (cap > max)
            {
              free (buf);
              errno = EFBIG;
              return -1;
            }
          cap *= 2;
          buf = xrealloc (buf, cap + 1);
        }
      n = read (fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          free (buf);
          errno = errsv;
          return -1;
        }
      if (n == 0)
        break;
      len += (size_t) n;
    }
  if (len > max)
    {
      free (buf);
      errno = EFBIG;
      return -1;
    }
  buf[len] = '\0';
  *out = buf;
  *out_len = len;
  return 0;
}

int
write_all_fd (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        {
          errno = EIO;
          return -1;
        }
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

char *
go_path_clean (const char *path)
{
  size_t n = strlen (path), r = 0, w = 0, dotdot = 0;
  bool rooted;
  char *out;

  if (n == 0)
    return xstrdup (".");
  rooted = path[0] == '/';
  out = xmalloc (n + 2);
  if (rooted)
    {
      out[w++] = '/';
      r = 1;
      dotdot = 1;
    }
  while (r < n)
    {
      if (path[r] == '/')
        r++;
      else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/'))
        r++;
      else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/'))
        {
          r += 2;
          if (w > dotdot)
            {
              w--;
              while (w > dotdot && out[w] != '/')
                w--;
            }
          else if (!rooted)
            {
              if (w > 0)
                out[w++] = '/';
              out[w++] = '.';
              out[w++] = '.';
              dotdot = w;
            }
        }
      else
        {
          if ((rooted && w != 1) || (!rooted && w != 0))
            out[w++] = '/';
          while (r < n && path[r] != '/')
            out[w++] = path[r++];
        }
    }
  if (w == 0)
    out[w++] = '.';
  out[w] = '\0';
  return out;
}

/* One normaliser: the absolute form of go_path_clean. */
char *
path_lexical_normalize (const char *path)
{
  cleanup_free char *rooted = NULL;
  if (path[0] == '/')
    return go_path_clean (path);
  xasprintf (&rooted, "/%s", path);
  return go_path_clean (rooted);
}
